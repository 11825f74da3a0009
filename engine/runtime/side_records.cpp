#include "engine/runtime/side_records.hpp"

#include "engine/time_format.hpp"
#include "workflows/model.hpp"

namespace covenant::engine::runtime {

using history::EventType;
using nlohmann::json;

std::map<std::string, json> open_gates(const Instance& inst) {
  std::map<std::string, json> out;
  for (const auto& [id, f] : inst.frames) {
    if (f.status != frame_status::kApproval || !f.gate) continue;
    json g = model::gate_json(*f.gate);
    g["frame"] = f.id;
    g["state"] = f.state;
    g["occurrence"] = f.visits.count(f.state) ? f.visits.at(f.state) : 0;
    out.emplace(f.gate->id, std::move(g));
  }
  return out;
}

std::string webhook_topic(EventType t) {
  switch (t) {
    case EventType::ApprovalRequested:
      return "approval.requested";
    case EventType::ApprovalReminded:
      return "approval.reminder";
    case EventType::ApprovalEscalated:
      return "approval.escalated";
    case EventType::ApprovalDecided:
      return "approval.decided";
    case EventType::WritebackBlocked:
      return "writeback.blocked";
    case EventType::WorkflowFailed:
      return "workflow.failed";
    case EventType::CompensationFailed:
      return "compensation.failed";
    case EventType::SubjectRejected:
      return "subject.rejected";
    default:
      return "";
  }
}

namespace {

// How a gate that is no longer open was closed, from the events of the transition.
std::string closing_status(const std::string& approval_id, const Instance& after,
                           const std::vector<history::Event>& events) {
  for (const auto& e : events) {
    if (e.payload.value("approval_id", "") != approval_id) continue;
    if (e.type == EventType::ApprovalGranted) return "granted";
    if (e.type == EventType::ApprovalRejected) return "rejected";
    if (e.type == EventType::ApprovalChangesRequested) return "changes_requested";
    if (e.type == EventType::ApprovalExpired) return "expired";
  }
  if (after.status == "cancelled") return "cancelled";
  return "closed";  // the frame ended otherwise (a sibling branch failed, the instance failed)
}

store::ApprovalRow row_of(const std::string& id, const json& g, const Instance& inst) {
  store::ApprovalRow a;
  a.id = id;
  a.instance_id = inst.id;
  a.ns = inst.ns;
  a.workflow = inst.workflow;
  a.business_key = inst.business_key;
  a.frame = g.value("frame", "");
  a.state = g.value("state", "");
  a.occurrence = g.value("occurrence", 0);
  a.digest = g.value("digest", "");
  a.rules = g.value("rules", json::array());
  a.quorum = g.value("quorum", 1);
  a.decisions = g.value("decisions", json::array());
  a.deadline_us = g.value("deadline_us", std::int64_t{0});
  a.changes_to = g.value("changes_to", "");
  return a;
}

// The handoff milestones `events` reach, and the instance's start and end.
std::optional<store::HandoffRow> handoff_of(const Instance& inst,
                                            const std::vector<history::Event>& events,
                                            const std::map<std::string, std::string>& milestones) {
  if (milestones.empty()) return std::nullopt;
  store::HandoffRow row;
  bool any = false;
  for (const auto& e : events) {
    switch (e.type) {
      case EventType::WorkflowStarted:
        any = true;
        break;
      case EventType::ActivityCompleted:
      case EventType::EventReceived:
      case EventType::ApprovalGranted: {
        auto m = milestones.find(e.state);
        if (m == milestones.end()) break;
        for (std::size_t k = 0; k < workflows::kMilestones.size(); ++k)
          if (workflows::kMilestones[k] == m->second && row.at_us[k] == 0) {
            row.at_us[k] = e.at_us;
            any = true;
          }
        break;
      }
      case EventType::WorkflowCompleted:
      case EventType::WorkflowFailed:
      case EventType::WorkflowCancelled:
        row.ended_us = e.at_us;
        any = true;
        break;
      default:
        break;
    }
  }
  // A compensation's end is the instance's status change, not an event above.
  if (!any) return std::nullopt;
  row.instance_id = inst.id;
  row.workflow = inst.workflow;
  row.contract_id = inst.business_key;
  // When it started (an instance stored before it kept that: its first event here).
  row.started_us = inst.created_us > 0 ? inst.created_us : events.front().at_us;
  if (row.ended_us > 0) row.status = inst.status;
  return row;
}

}  // namespace

SideRecords side_records(const std::map<std::string, json>& gates_before, const Instance& after,
                         const std::vector<history::Event>& events,
                         const std::map<std::string, std::string>& milestones) {
  SideRecords out;
  out.handoff = handoff_of(after, events, milestones);
  std::int64_t now_us = events.empty() ? after.updated_us : events.front().at_us;
  auto gates_after = open_gates(after);
  for (const auto& [id, g] : gates_after) {
    auto was = gates_before.find(id);
    if (was != gates_before.end() && was->second == g) continue;
    store::ApprovalRow a = row_of(id, g, after);
    a.opened_us = now_us;
    for (const auto& e : events)
      if (e.type == EventType::ApprovalRequested && e.payload.value("approval_id", "") == id) {
        a.subject = e.payload.value("subject", json());
        a.summary = e.payload.value("summary", json());
        a.opened_us = e.at_us;
      }
    // A row already stored keeps its subject and opening time (the upsert leaves them).
    out.approvals.push_back(std::move(a));
  }
  for (const auto& [id, g] : gates_before) {
    if (gates_after.count(id)) continue;
    store::ApprovalRow a = row_of(id, g, after);
    a.status = closing_status(id, after, events);
    a.closed_us = now_us;
    // Decisions made in this very transition are no longer in the (cleared) gate: take them
    // from the events.
    for (const auto& e : events)
      if (e.type == EventType::ApprovalDecided && e.payload.value("approval_id", "") == id)
        a.decisions.push_back(e.payload);
    out.approvals.push_back(std::move(a));
  }
  for (const auto& e : events) {
    std::string topic = webhook_topic(e.type);
    if (topic.empty()) continue;
    store::OutboxRow r;
    r.topic = topic;
    r.instance_id = after.id;
    r.ns = after.ns;
    r.approval_id = e.payload.value("approval_id", "");
    r.payload = {{"id", "evt_" + after.id + "_" + std::to_string(e.seq)},
                 {"type", topic},
                 {"created", format_rfc3339(from_micros(e.at_us))},
                 {"data",
                  {{"instance_id", after.id},
                   {"workflow", after.workflow},
                   {"business_key", after.business_key},
                   {"seq", e.seq},
                   {"state", e.state},
                   {"event", history::name(e.type)},
                   {"payload", e.payload}}}};
    r.next_us = e.at_us;
    r.created_us = e.at_us;
    out.outbox.push_back(std::move(r));
  }
  return out;
}

}  // namespace covenant::engine::runtime
