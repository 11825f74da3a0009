// covenant audit verify [ID] [--db URL] [--format text|json]
//   Recomputes every history hash chain (or one instance's) and reports the first broken link
//   of each instance. Exit 0 intact, 1 broken (or an error), 2 usage.
//       [--checkpoints FILE --public-key FILE]: also checks checkpoints kept outside the
//       database against it (a rewrite that recomputed every hash shows there).
// covenant audit export --from DATE --to DATE [--format csv|jsonl] [-o FILE] [--db URL]
//                       [--instance ID] [--contract KEY] [--customer ID] [--type EVENT]
//                       [--actor NAME]
//   The audit trail of a period, streamed (docs/audit.md has the columns).
// covenant audit events [filters as export] [--limit N] [--cursor C] [--format text|json]
//   One page of the trail, with the cursor of the next (the same order as the export).
// covenant audit keygen --private FILE --public FILE      an Ed25519 key pair for checkpoints
// covenant audit checkpoint --key FILE [--day YYYY-MM-DD]  sign a finished day (default: yesterday)
// covenant audit checkpoints [-o FILE]                     export them, one JSON line each
// covenant audit keys list | rotate --key FILE [--overlap 2d]  the namespace's signing keys
// covenant audit namespace-log [--after SEQ] [--limit N]   its key rotations, in order
// covenant audit bundle ID -o FILE --key FILE              one signed, self-contained file
// covenant audit verify-bundle FILE [--public-key FILE]    check one offline, no database
#include "activities/catalog.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/config.hpp"
#include "engine/audit/bundle.hpp"
#include "engine/audit/checkpoint.hpp"
#include "engine/audit/export.hpp"
#include "engine/audit/verify.hpp"
#include "engine/store/store.hpp"
#include "engine/time_format.hpp"
#include "workflows/compiler.hpp"
#include "workflows/money.hpp"

#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <sstream>

