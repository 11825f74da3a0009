// Ticketing systems (for SLA monitoring): an account's tickets with their timestamps and
// response and resolution times, the priority as the contract counts it (1 most urgent).
// Implementations: Zendesk and ServiceNow below. Thread-safe.
#pragma once

#include "adapters/http/client.hpp"

#include <nlohmann/json.hpp>

namespace covenant::adapters::ticketing {

using nlohmann::json;

class Ticketing {
 public:
  virtual ~Ticketing() = default;
  // in: {account (the CRM external id of the organization), since (ISO date, optional)}
  virtual http::Result<json> list_tickets(const json& in) = 0;
};

// Zendesk's REST API (/api/v2) with basic authentication ("{email}/token" and the API
// token): the organization found by external_id, its tickets page by page
// (/organizations/{id}/tickets.json?include=metric_sets, following next_page), each with its
// first reply and full resolution times in minutes.
class Zendesk final : public Ticketing {
 public:
  explicit Zendesk(std::shared_ptr<http::Client> client) : http_(std::move(client)) {}
  http::Result<json> list_tickets(const json& in) override;

 private:
  std::shared_ptr<http::Client> http_;
};

// ServiceNow's Table API (/api/now/table) with basic authentication (an integration user and
// its password): the account's incidents (`company.u_external_id`, the CRM's external id, on the
// company record), page by page with sysparm_offset/sysparm_limit, ordered by when they were
// opened; each incident's resolve time from `calendar_stc` (seconds), its first response from
// its Response SLA (`task_sla` of target "response": start to stop), its priority 1–5 counted
// as 1–4 (5, planning, as low). Times are ServiceNow's UTC "YYYY-MM-DD hh:mm:ss".
class ServiceNow final : public Ticketing {
 public:
  explicit ServiceNow(std::shared_ptr<http::Client> client) : http_(std::move(client)) {}
  http::Result<json> list_tickets(const json& in) override;

 private:
  std::shared_ptr<http::Client> http_;
};

}  // namespace covenant::adapters::ticketing
