// The persisted state of one workflow instance. An instance runs as a set of frames: the
// root frame walks the workflow's top-level states; a parallel or map state creates one
// child frame per branch or item. Everything here is stored (as JSON in instances.runtime)
// and nothing about a running instance lives only in memory. Plain values.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace covenant::engine::runtime {

// Frame status values (stored: do not rename).
namespace frame_status {
inline constexpr const char* kTask = "task";          // an activity is scheduled
inline constexpr const char* kWaiting = "waiting";    // a wait state: timer or event
inline constexpr const char* kApproval = "approval";  // parked at an approval gate
inline constexpr const char* kChildren = "children";  // a parallel/map waits for its frames
}  // namespace frame_status

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
  // An approval gate: {id, digest, rules:[{role,count}], quorum, decisions:[…], deadline_us}
  nlohmann::json gate;
  // Approvals granted on the way here: activity -> {state, digest}
  nlohmann::json granted = nlohmann::json::object();
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
void runtime_from_json(const nlohmann::json& j, Instance& inst);
// The root frame's context as JSON text ("{}" before the root frame exists): stored beside
// the runtime so that queries can read it.
std::string root_context(const Instance& inst);

}  // namespace covenant::engine::runtime