namespace covenant::app {
namespace audit_command {

engine::Result<std::unique_ptr<engine::store::Store>> open_store(const std::string& db) {
  return engine::store::Store::open(db, 2);
}

std::optional<std::string> read_text(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in) {
    complain("audit") << "cannot read " << what << " " << path;
    return std::nullopt;
  }
  return ss.str();
}

struct VerifyArgs {
  CommonOptions common;
  std::string id, checkpoints;
  std::vector<std::string> public_keys;
};

// Checkpoints from a file kept outside the database; problems printed; false when any.
std::optional<bool> check_file(engine::store::Store& store, const VerifyArgs& a,
                               nlohmann::json& out) {
  auto text = read_text(a.checkpoints, "checkpoints");
  if (!text) return std::nullopt;
  std::vector<std::string> keys;
  for (const auto& path : a.public_keys) {
    auto key = read_text(path, "public key");
    if (!key) return std::nullopt;
    keys.push_back(*key);
  }
  std::vector<engine::store::CheckpointRow> rows;
  std::istringstream lines(*text);
  int n = 0;
  for (std::string line; std::getline(lines, line);) {
    ++n;
    if (line.empty()) continue;
    auto row = engine::audit::checkpoint_from_json(nlohmann::json::parse(line, nullptr, false));
    if (!row) {
      complain("audit") << a.checkpoints << ":" << n << ": " << row.error();
      return std::nullopt;
    }
    rows.push_back(*row);
  }
  auto problems = engine::audit::check_checkpoints(store, a.common.ns, rows, keys);
  if (!problems) {
    report(problems.error());
    return std::nullopt;
  }
  out = nlohmann::json::array();
  for (const auto& p : *problems) {
    out.push_back(
        {{"day", p.day}, {"instance", p.instance_id}, {"seq", p.seq}, {"reason", p.reason}});
    if (a.common.format != "json")
      std::cout << "CHECKPOINT " << p.day
                << (p.instance_id.empty() ? "" : " instance " + p.instance_id)
                << (p.seq ? " event " + std::to_string(p.seq) : "") << ": " << p.reason << '\n';
  }
  if (a.common.format != "json")
    std::cout << rows.size() << " checkpoints checked, " << problems->size() << " problems\n";
  return problems->empty();
}

int verify(const VerifyArgs& a) {
  const CommonOptions& o = a.common;
  const std::string& id = a.id;
  if (a.checkpoints.empty() != a.public_keys.empty()) {
    complain("audit verify") << "--checkpoints and --public-key go together";
    return 2;
  }
  auto store = open_store(o.db);
  if (!store) return report(store.error());
  auto r = engine::audit::verify(**store, o.scope(), id);
  if (!r) return report(r.error());
  nlohmann::json checkpoint_problems;
  bool checkpoints_ok = true;
  if (!a.checkpoints.empty()) {
    auto ok = check_file(**store, a, checkpoint_problems);
    if (!ok) return 1;
    checkpoints_ok = *ok;
  }
  if (o.format == "json") {
    nlohmann::json breaks = nlohmann::json::array();
    for (const auto& b : r->breaks)
      breaks.push_back({{"instance", b.instance_id},
                        {"contract", b.business_key},
                        {"seq", b.seq},
                        {"reason", b.reason}});
    std::cout << nlohmann::json{{"instances", r->instances},
                                {"events", r->events},
                                {"intact", r->intact()},
                                {"breaks", breaks},
                                {"checkpoint_problems", checkpoint_problems}}
                     .dump(2)
              << '\n';
  } else {
    for (const auto& b : r->breaks)
      std::cout << "BROKEN instance " << b.instance_id << " (contract " << b.business_key
                << ") at event " << b.seq << ": " << b.reason << '\n';
    std::cout << (r->intact() ? "intact: " : "NOT intact: ") << r->instances << " instances, "
              << r->events << " events verified";
    if (!r->intact()) std::cout << ", " << r->breaks.size() << " broken";
    std::cout << '\n';
  }
  return r->intact() && checkpoints_ok ? 0 : 1;
}

struct ExportArgs {
  std::string db, from, to, format = "csv", output, instance, contract, type, actor, customer;
  std::string ns = engine::store::kDefaultNamespace;
};

int export_(const ExportArgs& a) {
  engine::audit::ExportOptions o;
  o.ns = a.ns;
  auto from = engine::parse_rfc3339(a.from);
  auto to = engine::parse_rfc3339(a.to);
  if (!from || !to) {
    complain("audit export") << "--from and --to are dates (2027-01-31) or RFC 3339 "
                                "times";
    return 2;
  }
  o.query.from_us = engine::to_micros(*from);
  o.query.to_us = engine::to_micros(*to);
  if (o.query.to_us <= o.query.from_us) {
    complain("audit export") << "--to must be after --from (the range is [from, to))";
    return 2;
  }
  o.query.instance_id = a.instance;
  o.query.business_key = a.contract;
  o.query.type_name = a.type;
  o.query.customer = a.customer;
  o.actor = a.actor;
  o.format = a.format;
  auto store = open_store(a.db);
  if (!store) return report(store.error());
  std::ofstream file;
  if (!a.output.empty() && a.output != "-") {
    file.open(a.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      complain("audit export") << "cannot write " << a.output;
      return 1;
    }
  }
  std::ostream& out = file.is_open() ? static_cast<std::ostream&>(file) : std::cout;
  auto n = engine::audit::export_history(**store, o, out);
  if (!n) return report(n.error());
  std::cerr << "covenant audit export: " << *n << " events\n";
  return 0;
}

nlohmann::json key_json(const engine::store::KeyRow& k) {
  nlohmann::json j = {{"purpose", k.purpose},
                      {"key_id", k.key_id},
                      {"since", engine::format_rfc3339(engine::from_micros(k.created_us))},
                      {"current", k.current()}};
  if (!k.owner.empty()) j["owner"] = k.owner;
  if (!k.current()) {
    j["retired"] = engine::format_rfc3339(engine::from_micros(k.retired_us));
    j["valid_until"] = engine::format_rfc3339(engine::from_micros(k.valid_until_us));
  }
  return j;
}

nlohmann::json namespace_event_json(const engine::store::NamespaceEvent& e) {
  auto detail = nlohmann::json::parse(e.detail, nullptr, false);  // as stored, if not JSON
  return {{"seq", e.seq},
          {"at", engine::format_rfc3339(engine::from_micros(e.at_us))},
          {"actor", e.actor},
          {"kind", e.kind},
          {"detail", detail.is_discarded() ? nlohmann::json(e.detail) : detail}};
}

}  // namespace audit_command

