// Notifier: delivers the webhook outbox (outbox.cpp) to the configured endpoints, at
// least once, in order of due time, with exponential backoff between attempts. Approval
// webhooks (approval.requested, approval.reminder, approval.escalated) name who may decide
// and where; a callback token goes only to its owner: an endpoint that belongs to a
// principal gets a fresh single-use token for that principal alone (and no approval webhook
// when that principal may not decide), while a shared endpoint gets the links without any
// token. Tokens are minted at send time and never stored except as hashes. Receivers
// dedupe by the event's "id". Thread-compatible: run one pass at a time per Notifier.
#pragma once

#include "engine/approvals/desk.hpp"
#include "engine/metrics.hpp"
#include "engine/store/store.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace covenant::engine::notify {

struct Endpoint {
  std::string name;  // stable: deliveries remember which endpoints have an event
  std::string url;
  std::string secret;               // signs the body (never logged)
  std::vector<std::string> topics;  // empty: every topic
  // The principal this endpoint belongs to (their own channel): only it receives that
  // principal's callback tokens. Empty: a shared subscriber, which never receives a token.
  std::string principal;
  // "slack": the body is a Slack Block Kit message (slack_message.hpp) posted to an incoming
  // webhook URL, unsigned; empty: Covenant's signed JSON.
  std::string format;
  // The namespace whose events it gets (no other's).
  std::string ns = store::kDefaultNamespace;
  // A rotation's overlap: the secret before `secret` also signs until `previous_until_s` (unix
  // seconds), so a receiver that has not changed over yet still verifies.
  std::string previous_secret{};
  std::int64_t previous_until_s = 0;
  bool wants(const std::string& topic) const;
  // The secrets that sign a webhook sent at `now_s`: `secret`, and the previous one during
  // the overlap. None for an unsigned (slack) endpoint.
  std::vector<std::string> secrets_at(std::int64_t now_s) const;
};

// A webhook secret's id in store.keys: a fingerprint that does not reveal it.
std::string secret_key_id(const std::string& secret);

// Records each signed endpoint's secret as its namespace's current webhook key
// (store.keys): a secret not seen before is a rotation — an event "key.rotated" by `actor` in
// the namespace's log, the old secret counting until the endpoint's `previous_until_s` when it
// is the `previous_secret`, else until now. Returns how many keys changed.
Result<int> record_keys(store::Store& store, const std::vector<Endpoint>& endpoints,
                        std::int64_t now_us, const std::string& actor);

// Sends one signed webhook. Errors: Unavailable (retry later: connection failure, 429,
// 5xx), InvalidArgument (the endpoint refused it: 4xx; still retried, as receivers get
// fixed, but reported as such).
class Sender {
 public:
  virtual ~Sender() = default;
  virtual Result<void> send(const Endpoint& to, const std::string& event_id,
                            const std::string& body, std::int64_t timestamp_s) = 0;
};

struct NotifierOptions {
  std::string public_url;                     // where approvers post decisions
  std::chrono::seconds token_ttl{72 * 3600};  // when the gate has no deadline
  int max_attempts = 10;                      // then the row is marked failed
  std::chrono::seconds first_retry{10};       // doubles each attempt, capped at an hour
  int batch = 20;
};

class Notifier {
 public:
  Notifier(store::Store& store, approvals::ApprovalDesk& desk, Sender& sender,
           std::vector<Endpoint> endpoints, const Clock& clock, NotifierOptions opts,
           Metrics* metrics = nullptr);

  // Delivers what is due now. Returns how many rows it attempted.
  Result<int> run_due();

  // The body sent for `row` to `to` (approval webhooks get their callbacks here: with a
  // token only for the endpoint's own principal). nullopt: nothing for this endpoint (an
  // approval its principal may not decide).
  Result<std::optional<nlohmann::json>> body_for(const store::OutboxRow& row, const Endpoint& to);

 private:
  store::Store& store_;
  approvals::ApprovalDesk& desk_;
  Sender& sender_;
  std::vector<Endpoint> endpoints_;
  const Clock& clock_;
  NotifierOptions opts_;
  Metrics* metrics_;
};

}  // namespace covenant::engine::notify
