// What the handoff latency view computes from store.handoffs and an instance's history: per
// stage (signed → extracted → approved → provisioned → invoiced, and signed → invoiced as a
// whole) how many contracts crossed it and how long they took — median, 90th percentile,
// longest, and a histogram — and, for one contract, where it waited: each approval gate, wait
// state and task it sat in, for how long, and in which stage. Pure: the route reads, this counts.
#pragma once

#include "engine/history/event.hpp"
#include "engine/store/handoffs.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace covenant::app {

// The histogram's upper bounds in microseconds (the last bucket has none): an hour, four
// hours, a day, three days, a week, two weeks, thirty days.
inline constexpr std::array<std::int64_t, 7> kHandoffBuckets = {
    3'600'000'000LL,   14'400'000'000LL,    86'400'000'000LL,   259'200'000'000LL,
    604'800'000'000LL, 1'209'600'000'000LL, 2'592'000'000'000LL};

struct StageStats {
  std::string from, to;  // milestone names
  std::int64_t count = 0;
  // Nearest-rank percentiles of the durations, in microseconds (0 when count is 0).
  std::int64_t p50_us = 0, p90_us = 0, max_us = 0;
  std::int64_t out_of_order = 0;  // both reached, the later one first: not counted
  std::array<std::int64_t, kHandoffBuckets.size() + 1> buckets{};
};

// The four stages between consecutive milestones, then signed → invoiced.
std::vector<StageStats> handoff_stats(const std::vector<engine::store::HandoffTimes>& rows);

// The stage a moment falls in: "signed → extracted" is the time after signed was reached and
// before extracted was; "before signed" and "after invoiced" at the ends.
std::string stage_at(const engine::store::HandoffRow& row, std::int64_t at_us);

struct Waited {
  std::string state, kind;  // kind: gate (an approval), wait (an event or a person), task
  std::string stage;        // stage_at its start
  std::int64_t from_us = 0, to_us = 0;  // to_us 0: still there
  std::int64_t occurrence = 1;
};

// Where an instance waited, the longest first, at most `keep`: each stay in an approval, wait or
// task state from its StateEntered to the next state its frame entered (or the frame's or the
// instance's end; `now_us` for a stay not over). Only on the handoff path: once the instance
// reached its first invoice, a stay that began after it is left out and one across it ends there.
std::vector<Waited> waits_of(const std::vector<engine::history::Event>& events,
                             const engine::store::HandoffRow& row, std::int64_t now_us,
                             std::size_t keep = 5);

}  // namespace covenant::app
