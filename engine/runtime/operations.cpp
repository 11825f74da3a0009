#include "engine/runtime/operations.hpp"

#include "engine/runtime/decide.hpp"
#include "engine/time_format.hpp"
#include "workflows/duration.hpp"
#include "workflows/jq_program.hpp"

#include <algorithm>
#include <cctype>

namespace covenant::engine::runtime {

using nlohmann::json;

namespace {

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

// The instances named, or those the filter finds (keyset pages of up to 500, at most `limit`).
Result<std::vector<model::Instance>> collect(store::Store& store, const store::Scope& scope,
                                             const std::vector<std::string>& ids,
                                             store::InstanceFilter f, int limit) {
  std::vector<model::Instance> found;
  if (!ids.empty()) {
    for (const auto& id : ids) {
      auto i = store.instances.get(scope, id);
      if (!i) return tl::unexpected(i.error());
      if (!*i) return fail(ErrorCode::NotFound, "no instance " + id, id);
      found.push_back(std::move(**i));
    }
    return found;
  }
  while (static_cast<int>(found.size()) < limit) {
    f.limit = std::min(500, limit - static_cast<int>(found.size()));
    auto page = store.instances.find(scope, f);
    if (!page) return tl::unexpected(page.error());
    for (auto& i : *page) found.push_back(std::move(i));
    if (static_cast<int>(page->size()) < f.limit) break;
    f.after_us = found.back().created_us;
    f.after_id = found.back().id;
  }
  return found;
}

}  // namespace

Result<store::DefinitionRecord> resolve_version(store::Store& store, const std::string& ns,
                                                const std::string& workflow,
                                                const std::string& which) {
  auto all = store.definitions.all(ns);
  if (!all) return tl::unexpected(all.error());
  bool number = !which.empty() && std::all_of(which.begin(), which.end(),
                                              [](unsigned char ch) { return std::isdigit(ch); });
  std::vector<store::DefinitionRecord> found;
  for (const auto& d : *all) {
    if (d.name != workflow) continue;
    if (number ? std::to_string(d.version) == which
               : which.size() >= 12 && d.digest.rfind(which, 0) == 0)
      found.push_back(d);
  }
  if (found.size() != 1)
    return fail(ErrorCode::NotFound,
                found.empty() ? "no version '" + which + "' of '" + workflow +
                                    "' is deployed (a version number, or 12 or more digits of "
                                    "a digest)"
                              : "'" + which + "' names more than one version",
                which);
  return found.front();
}

Result<MigrationReport> migrate_instances(Runtime& rt, const MigrationRequest& req) {
  if (blank(req.reason))
    return fail(ErrorCode::InvalidArgument,
                "a migration needs a reason (it is recorded in each instance's history)", "reason");
  if (auto ok = store::check_namespace(req.ns); !ok) return tl::unexpected(ok.error());
  store::Store& store = rt.store();
  MigrationReport out;
  auto from = resolve_version(store, req.ns, req.map.workflow, req.map.from);
  if (!from) return tl::unexpected(from.error());
  auto to = resolve_version(store, req.ns, req.map.workflow, req.map.to);
  if (!to) return tl::unexpected(to.error());
  out.from = *from;
  out.to = *to;
  if (from->digest == to->digest)
    return fail(ErrorCode::InvalidArgument, "from and to are the same version", "to");
  auto a = rt.workflow(req.ns, from->digest);
  if (!a) return tl::unexpected(a.error());
  auto b = rt.workflow(req.ns, to->digest);
  if (!b) return tl::unexpected(b.error());
  auto check = workflows::check_migration(**a, **b, req.map);
  if (!check.errors.empty()) {
    out.errors = check.errors;
    return out;
  }
  model::MigrateInput input;
  input.from = from->digest;
  input.states = req.map.states;
  input.set = req.map.set;
  input.expects = check.expects;
  input.reopen = check.reopen;
  input.changed_financial = check.changed_financial;
  input.reason = req.reason;
  input.by = req.by;
  store::InstanceFilter f;
  f.workflow = req.map.workflow;
  f.version = from->digest;
  f.status = "running";
  auto candidates = collect(store, store::Scope::of(req.ns), req.instances, f, req.limit);
  if (!candidates) return tl::unexpected(candidates.error());
  workflows::JqEvaluator jq;
  for (const auto& inst : *candidates) {
    MigrationReport::Item item;
    item.instance = inst.id;
    if (req.dry_run) {
      model::Instance copy = inst;
      auto d = decide(copy, input, rt.clock().now(), **b, jq);
      if (!d) {
        item.refused = d.error().message;
      } else {
        for (const auto& ev : d->events)
          if (ev.type == history::EventType::InstanceMigrated) {
            item.states = ev.payload.value("states", json::array());
            item.reopened = ev.payload.value("reopened", json::array());
          }
      }
    } else if (auto m = rt.migrate(store::Scope::of(req.ns), inst.id, input, *b); !m) {
      item.refused = m.error().message;
    }
    item.refused.empty() ? ++out.moved : ++out.refused;
    out.items.push_back(std::move(item));
  }
  return out;
}

json MigrationReport::to_json(bool dry_run) const {
  json results = json::array();
  for (const auto& i : items) {
    json r = {{"instance", i.instance}, {"moves", i.refused.empty()}};
    if (!i.refused.empty()) r["reason"] = i.refused;
    if (!i.states.empty()) r["states"] = i.states;
    if (!i.reopened.empty()) r["reopened"] = i.reopened;
    results.push_back(std::move(r));
  }
  json out = {{"workflow", from.name},
              {"from", {{"version", from.version}, {"digest", from.digest}}},
              {"to", {{"version", to.version}, {"digest", to.digest}}},
              {"dry_run", dry_run},
              {"moved", dry_run ? 0 : moved},
              {"would_move", dry_run ? moved : 0},
              {"cannot_move", refused},
              {"results", results}};
  if (!errors.empty()) out["errors"] = errors;
  return out;
}

Result<BulkReport> bulk_action(Runtime& rt, const BulkRequest& req) {
  if (auto ok = store::check_namespace(req.ns); !ok) return tl::unexpected(ok.error());
  if (req.action != "cancel" && req.action != "retry" && req.action != "signal")
    return fail(ErrorCode::InvalidArgument,
                "the action is cancel, retry or signal, not '" + req.action + "'", "action");
  if (blank(req.reason))
    return fail(ErrorCode::InvalidArgument,
                "a bulk action must say why (it is recorded in every history)", "reason");
  if (req.action == "signal" && req.event.empty())
    return fail(ErrorCode::InvalidArgument, "a bulk signal needs the event to send", "event");
  if (req.limit < 1 || req.limit > 100000)
    return fail(ErrorCode::InvalidArgument, "the limit is from 1 to 100000", "limit");
  store::InstanceFilter f = req.filter;
  if (!req.idle_for.empty()) {
    auto d = workflows::parse_duration(req.idle_for);
    if (!d.seconds) return fail(ErrorCode::InvalidArgument, "idle_for: " + d.error, "idle_for");
    f.updated_before_us = to_micros(rt.clock().now()) - *d.seconds * 1'000'000;
  }
  bool query = !f.workflow.empty() || !f.business_key.empty() || !f.version.empty() ||
               f.open_gate || f.updated_before_us != 0 || !f.status.empty() ||
               f.created_from_us != 0 || f.created_to_us != 0;
  if (!query && req.instances.empty())
    return fail(ErrorCode::InvalidArgument,
                "a bulk action needs a query (workflow, status, business key, version, open "
                "gate, idle for) or instances named: it does not act on every instance",
                "query");
  // What each action applies to, unless a status is asked for.
  if (f.status.empty()) f.status = req.action == "retry" ? "failed" : "running";
  auto found = collect(rt.store(), store::Scope::of(req.ns), req.instances, f, req.limit);
  if (!found) return tl::unexpected(found.error());
  BulkReport out;
  for (auto& inst : *found) {
    std::string why;
    if (!req.dry_run) {
      Result<void> r;
      if (req.action == "cancel") {
        r = rt.cancel(store::Scope::of(req.ns), inst.id, req.reason, req.by);
      } else if (req.action == "signal") {
        r = rt.signal(store::Scope::of(req.ns), inst.id, req.event, req.data, req.by);
      } else {
        std::string state = req.state;
        if (state.empty()) {  // where it failed: the last failed activity's state
          auto h = rt.store().instances.history(store::Scope::of(req.ns), inst.id);
          if (!h) return tl::unexpected(h.error());
          for (const auto& ev : *h)
            if (ev.type == history::EventType::ActivityFailed && !ev.state.empty())
              state = ev.state;
        }
        r = rt.retry_step(store::Scope::of(req.ns), inst.id, {state, nullptr, req.reason, req.by});
      }
      if (!r) why = r.error().message;
    }
    why.empty() ? ++out.done : ++out.refused;
    out.items.push_back({std::move(inst), std::move(why)});
  }
  return out;
}

json BulkReport::to_json(const BulkRequest& req) const {
  json results = json::array();
  for (const auto& i : items) {
    json item = {{"instance", i.instance.id},
                 {"workflow", i.instance.workflow},
                 {"status", i.instance.status},
                 {"business_key", i.instance.business_key},
                 {"done", i.refused.empty() && !req.dry_run}};
    if (!i.refused.empty()) item["reason"] = i.refused;
    results.push_back(std::move(item));
  }
  return {{"action", req.action},           {"dry_run", req.dry_run}, {"found", items.size()},
          {"done", req.dry_run ? 0 : done}, {"refused", refused},     {"results", results}};
}

}  // namespace covenant::engine::runtime
