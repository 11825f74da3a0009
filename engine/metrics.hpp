// Metrics: in-process counters and a latency histogram for /metrics (Prometheus text). Each
// process counts what it did itself (Prometheus sums processes); gauges such as instances
// by status come from the database when scraped. Lock-free; thread-safe.
#pragma once

#include "engine/history/event_type.hpp"

#include <array>
#include <atomic>
#include <cstdint>

namespace covenant::engine {

class Metrics {
 public:
  static constexpr int kEventTypes = 32;
  // Upper bounds of the task duration buckets, in seconds (Prometheus `le`).
  static constexpr std::array<double, 10> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25,  0.5,  1,     2.5,  10};

  void event(history::EventType t) { events_[static_cast<int>(t) % kEventTypes]++; }
  void transition(bool ok) { (ok ? transitions_ : transition_errors_)++; }
  void task_duration_us(std::int64_t us);
  void webhook(bool delivered) { (delivered ? webhooks_ok_ : webhooks_failed_)++; }
  // A task outcome dropped because its worker had lost the lease (WorkQueue::finish).
  void late_outcome() { late_outcomes_++; }
  // Instances found stranded by the last sweep (scheduler::Sweeper): a gauge.
  void stranded(std::int64_t n) { stranded_ = n; }

  std::uint64_t events(history::EventType t) const {
    return events_[static_cast<int>(t) % kEventTypes];
  }
  std::uint64_t transitions() const { return transitions_; }
  std::uint64_t transition_errors() const { return transition_errors_; }
  std::uint64_t webhooks_delivered() const { return webhooks_ok_; }
  std::uint64_t webhook_failures() const { return webhooks_failed_; }
  std::uint64_t late_outcomes() const { return late_outcomes_; }
  std::int64_t stranded() const { return stranded_; }
  // Cumulative counts per bucket (the last is +Inf), the count and the sum in microseconds.
  std::array<std::uint64_t, kBuckets.size() + 1> task_buckets() const;
  std::uint64_t task_count() const { return task_count_; }
  std::uint64_t task_sum_us() const { return task_sum_us_; }

 private:
  std::array<std::atomic<std::uint64_t>, kEventTypes> events_{};
  std::atomic<std::uint64_t> transitions_{0}, transition_errors_{0};
  std::atomic<std::uint64_t> webhooks_ok_{0}, webhooks_failed_{0}, late_outcomes_{0};
  std::atomic<std::int64_t> stranded_{0};
  std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> task_buckets_{};
  std::atomic<std::uint64_t> task_count_{0}, task_sum_us_{0};
};

inline void Metrics::task_duration_us(std::int64_t us) {
  std::size_t i = 0;
  while (i < kBuckets.size() && static_cast<double>(us) > kBuckets[i] * 1e6) ++i;
  task_buckets_[i]++;
  task_count_++;
  task_sum_us_ += static_cast<std::uint64_t>(us < 0 ? 0 : us);
}

inline std::array<std::uint64_t, Metrics::kBuckets.size() + 1> Metrics::task_buckets() const {
  std::array<std::uint64_t, kBuckets.size() + 1> out{};
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = running += task_buckets_[i];
  return out;
}

}  // namespace covenant::engine
