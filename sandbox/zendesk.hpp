// The sandbox's Zendesk (/api/v2, basic authentication "{email}/token" : API token) and a
// Slack incoming webhook (/slack/hooks/…): organizations found by external_id, their tickets
// page by page with metric_sets (reply and resolution times), seeded for the CRM's accounts
// — one of Acme's urgent tickets misses a four-hour first-reply SLA — and Slack messages
// recorded as they arrive ("ok", or Slack's invalid_payload / no_text).
#pragma once

#include "sandbox/stripe.hpp"

namespace covenant::sandbox {

Answer zendesk(const std::string& path, const nlohmann::json& query, const std::string& base_url,
               RecordTx& tx);
void seed_zendesk(RecordTx& tx);
// A Microsoft Teams incoming-webhook post: a message with an Adaptive Card attachment is
// recorded (202, no body); anything else gets Teams' 400 in words.
Answer teams(const std::string& path, const std::string& body, RecordTx& tx);
// A Slack incoming-webhook post; the answer's body is the plain text Slack sends.
Answer slack(const std::string& path, const std::string& body, RecordTx& tx);

}  // namespace covenant::sandbox
