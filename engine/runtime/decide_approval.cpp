// Approval gates: the request (subject and its digest, eligible roles), decisions checked
// for eligibility, separation of duties, digest and quorum, and expiry or escalation.
#include "engine/runtime/decider.hpp"
#include "workflows/sha256.hpp"

#include <set>

namespace covenant::engine::runtime {

using history::EventType;
using nlohmann::json;
namespace wf = workflows;

void Decider::enter_approval(Frame& f, const wf::State& st, const wf::ApprovalState& a) {
  auto subject = eval(*a.subject, f);
  if (!subject) return fail_frame(f, "ExpressionError", subject.error().message);
  json rules = json::array();
  for (const auto& r : a.approvers) {
    bool eligible = true;
    if (r.when) {
      auto v = eval(*r.when, f);
      if (!v) return fail_frame(f, "ExpressionError", v.error().message);
      eligible = truthy(*v);
    }
    if (eligible) rules.push_back({{"role", r.role}, {"count", r.count}});
  }
  std::string digest = wf::sha256_hex(subject->dump());
  f.status = frame_status::kApproval;
  f.gate = {
      {"digest", digest}, {"rules", rules}, {"quorum", a.quorum}, {"decisions", json::array()}};
  emit(EventType::ApprovalRequested, f, st.name,
       {{"subject", *subject},
        {"digest", digest},
        {"approvers", rules},
        {"quorum", a.quorum},
        {"authorizes", a.authorizes},
        {"separation_of_duties", a.separation_of_duties}});
  if (a.timeout) add_timer(f, "approval_timeout", now_us_ + a.timeout->seconds * 1'000'000);
}

Result<void> Decider::on_approval(const ApprovalInput& in) {
  Frame* gate = nullptr;
  for (auto& [id, f] : inst_.frames)
    if (f.status == frame_status::kApproval && f.state == in.state) gate = &f;
  if (!gate)
    return fail(ErrorCode::FailedPrecondition,
                "instance " + inst_.id + " is not waiting for approval at '" + in.state + "'");
  Frame& f = *gate;
  const auto& a = std::get<wf::ApprovalState>(find(f.state)->body);
  if (a.separation_of_duties && in.approver == inst_.started_by)
    return fail(
        ErrorCode::PermissionDenied,
        in.approver + " started this instance and cannot approve it (separation of duties)");
  std::string role;
  for (const auto& r : f.gate["rules"])
    if (std::find(in.roles.begin(), in.roles.end(), r["role"].get<std::string>()) != in.roles.end())
      role = r["role"];
  if (role.empty())
    return fail(ErrorCode::PermissionDenied,
                in.approver + " holds no role eligible at '" + in.state + "'");
  for (const auto& d : f.gate["decisions"])
    if (d["approver"] == in.approver)
      return fail(ErrorCode::Conflict, in.approver + " has already decided at '" + in.state + "'");
  if (in.digest != f.gate["digest"].get<std::string>())
    return fail(ErrorCode::FailedPrecondition,
                "the subject changed since the approver saw it (digest mismatch)");
  json decision = {{"approver", in.approver},
                   {"role", role},
                   {"approve", in.approve},
                   {"comment", in.comment},
                   {"digest", in.digest}};
  f.gate["decisions"].push_back(decision);
  emit(EventType::ApprovalDecided, f, f.state, decision);
  if (!in.approve) {
    emit(EventType::ApprovalRejected, f, f.state, {{"by", in.approver}, {"comment", in.comment}});
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
  for (const auto& r : f.gate["rules"]) allowed[r["role"]] += r["count"].get<int>();
  int approvals = 0;
  for (const auto& d : f.gate["decisions"]) {
    if (!d["approve"].get<bool>()) continue;
    auto r = d["role"].get<std::string>();
    if (per_role[r] < allowed[r]) ++per_role[r], ++approvals;
  }
  if (approvals < f.gate["quorum"].get<int>()) return {};
  json approvers = json::array();
  for (const auto& d : f.gate["decisions"]) approvers.push_back(d["approver"]);
  emit(EventType::ApprovalGranted, f, f.state,
       {{"digest", f.gate["digest"]}, {"approvers", approvers}, {"authorizes", a.authorizes}});
  for (const auto& act : a.authorizes)
    f.granted[act] = {{"state", f.state}, {"digest", f.gate["digest"]}, {"approvers", approvers}};
  drop_frame_work(f);
  f.timer_keys.clear();
  f.gate = nullptr;
  follow(f, a.then);
  return {};
}

void Decider::on_approval_timeout(Frame& f, const wf::ApprovalState& a) {
  std::erase(f.timer_keys, key(f, "/approval_timeout"));
  std::erase(f.timer_keys, key(f, "/approval_escalation"));
  if (a.on_timeout && a.on_timeout->escalate_to_role && !f.gate.value("escalated", false)) {
    f.gate["rules"].push_back({{"role", *a.on_timeout->escalate_to_role}, {"count", 1}});
    f.gate["escalated"] = true;
    emit(EventType::ApprovalEscalated, f, f.state, {{"role", *a.on_timeout->escalate_to_role}});
    auto d = a.on_timeout->escalation_timeout ? a.on_timeout->escalation_timeout : a.timeout;
    add_timer(f, "approval_escalation", now_us_ + d->seconds * 1'000'000);
    return;
  }
  emit(EventType::ApprovalExpired, f, f.state, {{"digest", f.gate["digest"]}});
  f.gate = nullptr;
  if (a.on_timeout && a.on_timeout->next) return enter(f, a.on_timeout->next->name);
  fail_frame(f, "ApprovalExpired", "no decision at '" + f.state + "' in time");
}

}  // namespace covenant::engine::runtime