void add_audit_command(CLI::App& app, int& exit_code) {
  using namespace audit_command;
  auto* audit = app.add_subcommand("audit", "Verify and export the audit trail");
  audit->require_subcommand(1);

  auto va = std::make_shared<VerifyArgs>();
  auto* v = audit->add_subcommand("verify", "Recompute every hash chain; report broken links");
  add_common_options(v, va->common);
  v->add_option("id", va->id, "Only this instance");
  v->add_option("--checkpoints", va->checkpoints,
                "Also check these exported checkpoints (JSON lines) against the database");
  v->add_option("--public-key", va->public_keys,
                "An Ed25519 public key (PEM) they may verify with (again for each key the "
                "namespace signed with: a rotation's old and new)");
  v->callback([va, &exit_code] { exit_code = verify(*va); });

  struct KeyArgs {
    std::string private_path, public_path;
  };
  auto ka = std::make_shared<KeyArgs>();
  auto* k = audit->add_subcommand("keygen", "Make an Ed25519 key pair for signing checkpoints");
  k->add_option("--private", ka->private_path, "Where to write the private key (mode 0600)")
      ->required();
  k->add_option("--public", ka->public_path, "Where to write the public key")->required();
  k->callback([ka, &exit_code] {
    auto pair = engine::audit::generate_ed25519();
    if (!pair) {
      complain("audit keygen") << pair.error();
      exit_code = 1;
      return;
    }
    std::ofstream(ka->private_path, std::ios::trunc) << pair->private_pem;
    ::chmod(ka->private_path.c_str(), 0600);
    std::ofstream(ka->public_path, std::ios::trunc) << pair->public_pem;
    std::cout << "wrote " << ka->private_path << " (keep it secret) and " << ka->public_path
              << " (give it to whoever verifies checkpoints)\n";
    exit_code = 0;
  });

  struct CheckpointArgs {
    std::string db, key, day, ns = engine::store::kDefaultNamespace;
  };
  auto ca = std::make_shared<CheckpointArgs>();
  ca->db = default_database_url();
  auto* c = audit->add_subcommand("checkpoint", "Sign a finished day's chain heads");
  c->add_option("--db", ca->db, "Database URL: sqlite:PATH or postgresql://… (env COVENANT_DB)");
  add_namespace_option(c, ca->ns);
  c->add_option("--key", ca->key, "The Ed25519 private key (PEM)")->required();
  c->add_option("--day", ca->day, "The day, YYYY-MM-DD UTC (default: yesterday)");
  c->callback([ca, &exit_code] {
    auto pem = read_text(ca->key, "key");
    if (!pem) {
      exit_code = 1;
      return;
    }
    engine::SystemClock clock;
    std::int64_t now = engine::to_micros(clock.now());
    std::string day =
        ca->day.empty()
            ? engine::format_rfc3339(engine::from_micros(now - 86'400LL * 1'000'000)).substr(0, 10)
            : ca->day;
    auto store = open_store(ca->db);
    if (!store) {
      exit_code = report(store.error());
      return;
    }
    auto row = engine::audit::make_checkpoint(**store, ca->ns, day, *pem, now,
                                              "cli:" + process_identity());
    if (!row) {
      exit_code = report(row.error());
      return;
    }
    auto doc = nlohmann::json::parse(row->document);
    std::cout << "checkpoint " << row->day << ": " << doc["heads"].size() << " chain heads, digest "
              << row->digest << '\n';
    exit_code = 0;
  });

  // The namespace's signing keys and its log.
  struct KeysArgs {
    CommonOptions common;
    std::string key, overlap;
    std::int64_t after = 0;
    int limit = 100;
  };
  auto* keys = audit->add_subcommand("keys", "The namespace's signing keys: list and rotate");
  keys->require_subcommand(1);
  auto kl = std::make_shared<KeysArgs>();
  auto* klist = keys->add_subcommand("list", "Its checkpoint keys and webhook secrets (by id)");
  add_common_options(klist, kl->common);
  klist->callback([kl, &exit_code] {
    auto store = open_store(kl->common.db);
    if (!store) {
      exit_code = report(store.error());
      return;
    }
    nlohmann::json out = nlohmann::json::array();
    for (const char* purpose : {engine::store::kCheckpointKey, engine::store::kWebhookKey}) {
      auto rows = (*store)->keys.of(kl->common.ns, purpose);
      if (!rows) {
        exit_code = report(rows.error());
        return;
      }
      for (const auto& k : *rows) {
        out.push_back(key_json(k));
        if (kl->common.format != "json")
          std::cout << purpose << (k.owner.empty() ? "" : " " + k.owner) << "  " << k.key_id
                    << "  since " << engine::format_rfc3339(engine::from_micros(k.created_us))
                    << (k.current()
                            ? "  current"
                            : "  retired, counts until " +
                                  engine::format_rfc3339(engine::from_micros(k.valid_until_us)))
                    << '\n';
      }
    }
    if (kl->common.format == "json") std::cout << out.dump(2) << '\n';
    exit_code = 0;
  });
  auto kr = std::make_shared<KeysArgs>();
  auto* krot = keys->add_subcommand(
      "rotate", "Make a new key the namespace's checkpoint key; the old one signs until --overlap");
  add_common_options(krot, kr->common);
  krot->add_option("--key", kr->key, "The new Ed25519 private key (PEM; audit keygen)")->required();
  krot->add_option("--overlap", kr->overlap,
                   "How long the old key may still sign (e.g. 2d; default: it stops now)");
  krot->callback([kr, &exit_code] {
    auto overlap = duration_flag("audit keys rotate", "--overlap", kr->overlap);
    auto pem = read_text(kr->key, "key");
    if (!overlap || !pem) {
      exit_code = overlap ? 1 : 2;
      return;
    }
    auto store = open_store(kr->common.db);
    if (!store) {
      exit_code = report(store.error());
      return;
    }
    engine::SystemClock clock;
    auto change = engine::audit::rotate_checkpoint_key(
        **store, kr->common.ns, *pem, engine::to_micros(clock.now()),
        std::int64_t{overlap->count()} * 1'000'000, "cli:" + process_identity());
    if (!change) {
      exit_code = report(change.error());
      return;
    }
    if (kr->common.format == "json") {
      nlohmann::json out = {{"changed", change->changed}, {"current", key_json(change->current)}};
      if (change->previous) out["previous"] = key_json(*change->previous);
      std::cout << out.dump(2) << '\n';
    } else if (!change->changed) {
      std::cout << "checkpoint key " << change->current.key_id << " is current already\n";
    } else {
      std::cout << "checkpoint key " << change->current.key_id << " is namespace '" << kr->common.ns
                << "'s current key";
      if (change->previous)
        std::cout << "; " << change->previous->key_id << " counts until "
                  << engine::format_rfc3339(engine::from_micros(change->previous->valid_until_us));
      std::cout << '\n';
    }
    exit_code = 0;
  });
  auto lg = std::make_shared<KeysArgs>();
  auto* log = audit->add_subcommand(
      "namespace-log", "What happened to the namespace outside any contract: key rotations");
  add_common_options(log, lg->common);
  log->add_option("--after", lg->after, "Only events after this sequence number");
  log->add_option("--limit", lg->limit, "At most this many (default 100)")
      ->check(CLI::Range(1, 1000));
  log->callback([lg, &exit_code] {
    auto store = open_store(lg->common.db);
    if (!store) {
      exit_code = report(store.error());
      return;
    }
    auto events = (*store)->keys.events(lg->common.ns, lg->after, lg->limit);
    if (!events) {
      exit_code = report(events.error());
      return;
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : *events) {
      out.push_back(namespace_event_json(e));
      if (lg->common.format != "json")
        std::cout << e.seq << "  " << engine::format_rfc3339(engine::from_micros(e.at_us)) << "  "
                  << e.kind << "  by " << e.actor << "  " << e.detail << '\n';
    }
    if (lg->common.format == "json") std::cout << out.dump(2) << '\n';
    exit_code = 0;
  });

  struct BundleArgs {
    std::string db, id, output, key, ns = engine::store::kDefaultNamespace;
  };
  auto ba = std::make_shared<BundleArgs>();
  ba->db = default_database_url();
  auto* b = audit->add_subcommand("bundle", "Write one signed, self-contained audit file");
  b->add_option("--db", ba->db, "Database URL: sqlite:PATH or postgresql://… (env COVENANT_DB)");
  add_namespace_option(b, ba->ns);
  b->add_option("id", ba->id, "The instance")->required();
  b->add_option("-o,--output", ba->output, "The bundle file")->required();
  b->add_option("--key", ba->key, "The Ed25519 private key (PEM) that signs it")->required();
  b->callback([ba, &exit_code] {
    auto pem = read_text(ba->key, "key");
    if (!pem) {
      exit_code = 1;
      return;
    }
    auto store = open_store(ba->db);
    if (!store) {
      exit_code = report(store.error());
      return;
    }
    auto bundle =
        engine::audit::make_bundle(**store, engine::store::Scope::of(ba->ns), ba->id, *pem);
    if (!bundle) {
      exit_code = report(bundle.error());
      return;
    }
    std::ofstream(ba->output, std::ios::trunc) << bundle->dump(1) << '\n';
    std::cout << "wrote " << ba->output << ": " << (*bundle)["events"].size() << " events, "
              << (*bundle)["documents"].size() << " documents, " << (*bundle)["checkpoints"].size()
              << " checkpoints\n";
    exit_code = 0;
  });

  struct VerifyBundleArgs {
    std::string file, public_key;
  };
  auto vb = std::make_shared<VerifyBundleArgs>();
  auto* w = audit->add_subcommand("verify-bundle", "Check an audit bundle offline");
  w->add_option("file", vb->file, "The bundle")->required();
  w->add_option("--public-key", vb->public_key,
                "The key it must be signed with (PEM); without it, the key it carries");
  w->callback([vb, &exit_code] {
    auto text = read_text(vb->file, "bundle");
    std::optional<std::string> key = std::string();
    if (!vb->public_key.empty()) key = read_text(vb->public_key, "public key");
    if (!text || !key) {
      exit_code = 1;
      return;
    }
    auto bundle = nlohmann::json::parse(*text, nullptr, false);
    if (bundle.is_discarded()) {
      complain("audit verify-bundle") << vb->file << " is not JSON";
      exit_code = 1;
      return;
    }
    auto check = engine::audit::check_bundle(bundle, *key);
    // The definition's source compiles to the digest it claims.
    if (bundle.contains("definition") && bundle["definition"].is_object()) {
      activities::BuiltinCatalog catalog;
      auto c = workflows::compile(bundle["definition"].value("source", ""), "bundle", catalog);
      if (!c.workflow || c.workflow->digest() != bundle["definition"].value("digest", ""))
        check.problems.push_back("the definition's source does not compile to its digest");
    }
    for (const auto& p : check.problems) std::cout << "PROBLEM: " << p << '\n';
    std::cout << (check.problems.empty() ? "bundle verified: " : "bundle NOT verified: ")
              << check.events << " events, " << check.checkpoints << " checkpoints, "
              << check.documents << " documents"
              << (check.signed_by_trusted_key ? ", signed by the trusted key"
                  : vb->public_key.empty()    ? ", signed by the key it carries (give "
                                                "--public-key to check who signed it)"
                                              : "")
              << '\n';
    exit_code = check.problems.empty() ? 0 : 1;
  });

  struct ExportCheckpointsArgs {
    std::string db, output, ns = engine::store::kDefaultNamespace;
  };
  auto xa = std::make_shared<ExportCheckpointsArgs>();
  xa->db = default_database_url();
  auto* x = audit->add_subcommand("checkpoints", "Export the signed checkpoints as JSON lines");
  x->add_option("--db", xa->db, "Database URL: sqlite:PATH or postgresql://… (env COVENANT_DB)");
  add_namespace_option(x, xa->ns);
  x->add_option("-o,--output", xa->output, "Write to this file (default standard output)");
  x->callback([xa, &exit_code] {
    auto store = open_store(xa->db);
    if (!store) {
      exit_code = report(store.error());
      return;
    }
    auto rows = (*store)->audit.checkpoints(xa->ns);
    if (!rows) {
      exit_code = report(rows.error());
      return;
    }
    std::ofstream file;
    if (!xa->output.empty()) file.open(xa->output, std::ios::trunc);
    std::ostream& out = file.is_open() ? static_cast<std::ostream&>(file) : std::cout;
    for (const auto& r : *rows) out << engine::audit::checkpoint_json(r).dump() << '\n';
    exit_code = out ? 0 : 1;
  });

  struct EventsArgs {
    CommonOptions common;
    std::string from, to, instance, contract, customer, type, actor, cursor;
    int limit = 50;
  };
  auto ev = std::make_shared<EventsArgs>();
  auto* q = audit->add_subcommand("events", "One page of the audit trail, with the next cursor");
  add_common_options(q, ev->common);
  q->add_option("--from", ev->from, "First moment, inclusive (date or RFC 3339)");
  q->add_option("--to", ev->to, "Last moment, exclusive");
  q->add_option("--instance", ev->instance, "Only this instance");
  q->add_option("--contract", ev->contract, "Only this business key (contract id)");
  q->add_option("--customer", ev->customer, "Only contracts resolved to this customer");
  q->add_option("--type", ev->type, "Only this event type");
  q->add_option("--actor", ev->actor, "Only events caused by this principal");
  q->add_option("--limit", ev->limit, "Events per page")->check(CLI::Range(1, 1000));
  q->add_option("--cursor", ev->cursor, "The next_cursor a previous page printed");
  q->callback([ev, &exit_code] {
    engine::store::HistoryQuery hq;
    for (auto [text, us] : {std::pair{&ev->from, &hq.from_us}, std::pair{&ev->to, &hq.to_us}}) {
      if (text->empty()) continue;
      auto t = engine::parse_rfc3339(*text);
      if (!t) {
        complain("audit events") << "--from and --to are dates or RFC 3339 times";
        exit_code = 2;
        return;
      }
      *us = engine::to_micros(*t);
    }
    hq.instance_id = ev->instance;
    hq.business_key = ev->contract;
    hq.customer = ev->customer;
    hq.type_name = ev->type;
    engine::store::HistoryCursor after;
    if (!ev->cursor.empty()) {
      auto decoded = engine::audit::decode_cursor(ev->cursor);
      if (!decoded) {
        complain("audit events") << "--cursor is not a cursor this command printed";
        exit_code = 2;
        return;
      }
      after = *decoded;
    }
    auto store = open_store(ev->common.db);
    if (!store) {
      exit_code = report(store.error());
      return;
    }
    engine::audit::ExportOptions o;
    o.ns = ev->common.ns;
    o.query = hq;
    o.actor = ev->actor;
    auto page = engine::audit::events_page(**store, o, after, ev->limit);
    if (!page) {
      exit_code = report(page.error());
      return;
    }
    const nlohmann::json& events = page->events;
    std::string next = page->next ? engine::audit::encode_cursor(*page->next) : "";
    if (ev->common.format == "json") {
      std::cout << nlohmann::json{{"events", events},
                                  {"next_cursor",
                                   next.empty() ? nlohmann::json() : nlohmann::json(next)}}
                       .dump(2)
                << '\n';
    } else {
      for (const auto& e : events)
        std::cout << e["event_time"].get<std::string>() << "  " << e["contract"].get<std::string>()
                  << "  #" << e["seq"] << "  " << e["event_type"].get<std::string>() << "  "
                  << e["state"].get<std::string>() << "  by " << e["actor"].get<std::string>()
                  << (e["amount_minor"].is_null()
                          ? ""
                          : "  " + money::format(e["amount_minor"].get<std::int64_t>(),
                                                 e["currency"].get<std::string>()))
                  << '\n';
      if (!next.empty()) std::cout << "next: --cursor " << next << '\n';
    }
    exit_code = 0;
  });

  auto ea = std::make_shared<ExportArgs>();
  ea->db = default_database_url();
  auto* e = audit->add_subcommand("export", "Write the events of a period as CSV or JSON Lines");
  e->add_option("--db", ea->db, "Database URL: sqlite:PATH or postgresql://… (env COVENANT_DB)");
  add_namespace_option(e, ea->ns);
  e->add_option("--from", ea->from, "First day (or RFC 3339 time), inclusive")->required();
  e->add_option("--to", ea->to, "Last bound, exclusive")->required();
  e->add_option("--format", ea->format, "csv or jsonl")->check(CLI::IsMember({"csv", "jsonl"}));
  e->add_option("-o,--output", ea->output, "Write to this file (default standard output)");
  e->add_option("--instance", ea->instance, "Only this instance");
  e->add_option("--contract", ea->contract, "Only this business key (contract id)");
  e->add_option("--type", ea->type, "Only this event type, e.g. ApprovalDecided");
  e->add_option("--actor", ea->actor, "Only events caused by this principal");
  e->add_option("--customer", ea->customer,
                "Only contracts resolved to this customer (CRM external id or legal name)");
  e->callback([ea, &exit_code] { exit_code = export_(*ea); });
}

}  // namespace covenant::app
