// The persisted state of one workflow instance: the engine's model, below both the store
// (which keeps it) and the runtime (which changes it). An instance runs as a set of frames:
// the root frame walks the workflow's top-level states; a parallel or map state creates one
// child frame per branch or item. Everything here is stored and nothing about a running
// instance lives only in memory. Plain values.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace covenant::engine::model {

// Frame status values (stored: do not rename).
namespace frame_status {
inline constexpr const char* kTask = "task";          // an activity is scheduled
inline constexpr const char* kWaiting = "waiting";    // a wait state: timer or event
inline constexpr const char* kApproval = "approval";  // parked at an approval gate
inline constexpr const char* kChildren = "children";  // a parallel/map waits for its frames
}  // namespace frame_status

// Who may decide at a gate: `count` approvals at most are counted from holders of `role`.
struct GateRule {
  std::string role;
  int count = 1;
  bool operator==(const GateRule&) const = default;
};

// One person's decision at an open gate (a delegate's names the person they act for).
struct GateDecision {
  std::string approver, role;
  bool approve = false;
  bool request_changes = false;
  std::string comment;
  std::string digest;  // of the subject the approver saw
  std::string on_behalf_of;
  bool operator==(const GateDecision&) const = default;
};

// An approval gate open at a frame: this opening's id, the digest of the subject it asks
// about, who may decide and how many must, the decisions so far, and when it times out.
struct Gate {
  std::string id;
  std::string digest;
  std::vector<GateRule> rules;
  int quorum = 1;
  std::vector<GateDecision> decisions;
  std::int64_t deadline_us = 0;  // 0: none
  bool escalated = false;
  std::string changes_to;  // where a request for changes goes; "" when the gate takes none
  bool operator==(const Gate&) const = default;
};

// An approval granted on the way to a financial activity: the gate's state, the digest
// approved and by whom; spent once the activity's one write is scheduled (`spent_by` the
// task), or spent below when a child frame wrote under a grant its parent holds.
struct Grant {
  std::string state;
  std::string digest;
  std::vector<std::string> approvers;
  bool spent = false, spent_below = false;
  std::string spent_by;
  bool operator==(const Grant&) const = default;
};

// As recorded in events (no spending marks): {state, digest, approvers}.
nlohmann::json grant_json(const Grant& g);
// As recorded in events and approval rows: {approval_id, approver, role, approve, comment,
// digest, [request_changes], [on_behalf_of, recorded_as]}.
nlohmann::json decision_json(const std::string& approval_id, const GateDecision& d);
// As stored and as approval rows carry it: {id, digest, rules:[{role,count}], quorum,
// decisions:[…], deadline_us, [escalated], [changes_to]}.
nlohmann::json gate_json(const Gate& g);

struct Frame {
  std::string id;      // "root", "root/sources.0", "root/milestones.3"
  std::string parent;  // "" for root
  int index = 0;       // position among the parent's children
  std::string state;   // the current state
  std::string status;
  nlohmann::json context = nlohmann::json::object();
  nlohmann::json last;                // the latest task result: a branch's result
  std::map<std::string, int> visits;  // entries per state: the occurrence number
  int attempt = 0;                    // of the current task
  std::string task_key;               // of the current task
  std::vector<std::string> timer_keys;
  std::string event;  // the awaited event
  // A parallel or map state waiting for its children:
  nlohmann::json items = nlohmann::json::array();    // map: the items
  nlohmann::json results = nlohmann::json::array();  // one per branch or item
  int next_item = 0, running = 0, finished = 0;
  std::optional<Gate> gate;              // while parked at an approval gate
  std::map<std::string, Grant> granted;  // by the activity each authorizes
};

struct Compensation {
  std::string activity;
  nlohmann::json input;
  std::string key;
  // The write it undoes: the task state, its idempotency key, activity and result (kept so
  // a compensation that fails can say which write is left standing).
  std::string state;
  nlohmann::json write = nullptr;
};

struct Instance {
  std::string id;
  std::string ns = "default";
  std::string workflow;
  std::string digest;  // of the definition version it runs
  std::string business_key;
  // running | compensating | completed | failed | compensation_failed | cancelled
  std::string status;
  std::string started_by;
  // Everyone else who changed the instance (sent it an event): with started_by, the people
  // separation of duties keeps from approving it.
  std::vector<std::string> changed_by;
  nlohmann::json input;
  nlohmann::json output;
  std::string error;  // code, when failed
  std::map<std::string, Frame> frames;
  std::vector<Compensation> compensations;  // a stack: the last completed first
  std::string failure_code, failure_cause;  // kept while compensating
  // Writes whose compensation gave up: {activity, idempotency_key, result, compensation, error}
  nlohmann::json left_standing = nlohmann::json::array();
  std::int64_t version = 0;
  std::int64_t next_seq = 1;
  std::string last_hash;
  std::int64_t created_us = 0, updated_us = 0;

  bool finished() const {
    return status == "completed" || status == "failed" || status == "compensation_failed" ||
           status == "cancelled";
  }
};

// The runtime part of an Instance (frames, compensations, failure) as stored JSON.
nlohmann::json runtime_to_json(const Instance& inst);
// Reads both stored forms (version 1 wrote every field; version 2 leaves out those at a new
// frame's value). Throws nlohmann::json::exception, or std::invalid_argument for an unknown
// version, on a document of the wrong shape.
void runtime_from_json(const nlohmann::json& j, Instance& inst);

}  // namespace covenant::engine::model
