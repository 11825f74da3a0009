// /v1/instances/{id}/review: the review of extracted terms. An instance waits for a review
// when it waits for an event whose payload replaces an extract.terms result (contract-to-cash's
// review_terms: `output: .terms`). GET shows each term with its value, confidence, evidence
// and alternative, and why it is flagged; POST corrects terms (typed values, a reason each,
// the passage pointed to) and confirms the rest, recording each correction in the history
// (ValueCorrected) as the corrected terms go on as the event's payload.
#include "activities/extract/review.hpp"
#include "app/http/api.hpp"
#include "engine/time_format.hpp"
#include "workflows/loader.hpp"
#include "workflows/read_paths.hpp"

#include <map>
#include <optional>

namespace covenant::app::http {

namespace {

using nlohmann::json;

const workflows::WaitState* find_wait(const workflows::Scope& scope, const std::string& name,
                                      const std::string& event) {
  for (const auto& st : scope.states) {
    if (const auto* w = std::get_if<workflows::WaitState>(&st.body))
      if (st.name == name && w->event == event) return w;
    if (const auto* p = std::get_if<workflows::ParallelState>(&st.body))
      for (const auto& b : p->branches)
        if (const auto* w = find_wait(b.scope, name, event)) return w;
    if (const auto* m = std::get_if<workflows::MapState>(&st.body))
      if (const auto* w = find_wait(m->iterator, name, event)) return w;
  }
  return nullptr;
}

// The value at a plain path (a wait's output, ".terms"), null when absent.
json at_path(const json& data, const std::string& path) {
  auto p = workflows::plain_path(path);
  return p ? workflows::value_at(data, *p) : json();
}

bool is_terms(const json& v) {
  return v.is_object() && v.contains("fields") && v["fields"].is_object() &&
         v.contains("document") && v["document"].is_string();
}

struct Pending {
  engine::model::Instance instance;
  std::string state, event;
  int occurrence = 0;  // of the waiting state: what a review was made of
  json terms;
  json change_request;  // an approver's request for changes, when one sent it here
};

// Definitions by digest, loaded once per request.
class Definitions {
 public:
  Definitions(engine::store::Store& store, std::string ns) : store_(store), ns_(std::move(ns)) {}
  // nullptr when the stored version cannot be read or no longer loads.
  const workflows::Definition* get(const std::string& digest) {
    auto it = loaded_.find(digest);
    if (it == loaded_.end()) {
      std::optional<workflows::Definition> def;
      if (auto rec = store_.definitions.get(ns_, digest))
        if (auto l = workflows::load(rec->source, rec->name); l.definition)
          def = std::move(*l.definition);
      it = loaded_.emplace(digest, std::move(def)).first;
    }
    return it->second ? &*it->second : nullptr;
  }

