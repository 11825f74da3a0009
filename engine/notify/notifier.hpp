// Notifier: delivers the webhook outbox (store_outbox.cpp) to the configured endpoints, at
// least once, in order of due time, with exponential backoff between attempts. Approval
// webhooks (approval.requested, approval.reminder, approval.escalated) carry, for each
// person who may decide, a fresh single-use callback token and the URL to post the decision
// to; tokens are minted at send time and never stored except as hashes. Receivers dedupe by
// the event's "id". Thread-compatible: run one pass at a time per Notifier.
#pragma once

#include "engine/approvals/desk.hpp"
#include "engine/metrics.hpp"
#include "engine/store/store.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace covenant::engine::notify {

struct Endpoint {
  std::string name;  // stable: deliveries remember which endpoints have an event
  std::string url;
  std::string secret;               // signs the body (never logged)
  std::vector<std::string> topics;  // empty: every topic
  bool wants(const std::string& topic) const;
};

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

  // The body sent for `row` (approval webhooks get their callbacks here).
  Result<nlohmann::json> body_for(const store::OutboxRow& row);

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
