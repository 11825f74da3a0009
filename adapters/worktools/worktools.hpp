// Work tools: where provisioning and milestone work is tracked — Jira Cloud issues and Asana
// tasks — created exactly once per workflow step and read back for completion. Neither system
// takes an idempotency key, so each write is keyed the way the system allows: a Jira issue
// carries the label `covenant-<24 hex of SHA-256 of the key>` and is looked up by it before one
// is created; an Asana task carries the key as its `external.gid` and is fetched by
// `external:<gid>` first. A retried step finds the task its first attempt made. Thread-safe.
#pragma once

#include "adapters/http/client.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace covenant::adapters::worktools {

using nlohmann::json;

class WorkTracker {
 public:
  virtual ~WorkTracker() = default;
  // in: {project, title, description?, due_date? (YYYY-MM-DD), assignee?}; `key`: the engine's
  // idempotency key. Out: {system, id, key?, url?, created (false: found from an earlier
  // attempt)}.
  virtual http::Result<json> create_task(const json& in, const std::string& key) = 0;
  // in: {task: the id create_task gave}. Out: {system, id, status, done, completed_at}.
  virtual http::Result<json> get_task(const json& in) = 0;
};

// Jira Cloud REST v3 with basic authentication (the account's e-mail and an API token):
// GET /rest/api/3/search/jql?jql=labels="covenant-…" then POST /rest/api/3/issue
// {fields: {project: {key}, summary, issuetype: {name: Task}, labels, duedate, description
// (Atlassian Document Format)}}; GET /rest/api/3/issue/{key}?fields=status,resolutiondate,
// done when the status's category is "done".
class Jira final : public WorkTracker {
 public:
  explicit Jira(std::shared_ptr<http::Client> client) : http_(std::move(client)) {}
  http::Result<json> create_task(const json& in, const std::string& key) override;
  http::Result<json> get_task(const json& in) override;

 private:
  std::shared_ptr<http::Client> http_;
};

// Asana API 1.0 with a bearer token: GET /api/1.0/tasks/external:{key}, else POST
// /api/1.0/tasks {data: {name, notes, projects: [gid], due_on, external: {gid: key}}};
// GET /api/1.0/tasks/{gid}: done when `completed`.
class Asana final : public WorkTracker {
 public:
  explicit Asana(std::shared_ptr<http::Client> client) : http_(std::move(client)) {}
  http::Result<json> create_task(const json& in, const std::string& key) override;
  http::Result<json> get_task(const json& in) override;

 private:
  std::shared_ptr<http::Client> http_;
};

// The label a Jira issue made for idempotency key `key` carries.
std::string jira_label(const std::string& key);

}  // namespace covenant::adapters::worktools
