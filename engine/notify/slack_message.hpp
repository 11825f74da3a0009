// A webhook's event as a Slack message (Block Kit), for endpoints of `format: slack`: an
// approval that asks for a decision shows its summary's title, key figures (money formatted
// by currency), the checks that differ, the deadline and a button to the decision page —
// the approver's own link, carrying their single-use callback token in the URL's fragment
// (never sent to a server) when the endpoint is theirs, the plain page otherwise. Other events
// are one line of text. Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

namespace covenant::engine::notify {

// `body`: the webhook body as Notifier::body_for makes it ({id, type, created, data}).
nlohmann::json slack_message(const nlohmann::json& body);

}  // namespace covenant::engine::notify
