// What a transition takes in and what it decides to write: the inputs that drive an instance
// (a start, an activity's outcome, a timer, an event, a cancellation, an approval decision)
// and the work a decision schedules or cancels. Part of the engine's model: the runtime
// produces decisions, the store writes them. Plain values.
#pragma once

#include "engine/history/event.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace covenant::engine::model {

struct StartInput {
  nlohmann::json input;
};

// The outcome of one attempt of an activity (or a compensation) task.
struct ActivityOutcome {
  std::string frame, state;
  int occurrence = 0;
  int attempt = 0;
  bool compensation = false;
  bool ok = false;
  nlohmann::json result;  // when ok
  std::string error_code, message;
  bool retryable = false;
};

struct TimerInput {
  std::string frame, state;
  int occurrence = 0;
  std::string kind;  // wait | event_timeout | approval_timeout | approval_escalation |
                     // approval_reminder
};

struct SignalInput {
  std::string event;
  nlohmann::json payload;
  std::string by;  // the principal who sent it: it changed the instance (separation of duties)
  // What a person corrected in the data the payload carries ([{field, old, new, reason,
  // evidence}]): each one a ValueCorrected event before the EventReceived. Null for none.
  nlohmann::json corrections;
  // When set, the event goes only to a frame waiting at this state in this occurrence of it
  // (what the sender looked at); otherwise it is refused (FailedPrecondition).
  std::string at_state;
  int occurrence = 0;
};

struct CancelInput {
  std::string reason;
  std::string by;
};

// One approver's decision at a gate (the HTTP layer authenticates the approver and passes
// the roles they hold; the engine checks eligibility, separation of duties, digest, quorum).
// A delegate acting for someone else names them in `on_behalf_of` and passes *their* roles
// (the caller has checked the delegation and its date window).
struct ApprovalInput {
  std::string state;
  std::string approver;
  std::vector<std::string> roles;
  bool approve = false;
  std::string comment;
  std::string digest;        // the subject digest the approver saw
  std::string approval_id;   // when set, the gate must be this opening of it (not a later one)
  std::string on_behalf_of;  // a delegate's delegator
  // Neither approve nor reject: the data goes back to the state the gate's
  // on_changes_requested names, with the comment (`approve` is false).
  bool request_changes = false;
};

struct TimerIntent {
  std::string key;
  std::string frame, state;
  int occurrence = 0;
  std::string kind;
  std::int64_t fire_us = 0;
};

// Moves a running instance from version `from` to the decider's version (covenant migrate):
// each frame's state by the state map, `set` written into the root context, what the new
// version expects at each target state checked, open gates in `reopen` (their approval
// changed or was renamed) opened again, grants for the activities in `changed_financial`
// refused when still unspent (an approval never carries over to a changed financial step),
// and the instance's pending timers (`timers`, read in the transaction) keyed anew where
// their state was renamed.
struct MigrateInput {
  std::string from;                               // the version (digest) the instance must be on
  std::map<std::string, std::string> states;      // A's state → B's state
  nlohmann::json set = nlohmann::json::object();  // ".path": value, into the root context
  std::map<std::string, std::vector<std::string>> expects;  // B's state → paths it expects
  std::vector<std::string> reopen;             // A's gates whose approval does not carry over
  std::vector<std::string> changed_financial;  // activities whose financial step changed
  std::vector<TimerIntent> timers;
  std::string reason, by;
};

// Runs a failed step again (fix and retry): the instance, rebuilt as it was before the
// failure, re-enters the task state `state` with `input` (null: the input rendered again
// from the data) under a new occurrence; the edit and the reason are recorded.
struct RetryStepInput {
  std::string state;
  nlohmann::json input;  // the edited input, or null
  std::string reason, by;
};

using Input = std::variant<StartInput, ActivityOutcome, TimerInput, SignalInput, CancelInput,
                           ApprovalInput, MigrateInput, RetryStepInput>;

struct TaskIntent {
  std::string key;  // the idempotency key: instance/frame/state#occurrence — same on every retry
  std::string frame, state;
  int occurrence = 0;
  bool compensation = false;
  std::string activity;
  nlohmann::json input;
  int attempt = 1;
  std::int64_t due_us = 0;
  std::int64_t timeout_us = 0;  // 0: none
};

struct Decision {
  std::vector<history::NewEvent> events;
  std::vector<TaskIntent> tasks;                         // insert, or reset for a retry, by key
  std::vector<TimerIntent> timers;                       // insert by key
  std::vector<std::string> cancel_tasks, cancel_timers;  // by key
  bool cancel_all = false;  // the instance ended: drop its open tasks and timers
};

}  // namespace covenant::engine::model
