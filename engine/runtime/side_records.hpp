// What a transition writes besides the instance, its history and its work: the approval
// rows the API reads (opened, changed, closed) and the webhooks to send (the outbox). Pure:
// computed from the open gates before the transition, the instance after it and the events
// it recorded, then staged by Runtime::transact with the rest of the transition.
#pragma once

#include "engine/history/event.hpp"
#include "engine/model/instance.hpp"
#include "engine/store/store.hpp"

#include <map>
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
};

SideRecords side_records(const std::map<std::string, nlohmann::json>& gates_before,
                         const Instance& after, const std::vector<history::Event>& events);

// The webhook topic of an event type, or "" when it sends none: approval.requested,
// approval.reminder, approval.escalated, approval.decided, writeback.blocked, workflow.failed.
std::string webhook_topic(history::EventType t);

}  // namespace covenant::engine::runtime
