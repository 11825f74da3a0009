// The stored form of one transition's events (engine/store/history_rows.hpp): what is written
// decodes to the same events with a chain that verifies, and a row in any other shape is named
// as damaged — never read as something it is not.
#include "engine/store/history_rows.hpp"

#include "engine/history/hash_chain.hpp"

#include <catch2/catch.hpp>

namespace {

namespace rows = covenant::engine::store::history_rows;
using covenant::engine::history::Event;
using covenant::engine::history::EventType;

// A sealed chain of `n` events of one instance, starting after `prev`.
std::vector<Event> chain(int n, std::int64_t first_seq = 1, std::string prev = "") {
  std::vector<Event> out;
  for (int k = 0; k < n; ++k) {
    Event e;
    e.instance_id = "i-1";
    e.seq = first_seq + k;
    e.type = k == 0 ? EventType::ActivityCompleted : EventType::StateEntered;
    e.at_us = 1'700'000'000'000'000;
    e.frame = "main";
    e.state = "s\"" + std::to_string(k) + "\n\x01";  // quotes and control bytes survive
    e.payload = {{"z", 1}, {"a", {{"amount_minor", 12345}, {"note", "ü\u2028"}}}};
    e.prev_hash = prev;
    e.hash = covenant::engine::history::event_hash(e);
    prev = e.hash;
    out.push_back(std::move(e));
  }
  return out;
}

std::string damage_of(std::int64_t last_seq, const std::string& text) {
  int calls = 0;
  auto reason = rows::decode(last_seq, "", text, [&](rows::DecodedEvent&&) { ++calls; });
  CHECK(calls == 0);  // a damaged row yields nothing, not a prefix
  return reason;
}

}  // namespace

TEST_CASE("A history row decodes to the events it was written from, chain intact") {
  auto earlier = chain(2);
  auto events = chain(3, 3, earlier.back().hash);
  std::string text;
  rows::encode(text, events.data(), events.data() + events.size());

  std::vector<Event> back = earlier;
  auto reason = rows::decode(5, earlier.back().hash, text, [&](rows::DecodedEvent&& d) {
    Event e;
    e.instance_id = "i-1";
    e.seq = d.seq;
    e.type = static_cast<EventType>(d.type);
    e.at_us = events.front().at_us;
    e.frame = d.frame;
    e.state = d.state;
    e.payload = std::move(d.payload);
    e.prev_hash = d.prev_hash;
    e.hash = d.hash;
    back.push_back(std::move(e));
  });
  REQUIRE(reason.empty());
  REQUIRE(back.size() == 5);
  for (int k = 0; k < 3; ++k) {
    CHECK(back[2 + k].seq == events[k].seq);
    CHECK(back[2 + k].state == events[k].state);
    CHECK(back[2 + k].payload == events[k].payload);
    CHECK(back[2 + k].prev_hash == events[k].prev_hash);
  }
  CHECK_FALSE(covenant::engine::history::verify_chain(back).has_value());
}

TEST_CASE("A history row in any other shape is reported as damaged") {
  auto events = chain(2);
  std::string good;
  rows::encode(good, events.data(), events.data() + events.size());

  CHECK(damage_of(2, "{not json") == "its stored events are not JSON");
  CHECK(damage_of(2, "[]") == "its stored events are not a list of events");
  CHECK(damage_of(2, R"({"a":1})") == "its stored events are not a list of events");
  CHECK(damage_of(1, R"([[1,"f","s",{},"h","extra"]])") ==
        "its stored events are not in the history's form");
  CHECK(damage_of(1, R"([[-1,"f","s",{},"h"]])") ==
        "its stored events are not in the history's form");
  // A type number that would wrap into a real type when narrowed is refused, not narrowed.
  CHECK(damage_of(1, R"([[4294967297,"f","s",{},"h"]])") ==
        "its stored events are not in the history's form");
  CHECK(damage_of(1, R"([[1,7,"s",{},"h"]])") == "its stored events are not in the history's form");
  // Two events cannot end at event 1.
  CHECK(damage_of(1, good) == "its stored events do not fit its sequence number");
}
