// The notifier's HTTP side: POSTs a signed JSON webhook (signature.hpp) with cpp-httplib and
// sorts the answer: 2xx delivered; connection failures, 408, 429 and 5xx transient (retry);
// other 4xx refused by the receiver.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace covenant::adapters::notifier {

struct Delivery {
  enum Outcome { Delivered, Transient, Refused } outcome = Delivered;
  std::string message;
};

struct Webhook {
  std::string url;
  std::vector<std::string> secrets;  // each signs (a rotation's new and old); none: unsigned
  std::string event_id, body;
  std::int64_t timestamp_s = 0;
};

Delivery post_webhook(const Webhook& w, std::chrono::seconds timeout = std::chrono::seconds(10));

}  // namespace covenant::adapters::notifier
