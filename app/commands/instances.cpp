// covenant start | status | history | cancel | signal | retry — one instance at a time; covenant
// instances list (alias search) — many, by filter.
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/composition.hpp"
#include "app/http/api.hpp"
#include "app/views.hpp"
#include "engine/history/hash_chain.hpp"
#include "engine/time_format.hpp"
#include "workflows/duration.hpp"

#include <iostream>

namespace covenant::app {
namespace instances_command {

using nlohmann::json;

struct Options {
  CommonOptions common;
  std::string id, workflow, input_file, business_key, event, data_file, reason = "cancelled",
                                                                        by = "cli", start_key;
  bool allow_duplicate = false;
};

int with_engine(const Options& o, const std::function<int(Engine&)>& fn) {
  auto eng = open_engine(o.common.db, 1);
  if (!eng) return report(eng.error());
  return fn(**eng);
}

int start(const Options& o) {
  json input = json::object();
  if (!o.input_file.empty()) {
    auto parsed = read_json_file(o.input_file);
    if (!parsed) return 1;
    input = *parsed;
  }
  return with_engine(o, [&](Engine& e) {
    engine::runtime::StartOptions opts{o.business_key, o.by, o.start_key, o.common.ns};
    opts.allow_duplicate_business_key = o.allow_duplicate;
    auto started = e.runtime->start(o.workflow, input, opts);
    if (!started) return report(started.error());
    if (o.common.format == "json")
      std::cout << json{{"id", started->id}, {"replayed", started->replayed}}.dump() << '\n';
    else
      std::cout << started->id << '\n';
    if (started->replayed && o.common.format != "json")
      std::cerr << "covenant: started before with this key: nothing new was started\n";
    return 0;
  });
}

// What went wrong, as an event records it (ActivityFailed: error and message; WorkflowFailed:
// error and cause; a caught error: error and message), for the text form: "  — Code: why".
std::string error_text(const json& payload) {
  if (!payload.is_object()) return "";
  auto text = [&](const char* key) {
    auto it = payload.find(key);
    return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string code = text("error"), why = text("message");
  if (why.empty()) why = text("cause");
  if (code.empty() && why.empty()) return "";
  return "  — " + code + (code.empty() || why.empty() ? "" : ": ") + why;
}

int status(const Options& o) {
  return with_engine(o, [&](Engine& e) {
    auto inst = e.store->instances.get(o.common.scope(), o.id);
    if (!inst) return report(inst.error());
    if (!*inst) return report({engine::ErrorCode::NotFound, "no instance " + o.id, ""});
    json j = instance_json(**inst);
    if (o.common.format == "json") {
      std::cout << j.dump(2) << '\n';
      return 0;
    }
    std::cout << j["id"].get<std::string>() << "  " << j["workflow"].get<std::string>() << "  "
              << j["status"].get<std::string>();
    if (!(*inst)->error.empty()) {
      std::cout << " (" << (*inst)->error;
      if (!(*inst)->failure_cause.empty()) std::cout << ": " << (*inst)->failure_cause;
      std::cout << ")";
    }
    std::cout << "\n";
    for (const auto& f : j["at"])
      std::cout << "  at " << f["state"].get<std::string>() << " ["
                << f["status"].get<std::string>() << "] in " << f["frame"].get<std::string>()
                << '\n';
    return 0;
  });
}

int history(const Options& o) {
  return with_engine(o, [&](Engine& e) {
    auto inst = e.store->instances.get(o.common.scope(), o.id);
    if (!inst) return report(inst.error());
    if (!*inst) return report({engine::ErrorCode::NotFound, "no instance " + o.id, ""});
    auto h = e.store->instances.history(o.common.scope(), o.id);
    if (!h) return report(h.error());
    auto broken = engine::history::verify_chain(*h);
    if (o.common.format == "json") {
      json out = json::array();
      for (const auto& ev : *h) out.push_back(event_json(ev));
      std::cout << out.dump(2) << '\n';
    } else {
      for (const auto& ev : *h)
        std::cout << ev.seq << "  " << engine::format_rfc3339(engine::from_micros(ev.at_us)) << "  "
                  << engine::history::name(ev.type) << (ev.state.empty() ? "" : "  " + ev.state)
                  << error_text(ev.payload) << '\n';
      std::cout << (broken ? "chain BROKEN at event " + std::to_string(broken->seq) + ": " +
                                 broken->reason
                           : "chain verified: " + std::to_string(h->size()) + " events")
                << '\n';
    }
    return broken ? 1 : 0;
  });
}

int cancel(const Options& o) {
  return with_engine(o, [&](Engine& e) {
    auto r = e.runtime->cancel(o.common.scope(), o.id, o.reason, o.by);
    if (!r) return report(r.error());
    std::cout << (o.common.format == "json" ? json{{"id", o.id}, {"status", "cancelled"}}.dump()
                                            : "cancelled " + o.id)
              << '\n';
    return 0;
  });
}

int signal(const Options& o) {
  json data = json::object();
  if (!o.data_file.empty()) {
    auto parsed = read_json_file(o.data_file);
    if (!parsed) return 1;
    data = *parsed;
  }
  return with_engine(o, [&](Engine& e) {
    auto r = e.runtime->signal(o.common.scope(), o.id, o.event, data, o.by);
    if (!r) return report(r.error());
    std::cout << (o.common.format == "json" ? json{{"id", o.id}, {"event", o.event}}.dump()
                                            : "delivered " + o.event + " to " + o.id)
              << '\n';
    return 0;
  });
}

// covenant retry ID: a failed step run again, its input edited or not (fix and retry).
int retry(const Options& o) {
  json input;  // null: rendered again from the data
  if (!o.input_file.empty()) {
    auto parsed = read_json_file(o.input_file);
    if (!parsed) return 1;
    input = *parsed;
  }
  if (o.reason.find_first_not_of(" \t\n") == std::string::npos) {
    complain("retry") << "--reason must say why (it is recorded in the history)";
    return 2;
  }
  return with_engine(o, [&](Engine& e) {
    std::string state = o.event;  // --state
    if (state.empty()) {
      auto h = e.store->instances.history(o.common.scope(), o.id);
      if (!h) return report(h.error());
      for (const auto& ev : *h)
        if (ev.type == engine::history::EventType::ActivityFailed && !ev.state.empty())
          state = ev.state;
    }
    auto r = e.runtime->retry_step(o.common.scope(), o.id, {state, input, o.reason, o.by});
    if (!r) return report(r.error());
    std::cout << (o.common.format == "json"
                      ? json{{"id", o.id}, {"state", state}, {"status", "running"}}.dump()
                      : "running " + state + " of " + o.id + " again")
              << '\n';
    return 0;
  });
}

// covenant instances list: the API's GET /v1/instances on the command line, the same
// filters and the same cursors.
struct ListOptions {
  CommonOptions common;
  std::string workflow, status, business_key, version, created_from, created_to, idle_for, cursor;
  bool open_gate = false;
  int limit = 50;
};

// An RFC 3339 time or a date (2027-01-31, midnight UTC) for a filter; nullopt when neither.
std::optional<std::int64_t> filter_time(const std::string& text) {
  auto t = engine::parse_rfc3339(text.size() == 10 ? text + "T00:00:00Z" : text);
  if (!t) return std::nullopt;
  return engine::to_micros(*t);
}

int list(const ListOptions& o) {
  engine::store::InstanceFilter f;
  f.workflow = o.workflow;
  f.status = o.status;
  f.business_key = o.business_key;
  f.version = o.version;
  f.open_gate = o.open_gate;
  for (auto [text, into, name] : {std::tuple{&o.created_from, &f.created_from_us, "--created-from"},
                                  std::tuple{&o.created_to, &f.created_to_us, "--created-to"}}) {
    if (text->empty()) continue;
    auto t = filter_time(*text);
    if (!t) {
      complain("instances list") << name << " is a date (2027-01-31) or an RFC 3339 time, not '"
                                 << *text << "'";
      return 2;
    }
    *into = *t;
  }
  if (!o.cursor.empty()) {
    auto pos = http::read_cursor(o.cursor);
    if (!pos) {
      complain("instances list") << "--cursor is not a cursor this command or the API printed";
      return 2;
    }
    f.after_us = pos->first;
    f.after_id = pos->second;
  }
  f.limit = o.limit + 1;  // one more tells whether there is a next page
  auto eng = open_engine(o.common.db, 1);
  if (!eng) return report(eng.error());
  if (!o.idle_for.empty()) {
    auto d = workflows::parse_duration(o.idle_for);
    if (!d.seconds) {
      complain("instances list") << "--idle-for: " << d.error;
      return 2;
    }
    f.updated_before_us = engine::to_micros((*eng)->clock.now()) - *d.seconds * 1'000'000;
  }
  auto rows = (*eng)->store->instances.find(o.common.scope(), f);
  if (!rows) return report(rows.error());
  bool more = static_cast<int>(rows->size()) > o.limit;
  if (more) rows->resize(o.limit);
  std::string next = more ? http::make_cursor(rows->back().created_us, rows->back().id) : "";
  if (o.common.format == "json") {
    json items = json::array();
    for (const auto& i : *rows) items.push_back(instance_json(i));
    std::cout << json{{"items", items}, {"next_cursor", more ? json(next) : json()}}.dump(2)
              << '\n';
    return 0;
  }
  for (const auto& i : *rows) {
    std::string at;
    for (const auto& [id, fr] : i.frames) at += (at.empty() ? "" : ",") + fr.state;
    std::cout << i.id << "  " << i.workflow << "  " << i.status << "  "
              << (i.business_key.empty() ? "-" : i.business_key) << "  " << (at.empty() ? "-" : at)
              << "  " << engine::format_rfc3339(engine::from_micros(i.created_us)) << '\n';
  }
  if (more) std::cout << "next: --cursor " << next << '\n';
  return 0;
}

CLI::App* sub(CLI::App& app, const char* name, const char* help, std::shared_ptr<Options> o,
              int (*fn)(const Options&), int& exit_code) {
  auto* cmd = app.add_subcommand(name, help);
  add_common_options(cmd, o->common);
  cmd->callback([o, fn, &exit_code] { exit_code = fn(*o); });
  return cmd;
}

}  // namespace instances_command

void add_instance_commands(CLI::App& app, int& exit_code) {
  using namespace instances_command;
  auto s = std::make_shared<Options>();
  auto* c = sub(app, "start", "Start an instance of the latest version of a workflow", s, start,
                exit_code);
  c->add_option("workflow", s->workflow, "Workflow name")->required();
  c->add_option("--input", s->input_file, "Input JSON file (- for standard input)");
  c->add_option("--business-key", s->business_key,
                "Business key, e.g. the contract id (one running instance per workflow holds it)");
  c->add_flag("--allow-duplicate-business-key", s->allow_duplicate,
              "Start even though a running instance of the workflow holds the business key");
  c->add_option("--idempotency-key", s->start_key,
                "A repeated start with this key returns the same instance");
  c->add_option("--as", s->by, "Who starts it (kept for separation of duties)");

  auto st = std::make_shared<Options>();
  c = sub(app, "status", "Show an instance", st, status, exit_code);
  c->add_option("id", st->id, "Instance id")->required();

  auto h = std::make_shared<Options>();
  c = sub(app, "history", "Show an instance's history and verify its hash chain", h, history,
          exit_code);
  c->add_option("id", h->id, "Instance id")->required();

  auto x = std::make_shared<Options>();
  c = sub(app, "cancel", "Cancel an instance", x, cancel, exit_code);
  c->add_option("id", x->id, "Instance id")->required();
  c->add_option("--reason", x->reason, "Why");
  c->add_option("--as", x->by, "Who cancels it");

  auto g = std::make_shared<Options>();
  c = sub(app, "signal", "Send a named external event to an instance", g, signal, exit_code);
  c->add_option("id", g->id, "Instance id")->required();
  c->add_option("event", g->event, "Event name")->required();
  c->add_option("--data", g->data_file, "Payload JSON file (- for standard input)");
  g->by.clear();  // unattributed unless said
  c->add_option("--as", g->by,
                "Who sends it (recorded in the history; they may not approve this instance after)");
  auto rt = std::make_shared<Options>();
  rt->reason.clear();
  c = sub(app, "retry", "Run a failed instance's failed step again, its input fixed or not", rt,
          retry, exit_code);
  c->add_option("id", rt->id, "Instance id")->required();
  c->add_option("--state", rt->event, "The failed step (default: where it failed)");
  c->add_option("--input", rt->input_file,
                "The step's corrected input, JSON (default: rendered again from the data)");
  c->add_option("--reason", rt->reason, "Why (required; recorded in the history)")->required();
  c->add_option("--as", rt->by, "Who runs it again (recorded)");
  auto l = std::make_shared<ListOptions>();
  auto* group = app.add_subcommand("instances", "Find instances");
  group->require_subcommand(1);
  c = group->add_subcommand("list", "Instances, oldest first, filtered, one page at a time");
  c->alias("search");
  add_common_options(c, l->common);
  c->add_option("--workflow", l->workflow, "Of this workflow");
  c->add_option("--status", l->status, "In this status")
      ->check(CLI::IsMember({"running", "compensating", "completed", "failed", "cancelled"}));
  c->add_option("--business-key", l->business_key, "Under this business key (e.g. contract id)");
  c->add_option("--version", l->version, "Running this definition version (its digest)");
  c->add_flag("--open-gate", l->open_gate, "Only those waiting at an open approval gate");
  c->add_option("--created-from", l->created_from, "Started at or after (date or RFC 3339)");
  c->add_option("--created-to", l->created_to, "Started before (date or RFC 3339)");
  c->add_option("--idle-for", l->idle_for, "Unchanged for at least this long (e.g. 7d, 12h)");
  c->add_option("--limit", l->limit, "Page size")->check(CLI::Range(1, 1000));
  c->add_option("--cursor", l->cursor, "The next cursor a previous page printed");
  c->callback([l, &exit_code] { exit_code = list(*l); });
}

}  // namespace covenant::app
