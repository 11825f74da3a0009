// The sandbox's ServiceNow Table API (/api/now/table/{incident,task_sla}, basic authentication):
// incidents of the CRM's accounts (the company's u_external_id), each with its Response SLA
// record, paged by sysparm_offset/sysparm_limit — one of Acme's critical incidents is first
// answered after five hours. Encoded queries are read as far as the adapter writes them
// (field=value, field>=value, ORDERBYfield, joined by ^); anything else is refused as
// ServiceNow refuses it.
#pragma once

#include "sandbox/stripe.hpp"

namespace covenant::sandbox {

Answer servicenow(const std::string& path, const nlohmann::json& query, RecordTx& tx);
void seed_servicenow(RecordTx& tx);

}  // namespace covenant::sandbox
