// Rows a transition writes besides the instance, its history and its work: the approval rows
// the API reads and the webhooks of the transactional outbox. Staged in a WriteBatch with the
// rest of a transition's writes, and read back through Store.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace covenant::engine::store {

// An approval gate as the API sees it: one row per opening of a gate, kept in step with the
// instance by the runtime. status: open | granted | rejected | changes_requested | expired |
// cancelled | closed.
struct ApprovalRow {
  std::string id, instance_id, workflow, business_key, frame, state;
  int occurrence = 0;
  std::string digest;
  nlohmann::json rules = nlohmann::json::array();  // [{role, count}]
  int quorum = 1;
  nlohmann::json subject;
  nlohmann::json summary;  // what approvers read first (null when the gate declares none)
  nlohmann::json decisions = nlohmann::json::array();
  std::string status = "open";
  // The state a request for changes sends the instance to ("" when the gate takes none).
  std::string changes_to;
  std::int64_t opened_us = 0, deadline_us = 0, closed_us = 0;
  std::string ns;  // its instance's namespace
};

// A webhook to deliver (the transactional outbox). status: pending | delivered | failed.
struct OutboxRow {
  std::int64_t id = 0;
  std::string topic, instance_id, approval_id;
  nlohmann::json payload;
  std::string status = "pending";
  int attempts = 0;
  std::int64_t next_us = 0;
  std::vector<std::string> delivered_to;  // endpoints that have it
  std::string last_error;
  std::int64_t created_us = 0, done_us = 0;
  std::string ns;  // its instance's namespace
};

}  // namespace covenant::engine::store