 private:
  engine::store::Store& store_;
  std::string ns_;
  std::map<std::string, std::optional<workflows::Definition>> loaded_;
};

// The review `inst` waits for: a frame waiting for an event whose payload replaces an
// extract.terms result.
std::optional<Pending> review_of(const engine::model::Instance& inst, Definitions& defs) {
  const workflows::Definition* def = nullptr;
  for (const auto& [id, f] : inst.frames) {
    if (f.status != engine::model::frame_status::kWaiting || f.event.empty()) continue;
    if (!def && !(def = defs.get(inst.digest))) return std::nullopt;
    const auto* w = find_wait(def->root, f.state, f.event);
    if (!w || !w->output) continue;
    json terms = at_path(f.context, w->output->source);
    if (!is_terms(terms)) continue;
    auto visits = f.visits.find(f.state);
    return Pending{inst,
                   f.state,
                   f.event,
                   visits == f.visits.end() ? 0 : visits->second,
                   std::move(terms),
                   at_path(f.context, ".change_request")};
  }
  return std::nullopt;
}

// The review the instance of the call waits for, or a problem written.
std::optional<Pending> pending_review(Call& c, Services& s) {
  auto inst = s.store.instances.get(scope(c), c.params[0]);
  if (!inst) return problem(c, inst.error()), std::nullopt;
  if (!*inst) return problem(c, "NotFound", "no instance " + c.params[0]), std::nullopt;
  Definitions defs(s.store, c.ns);
  if (auto p = review_of(**inst, defs)) return p;
  problem(c, "FailedPrecondition",
          "instance " + c.params[0] + " is not waiting for a review of extracted terms");
  return std::nullopt;
}

// Which review this is: the waiting state and its occurrence. A POST names the revision it
// was made of, so corrections never land on a later review of other data.
std::string revision(const Pending& p) { return p.state + "#" + std::to_string(p.occurrence); }

json review_json(const Pending& p) {
  json flagged = json::object();
  for (const auto& r : p.terms.value("review", json::array()))
    if (r.is_object()) flagged[r.value("field", "")] = r.value("reason", "");
  json items = json::array();
  for (const auto& name : activities::extract::reviewable_fields()) {
    const json* f = p.terms["fields"].contains(name) ? &p.terms["fields"][name] : nullptr;
    json item = {{"field", name},
                 {"input", activities::extract::input_kind(name)},
                 {"value", f ? f->value("value", json()) : json()},
                 {"confidence", f ? f->value("confidence", json()) : json()},
                 {"evidence", f ? f->value("evidence", json()) : json()},
                 {"source", f ? f->value("source", json()) : json()},
                 {"alternative", f ? f->value("alternative", json()) : json()},
                 {"flagged", flagged.contains(name) ? flagged[name] : json()}};
    items.push_back(std::move(item));
  }
  return {{"instance_id", p.instance.id},
          {"business_key", p.instance.business_key},
          {"workflow", p.instance.workflow},
          {"state", p.state},
          {"event", p.event},
          {"revision", revision(p)},
          {"document", p.terms["document"]},
          {"min_confidence", p.terms.value("min_confidence", json())},
          {"change_request", p.change_request},
          {"items", items}};
}

}  // namespace

void add_review_routes(Api& api) {
  Services& s = api.services();
  // Instances waiting for a review, oldest first: the reviewer's list. Scans running
  // instances (at most kScan) for reviews; `limit` (default 50, at most 200) bounds the list.
  api.route("GET", "/v1/reviews", {"revops", "auditor"}, [&s](Call& c) {
    constexpr int kScan = 10000;
    auto limit = limit_param(c, 50, 200);
    if (!limit) return;
    Definitions defs(s.store, c.ns);
    engine::store::InstanceFilter f;
    f.status = "running";
    f.limit = 500;
    json items = json::array();
    int scanned = 0;
    bool more = true;
    while (more && scanned < kScan && static_cast<int>(items.size()) < *limit) {
      auto page = s.store.instances.find(scope(c), f);
      if (!page) return problem(c, page.error());
      more = static_cast<int>(page->size()) == f.limit;
      for (std::size_t i = 0; i < page->size(); ++i) {
        const auto& inst = (*page)[i];
        ++scanned;
        f.after_us = inst.created_us;
        f.after_id = inst.id;
        auto p = review_of(inst, defs);
        if (!p) continue;
        int flagged = static_cast<int>(p->terms.value("review", json::array()).size());
        items.push_back({{"instance_id", inst.id},
                         {"business_key", inst.business_key},
                         {"workflow", inst.workflow},
                         {"state", p->state},
                         {"flagged", flagged},
                         {"change_request", p->change_request}});
        if (static_cast<int>(items.size()) == *limit) {
          more = more || i + 1 < page->size();
          break;
        }
      }
    }
    // truncated: running instances were left unscanned (the list is full, or kScan reached).
    reply(c, 200, {{"items", items}, {"truncated", more}});
  });
  api.route("GET", "/v1/instances/{id}/review", {"revops", "auditor"}, [&s](Call& c) {
    auto p = pending_review(c, s);
    if (!p) return;
    reply(c, 200, review_json(*p));
  });
  api.route("POST", "/v1/instances/{id}/review", {"revops"}, [&s](Call& c) {
    auto body = json_body(c);
    if (!body) return;
    if (!body->is_object() || !body->contains("corrections") ||
        !(*body)["corrections"].is_array() || !body->contains("revision") ||
        !(*body)["revision"].is_string())
      return problem(c, "InvalidArgument",
                     "the body needs 'corrections' (a list; empty to confirm every term as read) "
                     "and 'revision' (the review's, as GET gave it)");
    std::vector<activities::extract::Correction> corrections;
    for (const auto& item : (*body)["corrections"]) {
      if (!item.is_object() || !item.contains("field") || !item["field"].is_string() ||
          !item.contains("value") || !item.contains("reason") || !item["reason"].is_string() ||
          (item.contains("evidence") && !item["evidence"].is_string()))
        return problem(c, "InvalidArgument",
                       "each correction is {field, value, reason, evidence (optional)}, with "
                       "strings for field, reason and evidence");
      corrections.push_back(
          {item["field"], item["value"], item["reason"], item.value("evidence", std::string())});
    }
    auto p = pending_review(c, s);
    if (!p) return;
    if ((*body)["revision"] != revision(*p))
      return problem(c, "FailedPrecondition",
                     "this review is " + revision(*p) + ", not " +
                         (*body)["revision"].get<std::string>() +
                         ": the terms changed since they were read; load the review again");
    auto doc = s.store.documents.get(c.ns, p->terms["document"].get<std::string>());
    if (!doc) return problem(c, doc.error());
    std::string text = *doc ? (*doc)->text : std::string();
    auto at = engine::format_rfc3339(s.clock.now());
    auto reviewed =
        activities::extract::apply_review(p->terms, corrections, text, c.principal.name, at);
    if (!reviewed) return problem(c, "InvalidArgument", reviewed.error().message);
    // Fenced on the occurrence read: a review that moved on in between refuses it.
    auto sent = s.runtime.signal(scope(c), p->instance.id,
                                 {p->event, reviewed->terms, c.principal.name,
                                  reviewed->corrections, p->state, p->occurrence});
    if (!sent) return problem(c, sent.error());
    reply(c, 200,
          {{"instance_id", p->instance.id},
           {"event", p->event},
           {"corrected", reviewed->corrections},
           {"confirmed", reviewed->terms["reviewed"]["confirmed"]}});
  });
}

}  // namespace covenant::app::http
