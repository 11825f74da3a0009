// What a transition writes besides the instance, its history and its work: the approval
// rows the API reads (opened, changed, closed), the webhooks to send (the outbox) and the
// handoff milestones reached (store.handoffs). Pure:
// computed from the open gates before the transition, the instance after it and the events
// it recorded, then staged by Runtime::transact with the rest of the transition.
#pragma once

#include "engine/history/event.hpp"
#include "engine/model/instance.hpp"
#include "engine/store/store.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace covenant::engine::runtime {

using model::Instance;
namespace frame_status = model::frame_status;

// The open gates of an instance by approval id (each value is the frame's gate plus "frame"
// and "state").
std::map<std::string, nlohmann::json> open_gates(const Instance& inst);

struct SideRecords {
  std::vector<store::ApprovalRow> approvals;  // to save
  std::vector<store::OutboxRow> outbox;       // to enqueue
  std::optional<store::HandoffRow> handoff;   // to save, when a milestone was reached
};

// `milestones`: the workflow's states that mark a handoff (CompiledWorkflow::milestones());
// when it has any, the transition that starts the instance, reaches one (a task completes,
// a wait receives its event, an approval is granted) or ends the instance gives a handoff row.
SideRecords side_records(const std::map<std::string, nlohmann::json>& gates_before,
                         const Instance& after, const std::vector<history::Event>& events,
                         const std::map<std::string, std::string>& milestones = {});

// The webhook topic of an event type, or "" when it sends none: approval.requested,
// approval.reminder, approval.escalated, approval.decided, writeback.blocked, workflow.failed.
std::string webhook_topic(history::EventType t);

}  // namespace covenant::engine::runtime
