// The handoff view's arithmetic, apart from any store: the distributions (nearest rank, the
// histogram, stages whose milestones came out of order), the stage a moment falls in, and where
// an instance waited — only on its handoff path, which ends at its first invoice.
#include "app/handoff_view.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using covenant::app::handoff_stats;
using covenant::app::stage_at;
using covenant::app::waits_of;
using covenant::engine::history::Event;
using covenant::engine::history::EventType;
using covenant::engine::store::HandoffRow;
using covenant::engine::store::HandoffTimes;

constexpr std::int64_t kHour = 3'600'000'000LL;
constexpr std::int64_t kT0 = 1'800'000'000'000'000LL;  // 2027-01-15, microseconds

HandoffTimes times(std::int64_t signed_h, std::int64_t extracted_h, std::int64_t approved_h,
                   std::int64_t provisioned_h, std::int64_t invoiced_h) {
  HandoffTimes t;
  std::int64_t hours[] = {signed_h, extracted_h, approved_h, provisioned_h, invoiced_h};
  for (std::size_t k = 0; k < t.at_us.size(); ++k)
    t.at_us[k] = hours[k] < 0 ? 0 : kT0 + hours[k] * kHour;
  return t;
}

Event entered(std::int64_t seq, std::int64_t hour, const std::string& state,
              const std::string& type, const std::string& frame = "") {
  Event e;
  e.seq = seq;
  e.type = EventType::StateEntered;
  e.at_us = kT0 + hour * kHour;
  e.frame = frame;
  e.state = state;
  e.payload = {{"type", type}};
  return e;
}

}  // namespace

TEST_CASE("Handoff distributions are nearest-rank over the contracts that crossed each stage") {
  // Ten contracts signed at hour 0, approved 1..10 hours later; one never approved; one whose
  // workflow changed under way and was approved before extraction.
  std::vector<HandoffTimes> rows;
  for (int k = 1; k <= 10; ++k) rows.push_back(times(0, 0, k, -1, -1));
  rows.push_back(times(0, 0, -1, -1, -1));
  rows.push_back(times(0, 5, 2, -1, -1));
  auto stats = handoff_stats(rows);
  REQUIRE(stats.size() == 5);
  CHECK(stats[0].from == "signed");
  CHECK(stats[0].to == "extracted");
  CHECK(stats[4].from == "signed");
  CHECK(stats[4].to == "invoiced");
  CHECK(stats[4].count == 0);
  CHECK(stats[4].p50_us == 0);

  const auto& approval = stats[1];
  CHECK(approval.from == "extracted");
  CHECK(approval.to == "approved");
  CHECK(approval.count == 10);
  CHECK(approval.out_of_order == 1);
  CHECK(approval.p50_us == 5 * kHour);  // rank ceil(0.5 · 10) = 5
  CHECK(approval.p90_us == 9 * kHour);  // rank ceil(0.9 · 10) = 9
  CHECK(approval.max_us == 10 * kHour);
  // Under an hour: none (the shortest is exactly one); 1–4 hours: 3; 4–24 hours: 7.
  CHECK(approval.buckets[0] == 0);
  CHECK(approval.buckets[1] == 3);
  CHECK(approval.buckets[2] == 7);
  std::int64_t in_buckets = 0;
  for (auto b : approval.buckets) in_buckets += b;
  CHECK(in_buckets == approval.count);
}

TEST_CASE("A moment falls in the stage its first unreached milestone closes") {
  HandoffRow row;
  row.at_us = times(0, 2, 10, -1, -1).at_us;
  CHECK(stage_at(row, kT0 - 1) == "before signed");
  CHECK(stage_at(row, kT0) == "signed → extracted");
  CHECK(stage_at(row, kT0 + kHour) == "signed → extracted");
  CHECK(stage_at(row, kT0 + 2 * kHour) == "extracted → approved");
  CHECK(stage_at(row, kT0 + 50 * kHour) == "approved → provisioned");
  row.at_us = times(0, 2, 10, 20, 30).at_us;
  CHECK(stage_at(row, kT0 + 30 * kHour) == "after invoiced");
}

TEST_CASE("Where an instance waited: the longest stays on its path, none after its first invoice") {
  HandoffRow row;
  row.at_us = times(0, 1, 27, 75, 76).at_us;
  std::vector<Event> history = {
      entered(1, 0, "extract", "task"),
      entered(2, 1, "finance_approval", "approval"),
      entered(3, 27, "provision", "task"),
      entered(4, 27, "await_provisioning", "wait"),
      entered(5, 75, "subscribe", "task"),
      // The same frame moves on: each stay ends where the next begins.
      entered(6, 76, "watch", "parallel"),
      // A monitor's wait that began before the first invoice and lasts a month after it.
      entered(7, 70, "sla_wait", "wait", "sla"),
      // A renewal wait that began after it: not handoff latency.
      entered(8, 77, "renewal_wait", "wait", "renewal"),
  };
  auto waits = waits_of(history, row, kT0 + 800 * kHour);
  REQUIRE(waits.size() == 5);  // and extract, subscribe: an hour each
  CHECK(waits[0].state == "await_provisioning");
  CHECK(waits[0].kind == "wait");
  CHECK(waits[0].stage == "approved → provisioned");
  CHECK(waits[0].to_us - waits[0].from_us == 48 * kHour);
  CHECK(waits[1].state == "finance_approval");
  CHECK(waits[1].kind == "gate");
  CHECK(waits[1].stage == "extracted → approved");
  CHECK(waits[1].to_us - waits[1].from_us == 26 * kHour);
  // The monitor's wait counts only up to the first invoice.
  CHECK(waits[2].state == "sla_wait");
  CHECK(waits[2].to_us == row.at_us.back());
  CHECK(waits[2].to_us - waits[2].from_us == 6 * kHour);
  for (const auto& w : waits) {
    INFO(w.state);
    CHECK(w.state != "renewal_wait");
    CHECK(w.state != "watch");  // a parallel state is not a wait
    CHECK(w.to_us != 0);
    CHECK(w.to_us <= row.at_us.back());
  }
  CHECK(waits_of(history, row, kT0 + 800 * kHour, 2).size() == 2);

  // Not invoiced yet: a stay still open runs to now.
  row.at_us = times(0, 1, 27, -1, -1).at_us;
  std::vector<Event> open = {entered(1, 1, "finance_approval", "approval"),
                             entered(2, 27, "await_provisioning", "wait")};
  auto waiting = waits_of(open, row, kT0 + 40 * kHour);
  REQUIRE(waiting.size() == 2);
  CHECK(waiting[0].state == "finance_approval");
  CHECK(waiting[1].state == "await_provisioning");
  CHECK(waiting[1].to_us == 0);
  CHECK(waiting[1].stage == "approved → provisioned");
}
