// Clock: the engine's only source of time. SystemClock reads the wall clock; ManualClock is
// set and advanced by hand, so tests can move time by 48 hours without waiting.
// SystemClock is thread-safe; ManualClock is thread-safe (atomic).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace covenant::engine {

using TimePoint = std::chrono::sys_time<std::chrono::microseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : micros_(start.time_since_epoch().count()) {}
  TimePoint now() const override { return TimePoint(std::chrono::microseconds(micros_.load())); }
  void set(TimePoint t) { micros_ = t.time_since_epoch().count(); }
  void advance(std::chrono::microseconds d) { micros_ += d.count(); }

 private:
  std::atomic<std::int64_t> micros_;
};

// Elapsed time for measurements only (latency histograms, the access log's duration): a
// monotonic clock in microseconds from an arbitrary start. Never written into a history.
std::int64_t monotonic_us();

}  // namespace covenant::engine
