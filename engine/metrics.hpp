// Metrics: in-process counters and latency histograms for /metrics (Prometheus text). Each
// process counts what it did itself (Prometheus sums processes); gauges such as instances
// by status come from the database when scraped. Lock-free; thread-safe.
#pragma once

#include "engine/history/event_type.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace covenant::engine {

// A Prometheus histogram over durations: N upper bounds in seconds (`le`), plus +Inf.
template <std::size_t N>
class Histogram {
 public:
  explicit constexpr Histogram(const std::array<double, N>& upper) : upper_(upper) {}

  void observe_us(std::int64_t us) {
    if (us < 0) us = 0;  // a clock step backwards is not a negative wait
    std::size_t i = 0;
    while (i<N&& static_cast<double>(us)> upper_[i] * 1e6) ++i;
    buckets_[i]++;
    count_++;
    sum_us_ += static_cast<std::uint64_t>(us);
  }
  const std::array<double, N>& upper() const { return upper_; }
  // Cumulative counts per bucket; the last is +Inf (equal to count()).
  std::array<std::uint64_t, N + 1> cumulative() const {
    std::array<std::uint64_t, N + 1> out{};
    std::uint64_t running = 0;
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = running += buckets_[i];
    return out;
  }
  std::uint64_t count() const { return count_; }
  std::uint64_t sum_us() const { return sum_us_; }

 private:
  std::array<double, N> upper_;
  std::array<std::atomic<std::uint64_t>, N + 1> buckets_{};
  std::atomic<std::uint64_t> count_{0}, sum_us_{0};
};

class Metrics {
 public:
  static constexpr int kEventTypes = 32;
  // Activity attempts and transitions: milliseconds to seconds.
  static constexpr std::array<double, 10> kLatencyBuckets = {0.005, 0.01, 0.025, 0.05, 0.1,
                                                             0.25,  0.5,  1,     2.5,  10};
  // Approvals wait for people: a minute to a month.
  static constexpr std::array<double, 9> kWaitBuckets = {60,    300,   900,    3600,   14400,
                                                         43200, 86400, 259200, 2592000};

  // The work of one namespace in a committed unit (runtime::Runtime::transact): its
  // transitions, activity calls by system (the activity's prefix), approval decisions.
  struct NamespaceWork {
    std::uint64_t transitions = 0, approval_decisions = 0;
    std::map<std::string, std::uint64_t> activity_calls;
  };
  void namespace_work(const std::string& ns, const NamespaceWork& w) {
    std::lock_guard lock(by_ns_mu_);
    auto& t = by_ns_[ns];
    t.transitions += w.transitions;
    t.approval_decisions += w.approval_decisions;
    for (const auto& [system, n] : w.activity_calls) t.activity_calls[system] += n;
  }
  // Totals by namespace since the process started (Prometheus counters).
  std::map<std::string, NamespaceWork> by_namespace() const {
    std::lock_guard lock(by_ns_mu_);
    return by_ns_;
  }

  void event(history::EventType t) { events_[static_cast<int>(t) % kEventTypes]++; }
  void transition(bool ok) { (ok ? transitions_ : transition_errors_)++; }
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

  // How long an activity attempt ran (scheduler::Worker).
  Histogram<kLatencyBuckets.size()> task_duration{kLatencyBuckets};
  // How long a unit of transitions took to decide and commit, retries included
  // (runtime::Runtime::transact).
  Histogram<kLatencyBuckets.size()> transition_duration{kLatencyBuckets};
  // From an approval's request to each decision on it (approvals::ApprovalDesk).
  Histogram<kWaitBuckets.size()> approval_wait{kWaitBuckets};

 private:
  std::array<std::atomic<std::uint64_t>, kEventTypes> events_{};
  std::atomic<std::uint64_t> transitions_{0}, transition_errors_{0};
  std::atomic<std::uint64_t> webhooks_ok_{0}, webhooks_failed_{0}, late_outcomes_{0};
  std::atomic<std::int64_t> stranded_{0};
  mutable std::mutex by_ns_mu_;
  std::map<std::string, NamespaceWork> by_ns_;
};

}  // namespace covenant::engine
