#include "app/http/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace covenant::app::http {

bool RateLimits::any() const {
  if (fallback.per_second > 0) return true;
  for (const auto& [ns, l] : by_ns)
    if (l.per_second > 0) return true;
  return false;
}

std::optional<std::int64_t> RateLimiter::take(const std::string& ns, std::int64_t now_us) {
  auto it = limits_.by_ns.find(ns);
  const RateLimit& l = it != limits_.by_ns.end() ? it->second : limits_.fallback;
  if (l.per_second <= 0) return std::nullopt;
  double burst = std::max(1.0, l.burst);
  std::lock_guard lock(mu_);
  Bucket& b = buckets_[ns];
  if (!b.started) {
    b = {burst, now_us, true};
  } else if (now_us > b.at_us) {
    b.tokens =
        std::min(burst, b.tokens + static_cast<double>(now_us - b.at_us) / 1e6 * l.per_second);
    b.at_us = now_us;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return std::nullopt;
  }
  return std::max<std::int64_t>(
      1, static_cast<std::int64_t>(std::ceil((1 - b.tokens) / l.per_second)));
}

}  // namespace covenant::app::http
