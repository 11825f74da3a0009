// Rate limits per namespace: a token bucket for each namespace's authenticated requests
// (`per_second` refill, `burst` deep). A request over the limit gets 429 with Retry-After, the
// seconds until a token is there again. Counted after authentication, so only a namespace's own
// principals spend its budget. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace covenant::app::http {

struct RateLimit {
  double per_second = 0;  // 0: no limit
  double burst = 0;       // how many at once (at least 1 when limited)
};

struct RateLimits {
  RateLimit fallback;                      // every namespace without its own
  std::map<std::string, RateLimit> by_ns;  // namespace → its own
  bool any() const;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimits limits) : limits_(std::move(limits)) {}
  // Takes one token of namespace `ns`'s bucket at `now_us`: nullopt when there was one, else
  // the whole seconds until there is (at least 1).
  std::optional<std::int64_t> take(const std::string& ns, std::int64_t now_us);

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t at_us = 0;
    bool started = false;
  };
  RateLimits limits_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace covenant::app::http
