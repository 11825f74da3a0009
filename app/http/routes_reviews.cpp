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

const json* at_path(const json& data, const std::string& path) {
  auto paths = workflows::read_paths(path);
  if (paths.size() != 1) return nullptr;
  const json* v = &data;
  for (const auto& seg : paths[0].segments) {
    if (!seg.empty() && seg.front() == '[') {
      auto i = std::stoul(seg.substr(1, seg.size() - 2));
      if (!v->is_array() || i >= v->size()) return nullptr;
      v = &(*v)[i];
    } else {
      if (!v->is_object() || !v->contains(seg)) return nullptr;
      v = &(*v)[seg];
    }
  }
  return v;
}

bool is_terms(const json* v) {
  return v && v->is_object() && v->contains("fields") && (*v)["fields"].is_object() &&
         v->contains("document") && (*v)["document"].is_string();
}

struct Pending {
  engine::runtime::Instance instance;
  std::string state, event;
  json terms;
  json change_request;  // an approver's request for changes, when one sent it here
};

// The review the instance waits for, or a problem written.
std::optional<Pending> pending_review(Call& c, Services& s) {
  auto inst = s.store.instance(c.params[0]);
  if (!inst) return problem(c, inst.error()), std::nullopt;
  if (!*inst) return problem(c, 404, "NotFound", "no instance " + c.params[0]), std::nullopt;
  auto def = s.store.definition((*inst)->digest);
  if (!def) return problem(c, def.error()), std::nullopt;
  auto loaded = workflows::load(def->source, def->name);
  if (!loaded.definition)
    return problem(c, 500, "Internal", "the stored definition no longer loads"), std::nullopt;
  for (const auto& [id, f] : (*inst)->frames) {
    if (f.status != engine::runtime::frame_status::kWaiting || f.event.empty()) continue;
    const auto* w = find_wait(loaded.definition->root, f.state, f.event);
    if (!w || !w->output) continue;
    const json* terms = at_path(f.context, w->output->source);
    if (!is_terms(terms)) continue;
    const json* asked = at_path(f.context, ".change_request");
    return Pending{**inst, f.state, f.event, *terms, asked ? *asked : json()};
  }
  problem(c, 409, "FailedPrecondition",
          "instance " + c.params[0] + " is not waiting for a review of extracted terms");
  return std::nullopt;
}

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
          {"document", p.terms["document"]},
          {"min_confidence", p.terms.value("min_confidence", json())},
          {"change_request", p.change_request},
          {"items", items}};
}

}  // namespace

void add_review_routes(Api& api) {
  Services& s = api.services();
  api.route("GET", "/v1/instances/{id}/review", {"revops", "auditor"}, [&s](Call& c) {
    auto p = pending_review(c, s);
    if (!p) return;
    reply(c, 200, review_json(*p));
  });
  api.route("POST", "/v1/instances/{id}/review", {"revops"}, [&s](Call& c) {
    auto body = json_body(c);
    if (!body) return;
    if (!body->is_object() || !body->contains("corrections") || !(*body)["corrections"].is_array())
      return problem(c, 422, "InvalidArgument",
                     "the body needs 'corrections': a list (empty to confirm every term as read)");
    std::vector<activities::extract::Correction> corrections;
    for (const auto& item : (*body)["corrections"]) {
      if (!item.is_object() || !item.contains("field") || !item["field"].is_string() ||
          !item.contains("value") || !item.contains("reason") || !item["reason"].is_string() ||
          (item.contains("evidence") && !item["evidence"].is_string()))
        return problem(c, 422, "InvalidArgument",
                       "each correction is {field, value, reason, evidence (optional)}, with "
                       "strings for field, reason and evidence");
      corrections.push_back(
          {item["field"], item["value"], item["reason"], item.value("evidence", std::string())});
    }
    auto p = pending_review(c, s);
    if (!p) return;
    auto doc = s.store.document(p->terms["document"].get<std::string>());
    if (!doc) return problem(c, doc.error());
    std::string text = *doc ? (*doc)->text : std::string();
    auto at = engine::format_rfc3339(s.clock.now());
    auto reviewed =
        activities::extract::apply_review(p->terms, corrections, text, c.principal.name, at);
    if (!reviewed) return problem(c, 422, "InvalidArgument", reviewed.error().message);
    auto sent = s.runtime.signal(p->instance.id, p->event, reviewed->terms, c.principal.name,
                                 reviewed->corrections);
    if (!sent) return problem(c, sent.error());
    reply(c, 200,
          {{"instance_id", p->instance.id},
           {"event", p->event},
           {"corrected", reviewed->corrections},
           {"confirmed", reviewed->terms["reviewed"]["confirmed"]}});
  });
}

}  // namespace covenant::app::http
