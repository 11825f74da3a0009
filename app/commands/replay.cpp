// covenant replay --definition new.yaml [--history FILE… | filters] — re-decides recorded
// histories against a new definition (engine/runtime/replay.hpp) and reports, per instance,
// the first event where they part. Exit 0 when every history replays, 1 when one diverges
// (or cannot be read), 2 on usage. Histories come from the database (the instances of the
// definition's workflow, filtered) or from files as `covenant history --format json` and the
// API's history pages print them: a workflow repository keeps such files and runs this in
// its own CI before it deploys.
#include "engine/runtime/replay.hpp"

#include "activities/catalog.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/composition.hpp"
#include "engine/time_format.hpp"
#include "workflows/compiler.hpp"

#include <iostream>
#include <map>

namespace covenant::app {
namespace replay_command {

using nlohmann::json;

struct Options {
  CommonOptions common;
  std::string definition;
  std::vector<std::string> histories, instances;
  std::string status, version, business_key;
  int limit = 1000;
};

// Events as event_json writes them: {instance, seq, type, at, frame, state, payload}. A file
// holds an array of them (of one instance or several), or a page {"items": […]}.
std::optional<std::map<std::string, std::vector<engine::history::Event>>> read_histories(
    const std::string& file) {
  auto doc = read_json_file(file);
  if (!doc) return std::nullopt;
  const json* items = &*doc;
  if (doc->is_object() && doc->contains("items")) items = &(*doc)["items"];
  if (!items->is_array()) {
    complain("replay") << file << ": not a list of events (covenant history --format json)";
    return std::nullopt;
  }
  std::map<std::string, std::vector<engine::history::Event>> out;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const json& j = (*items)[i];
    std::string where = file + ": event [" + std::to_string(i) + "]";
    auto str = [&](const char* k) -> std::optional<std::string> {
      auto it = j.find(k);
      if (it == j.end() || !it->is_string()) return std::nullopt;
      return it->get<std::string>();
    };
    if (!j.is_object()) {
      complain("replay") << where << " is not an object";
      return std::nullopt;
    }
    auto instance = str("instance"), type = str("type"), at = str("at");
    engine::history::Event e;
    auto t = type ? engine::history::event_type_from_name(*type) : std::nullopt;
    auto when = at ? engine::parse_rfc3339(*at) : std::nullopt;
    if (!instance || !t || !when || !j.contains("seq") || !j["seq"].is_number_integer() ||
        !str("frame") || !str("state") || !j.contains("payload")) {
      complain("replay") << where
                         << " needs instance, seq, type (an event type), at (RFC 3339), frame, "
                            "state and payload";
      return std::nullopt;
    }
    e.instance_id = *instance;
    e.seq = j["seq"].get<std::int64_t>();
    e.type = *t;
    e.at_us = engine::to_micros(*when);
    e.frame = *str("frame");
    e.state = *str("state");
    e.payload = j["payload"];
    out[e.instance_id].push_back(std::move(e));
  }
  for (auto& [id, events] : out) {
    std::sort(events.begin(), events.end(),
              [](const auto& a, const auto& b) { return a.seq < b.seq; });
    for (std::size_t i = 0; i < events.size(); ++i)
      if (events[i].seq != static_cast<std::int64_t>(i) + 1) {
        complain("replay") << file << ": the history of " << id
                           << " has a gap or a repeat at event " << events[i].seq
                           << " (a whole history replays, from event 1)";
        return std::nullopt;
      }
  }
  return out;
}

json result_json(const engine::runtime::ReplayResult& r) {
  json j = {{"instance", r.instance_id},
            {"events", r.events},
            {"transitions", r.transitions},
            {"diverges", r.divergence.has_value()}};
  if (r.divergence)
    j["divergence"] = {{"seq", r.divergence->seq},
                       {"recorded", r.divergence->recorded},
                       {"decided", r.divergence->decided},
                       {"reason", r.divergence->reason}};
  return j;
}

int run(const Options& o) {
  activities::BuiltinCatalog catalog;
  auto compiled = workflows::compile_file(o.definition, catalog);
  if (!compiled.workflow) {
    for (const auto& d : compiled.diagnostics) std::cerr << workflows::format(d) << '\n';
    complain("replay") << o.definition << ": invalid definition; nothing replayed";
    return 1;
  }
  const auto& wf = *compiled.workflow;
  std::map<std::string, std::vector<engine::history::Event>> histories;
  std::map<std::string, engine::model::Instance> now;  // as stored (from the database only)
  if (!o.histories.empty()) {
    for (const auto& f : o.histories) {
      auto h = read_histories(f);
      if (!h) return 1;
      for (auto& [id, events] : *h)
        if (!histories.emplace(id, std::move(events)).second) {
          complain("replay") << f << ": " << id << " is in two files";
          return 1;
        }
    }
  } else {
    auto eng = open_engine(o.common.db, 1, false);
    if (!eng) return report(eng.error());
    std::vector<std::string> ids = o.instances;
    if (ids.empty()) {
      engine::store::InstanceFilter f;
      f.workflow = wf.name();
      f.status = o.status;
      f.version = o.version;
      f.business_key = o.business_key;
      while (static_cast<int>(ids.size()) < o.limit) {
        f.limit = std::min(500, o.limit - static_cast<int>(ids.size()));
        auto page = (*eng)->store->instances.find(o.common.scope(), f);
        if (!page) return report(page.error());
        for (const auto& i : *page) ids.push_back(i.id);
        if (static_cast<int>(page->size()) < f.limit) break;
        f.after_us = page->back().created_us;
        f.after_id = page->back().id;
      }
    }
    for (const auto& id : ids) {
      auto inst = (*eng)->store->instances.get(o.common.scope(), id);
      if (!inst) return report(inst.error());
      auto h = (*eng)->store->instances.history(o.common.scope(), id);
      if (!h) return report(h.error());
      if (!*inst || h->empty()) {
        Complaint("replay", "NotFound", id) << "no instance " << id;
        return 1;
      }
      now.emplace(id, std::move(**inst));
      histories.emplace(id, std::move(*h));
    }
  }
  if (histories.empty()) {
    complain("replay") << "no history to replay (no instance of '" << wf.name()
                       << "' matches; pass --history FILE or other filters)";
    return 1;
  }
  workflows::JqEvaluator jq;
  int diverged = 0;
  json results = json::array();
  for (const auto& [id, events] : histories) {
    auto stored = now.find(id);
    auto r =
        engine::runtime::replay(events, wf, jq, stored == now.end() ? nullptr : &stored->second);
    if (r.divergence) ++diverged;
    if (o.common.format == "json") {
      results.push_back(result_json(r));
      continue;
    }
    if (!r.divergence) {
      std::cout << "ok        " << id << "  " << r.events << " events\n";
      continue;
    }
    const auto& d = *r.divergence;
    std::cout << "DIVERGES  " << id << "  at event " << d.seq << ": recorded " << d.recorded
              << "; the new definition decides " << (d.decided.empty() ? "-" : d.decided) << "\n"
              << "          " << d.reason << '\n';
  }
  if (o.common.format == "json")
    std::cout << json{{"definition", o.definition}, {"workflow", wf.name()},
                      {"version", wf.digest()},     {"replayed", histories.size()},
                      {"diverged", diverged},       {"results", results}}
                     .dump(2)
              << '\n';
  else
    std::cout << "replayed " << histories.size() << " histor"
              << (histories.size() == 1 ? "y" : "ies") << " against " << o.definition << " ("
              << wf.digest().substr(0, 16) << "): " << diverged << " diverge\n";
  return diverged ? 1 : 0;
}

}  // namespace replay_command

void add_replay_command(CLI::App& app, int& exit_code) {
  using namespace replay_command;
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "replay", "Re-decide recorded histories against a new definition; exit 1 on divergence");
  add_common_options(cmd, o->common);
  cmd->add_option("--definition", o->definition, "The new definition (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--history", o->histories,
                  "Histories from files (covenant history --format json), not the database")
      ->check(CLI::ExistingFile);
  cmd->add_option("--instance", o->instances, "Only this instance (repeatable)");
  cmd->add_option("--status", o->status, "Only instances in this status")
      ->check(CLI::IsMember({"running", "compensating", "completed", "failed", "cancelled"}));
  cmd->add_option("--version", o->version, "Only instances of this version (digest)");
  cmd->add_option("--business-key", o->business_key, "Only instances under this business key");
  cmd->add_option("--limit", o->limit, "At most this many instances")
      ->check(CLI::Range(1, 1000000));
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace covenant::app
