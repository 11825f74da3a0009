// Approval gates: the request (subject and its digest, eligible roles), decisions checked
// for eligibility, separation of duties, digest and quorum, and expiry or escalation.
#include "engine/runtime/decider.hpp"
#include "engine/time_format.hpp"
#include "workflows/read_paths.hpp"
#include "workflows/sha256.hpp"
#include "workflows/subject.hpp"
#include "workflows/summary.hpp"

#include <set>

namespace covenant::engine::runtime {

using history::EventType;
using nlohmann::json;
namespace wf = workflows;

Result<json> Decider::subject_of(const wf::ApprovalState& a, const Frame& f) {
  if (a.subject) return eval(*a.subject, f);
  json subject = json::object();
  for (const auto& field : a.subject_fields) {
    auto v = eval(field.from, f);
    if (!v) return v;
    subject[field.name] = std::move(*v);
  }
  return subject;
}

void Decider::enter_approval(Frame& f, const wf::State& st, const wf::ApprovalState& a) {
  auto subject = subject_of(a, f);
  if (!subject) return fail_frame(f, "ExpressionError", subject.error().message);
  bool declared = !a.subject;
  if (declared) {
    // A subject that does not conform to its declaration never reaches an approver.
    auto problems = wf::check_subject(a.subject_fields, *subject);
    if (!problems.empty()) {
      json list = json::array();
      std::string text;
      for (const auto& p : problems) {
        list.push_back({{"field", p.field}, {"problem", p.problem}});
        text += (text.empty() ? "" : "; ") + p.field + ": " + p.problem;
      }
      emit(EventType::SubjectRejected, f, st.name,
           {{"subject", *subject},
            {"problems", list},
            {"on_invalid", a.on_invalid ? json(a.on_invalid->name) : json()}});
      if (a.on_invalid) return enter(f, a.on_invalid->name);
      return fail_frame(f, "SubjectInvalid",
                        "the subject at '" + st.name + "' does not conform: " + text);
    }
  }
  // Rules read the subject (the data approvers see) and fail closed: a `when` holds only
  // when it gives exactly true and every value it reads is present (jq orders null below
  // every number, so `null <= 500000` is true). A definition from before declared subjects
  // has its rules read the instance's data instead.
  Frame view = f;
  if (declared) view.context = *subject;
  std::vector<GateRule> rules;
  json not_applied = json::array(), policy = nullptr;
  for (const auto& r : a.approvers) {
    json inputs = json::object();
    if (r.when) {
      auto v = eval(*r.when, view);
      if (!v) return fail_frame(f, "ExpressionError", v.error().message);
      json missing = json::array();
      for (const auto& p : wf::read_paths(r.when->source)) {
        auto value = wf::value_at(view.context, p);
        if (value.is_null()) missing.push_back(p.text());
        inputs[p.text()] = std::move(value);
      }
      if (!missing.empty() || *v != json(true)) {
        json why = {{"when", r.when->source}};
        why[r.policy.empty() ? "role" : "policy"] = r.policy.empty() ? r.role : r.policy;
        if (!missing.empty())
          why["missing"] = missing;
        else
          why["value"] = *v;
        not_applied.push_back(std::move(why));
        continue;
      }
    }
    if (!r.policy.empty()) {
      if (policy.is_null())
        policy = {{"policy", r.policy}, {"condition", r.when->source}, {"inputs", inputs}};
      continue;
    }
    rules.push_back({r.role, r.count});
  }
  bool escalated = false;
  if (rules.empty() && policy.is_null()) {
    // No rule applies: the gate never opens to anyone; it goes up, or the instance stops.
    if (!a.on_timeout || !a.on_timeout->escalate_to_role)
      return fail_frame(f, "NoApproverApplies",
                        "no approver rule at '" + st.name +
                            "' holds on this data: " + not_applied.dump() +
                            " (declare an escalation role with on_timeout.escalate_to)");
    rules.push_back({*a.on_timeout->escalate_to_role, 1});
    escalated = true;
  }
  std::string digest = wf::sha256_hex(subject->dump());
  // The approval's id names this opening of the gate: a later visit to the same state (after
  // a blocked writeback, in a loop) is a new approval, and old tokens and decisions miss it.
  std::string id = "apr_" + wf::sha256_hex(inst_.id + "/" + f.id + "/" + st.name + "#" +
                                           std::to_string(occurrence(f)))
                                .substr(0, 24);
  std::int64_t deadline_us = a.timeout ? now_us_ + a.timeout->seconds * 1'000'000 : 0;
  f.status = frame_status::kApproval;
  Gate gate;
  gate.id = id;
  gate.digest = digest;
  gate.rules = rules;
  gate.quorum = a.quorum;
  gate.deadline_us = deadline_us;
  gate.escalated = escalated;
  // Where a request for changes goes (a gate without on_changes_requested takes none).
  if (a.on_changes_requested) gate.changes_to = a.on_changes_requested->next.name;
  json approvers = json::array();
  for (const auto& r : rules) approvers.push_back({{"role", r.role}, {"count", r.count}});
  f.gate = std::move(gate);
  json requested = {{"approval_id", id},
                    {"subject", *subject},
                    {"digest", digest},
                    {"approvers", std::move(approvers)},
                    {"quorum", a.quorum},
                    {"authorizes", a.authorizes},
                    {"separation_of_duties", a.separation_of_duties}};
  // What approvers read first, computed from the subject alone (so the digest covers it).
  if (a.summary)
    requested["summary"] = wf::summarize(*a.summary, a.authorizes, [&](const std::string& program) {
      return jq_.evaluate(program, *subject, {});
    });
  if (!not_applied.empty()) requested["rules_not_applied"] = not_applied;
  if (deadline_us) requested["deadline"] = format_rfc3339(from_micros(deadline_us));
  if (a.on_changes_requested) requested["changes_to"] = a.on_changes_requested->next.name;
  emit(EventType::ApprovalRequested, f, st.name, std::move(requested));
  if (!policy.is_null()) {
    // Granted by policy: recorded as a decision with the condition, the values it read and
    // the digest, then granted as any other opening is.
    json decision = {{"approval_id", id},
                     {"approver", "policy:" + policy["policy"].get<std::string>()},
                     {"role", "policy"},
                     {"approve", true},
                     {"comment", "granted by policy"},
                     {"digest", digest}};
    decision.update(policy);
    emit(EventType::ApprovalDecided, f, st.name, decision);
    return grant(f, a, {decision["approver"].get<std::string>()},
                 {{"by_policy", policy["policy"]}});
  }
  if (escalated)
    emit(EventType::ApprovalEscalated, f, st.name,
         {{"approval_id", id},
          {"role", *a.on_timeout->escalate_to_role},
          {"reason", "no approver rule applies"},
          {"rules_not_applied", not_applied}});
  if (a.timeout) add_timer(f, "approval_timeout", deadline_us);
  if (a.remind_before)
    add_timer(f, "approval_reminder", deadline_us - a.remind_before->seconds * 1'000'000);
}

bool Decider::involved(const std::string& who) const {
  return who == inst_.started_by ||
         std::find(inst_.changed_by.begin(), inst_.changed_by.end(), who) != inst_.changed_by.end();
}

Result<void> Decider::on_approval(const ApprovalInput& in) {
  Frame* gate = nullptr;
  for (auto& [id, f] : inst_.frames)
    if (f.status == frame_status::kApproval && f.state == in.state) gate = &f;
  if (!gate)
    return fail(ErrorCode::FailedPrecondition,
                "instance " + inst_.id + " is not waiting for approval at '" + in.state + "'");
  Frame& f = *gate;
  if (!f.gate)
    return fail(ErrorCode::Internal, "the frame at '" + in.state + "' has no gate", inst_.id);
  Gate& g = *f.gate;
  if (!in.approval_id.empty() && g.id != in.approval_id)
    return fail(ErrorCode::FailedPrecondition, "approval " + in.approval_id +
                                                   " is closed; the gate at '" + in.state +
                                                   "' was opened again as " + g.id);
  const auto& a = std::get<wf::ApprovalState>(find(f.state)->body);
  for (const auto* who : {&in.approver, &in.on_behalf_of})
    if (a.separation_of_duties && !who->empty() && involved(*who))
      return fail(ErrorCode::PermissionDenied,
                  *who +
                      " started or changed this instance and cannot approve it "
                      "(separation of duties)");
  std::string role;
  for (const auto& r : g.rules)
    if (std::find(in.roles.begin(), in.roles.end(), r.role) != in.roles.end()) role = r.role;
  const std::string& authority = in.on_behalf_of.empty() ? in.approver : in.on_behalf_of;
  if (role.empty())
    return fail(ErrorCode::PermissionDenied,
                authority + " holds no role eligible at '" + in.state + "'");
  // Distinct people: nobody decides twice, in person or through a delegate.
  for (const auto& d : g.decisions)
    for (const auto* who : {&in.approver, &in.on_behalf_of})
      if (!who->empty() && (d.approver == *who || d.on_behalf_of == *who))
        return fail(ErrorCode::Conflict,
                    *who + " has already decided at '" + in.state + "' (quorum counts people)");
  if (in.digest != g.digest)
    return fail(ErrorCode::FailedPrecondition,
                "the subject changed since the approver saw it (digest mismatch)");
  if (in.request_changes && !a.on_changes_requested)
    return fail(ErrorCode::FailedPrecondition,
                "the gate at '" + in.state +
                    "' takes no request for changes (its definition names no "
                    "on_changes_requested): approve or reject it");
  GateDecision decision{in.approver,        role,       in.approve && !in.request_changes,
                        in.request_changes, in.comment, in.digest,
                        in.on_behalf_of};
  g.decisions.push_back(decision);
  emit(EventType::ApprovalDecided, f, f.state, model::decision_json(g.id, decision));
  if (in.request_changes) {
    // The data goes back to whoever prepares it, with the approver's comment; the gate
    // closes, and opens as a new approval when the flow reaches it next (under a new digest
    // when the data changed).
    const auto& route = *a.on_changes_requested;
    json request = {{"approval_id", g.id},
                    {"by", in.approver},
                    {"comment", in.comment},
                    {"at", format_rfc3339(from_micros(now_us_))},
                    {"next", route.next.name}};
    if (!in.on_behalf_of.empty()) request["on_behalf_of"] = in.on_behalf_of;
    emit(EventType::ApprovalChangesRequested, f, f.state, request);
    drop_frame_work(f);
    f.timer_keys.clear();
    f.gate.reset();
    if (route.output) set_path(f.context, route.output->source, std::move(request));
    enter(f, route.next.name);
    return {};
  }
  if (!in.approve) {
    emit(EventType::ApprovalRejected, f, f.state,
         {{"approval_id", g.id}, {"by", in.approver}, {"comment", in.comment}});
    drop_frame_work(f);
    f.timer_keys.clear();
    if (a.on_reject)
      enter(f, a.on_reject->name);
    else
      fail_frame(f, "ApprovalRejected", in.approver + " rejected: " + in.comment);
    return {};
  }
  // Quorum: distinct approvers, each counted under one role, at most `count` per role.
  std::map<std::string, int> per_role, allowed;
  for (const auto& r : g.rules) allowed[r.role] += r.count;
  int approvals = 0;
  for (const auto& d : g.decisions) {
    if (!d.approve) continue;
    if (per_role[d.role] < allowed[d.role]) ++per_role[d.role], ++approvals;
  }
  if (approvals < g.quorum) return {};
  std::vector<std::string> approvers;
  for (const auto& d : g.decisions) approvers.push_back(d.approver);
  drop_frame_work(f);
  f.timer_keys.clear();
  grant(f, a, std::move(approvers), json::object());
  return {};
}

void Decider::grant(Frame& f, const wf::ApprovalState& a, std::vector<std::string> approvers,
                    json extra) {
  const Gate& g = *f.gate;
  json granted = {{"approval_id", g.id},
                  {"digest", g.digest},
                  {"approvers", approvers},
                  {"authorizes", a.authorizes}};
  granted.update(extra);
  emit(EventType::ApprovalGranted, f, f.state, std::move(granted));
  Grant given;
  given.state = f.state;
  given.digest = g.digest;
  given.approvers = std::move(approvers);
  for (const auto& act : a.authorizes) f.granted[act] = given;
  f.gate.reset();
  follow(f, a.then);
}

void Decider::on_approval_timeout(Frame& f, const wf::ApprovalState& a) {
  std::erase(f.timer_keys, key(f, "/approval_timeout"));
  std::erase(f.timer_keys, key(f, "/approval_escalation"));
  Gate& g = *f.gate;
  if (a.on_timeout && a.on_timeout->escalate_to_role && !g.escalated) {
    g.rules.push_back({*a.on_timeout->escalate_to_role, 1});
    g.escalated = true;
    auto d = a.on_timeout->escalation_timeout ? a.on_timeout->escalation_timeout : a.timeout;
    std::int64_t deadline_us = now_us_ + d->seconds * 1'000'000;
    g.deadline_us = deadline_us;
    emit(EventType::ApprovalEscalated, f, f.state,
         {{"approval_id", g.id},
          {"role", *a.on_timeout->escalate_to_role},
          {"deadline", format_rfc3339(from_micros(deadline_us))}});
    add_timer(f, "approval_escalation", deadline_us);
    return;
  }
  emit(EventType::ApprovalExpired, f, f.state, {{"approval_id", g.id}, {"digest", g.digest}});
  drop_frame_work(f);
  f.timer_keys.clear();
  f.gate.reset();
  if (a.on_timeout && a.on_timeout->next) return enter(f, a.on_timeout->next->name);
  fail_frame(f, "ApprovalExpired", "no decision at '" + f.state + "' in time");
}

void Decider::on_approval_reminder(Frame& f) {
  const Gate& g = *f.gate;
  json decided = json::array();
  for (const auto& d : g.decisions) decided.push_back(d.approver);
  emit(EventType::ApprovalReminded, f, f.state,
       {{"approval_id", g.id},
        {"deadline", format_rfc3339(from_micros(g.deadline_us))},
        {"decided", decided}});
}

}  // namespace covenant::engine::runtime
