// Instance ids (engine/ids.hpp): UUIDv7 as RFC 9562 lays it out — the time first, so ids sort
// by when their instances started and sit together in the store's indexes — with 74 random
// bits, never repeated.
#include "engine/ids.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <regex>
#include <set>
#include <thread>

TEST_CASE("Instance ids are UUIDv7: version 7, variant 10, the time in milliseconds first",
          "[ids]") {
  covenant::engine::RandomIds ids;
  auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  std::string id = ids.instance_id();
  auto after = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  INFO(id);
  REQUIRE(std::regex_match(
      id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  long long ms = std::stoll(id.substr(0, 8) + id.substr(9, 4), nullptr, 16);
  CHECK(ms >= before);
  CHECK(ms <= after);
}

TEST_CASE("Instance ids sort by time and never repeat", "[ids]") {
  covenant::engine::RandomIds ids;
  std::string first = ids.instance_id();
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  std::string later = ids.instance_id();
  CHECK(first < later);
  std::set<std::string> seen;
  for (int i = 0; i < 20000; ++i) seen.insert(ids.instance_id());
  CHECK(seen.size() == 20000);  // many in the same millisecond: the random bits tell them apart
}
