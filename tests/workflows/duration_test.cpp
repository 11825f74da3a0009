#include "workflows/duration.hpp"

#include <catch2/catch.hpp>

using covenant::workflows::parse_duration;

TEST_CASE("ISO 8601 and shorthand durations parse to seconds") {
  CHECK(parse_duration("PT48H").seconds == 48 * 3600);
  CHECK(parse_duration("P30D").seconds == 30 * 86400);
  CHECK(parse_duration("P1W").seconds == 7 * 86400);
  CHECK(parse_duration("P1DT2H30M15S").seconds == 86400 + 2 * 3600 + 30 * 60 + 15);
  CHECK(parse_duration("PT90S").seconds == 90);
  CHECK(parse_duration("48h").seconds == 48 * 3600);
  CHECK(parse_duration("30d").seconds == 30 * 86400);
  CHECK(parse_duration("1h30m").seconds == 5400);
  CHECK(parse_duration("2w").seconds == 14 * 86400);
  CHECK(parse_duration("15s").seconds == 15);
}

TEST_CASE("Bad durations are refused with a reason") {
  auto months = parse_duration("P1M");
  CHECK_FALSE(months.seconds);
  CHECK(months.error.find("no fixed length") != std::string::npos);
  CHECK_FALSE(parse_duration("P1Y").seconds);
  CHECK_FALSE(parse_duration("").seconds);
  CHECK_FALSE(parse_duration("P").seconds);
  CHECK_FALSE(parse_duration("PT").seconds);
  CHECK_FALSE(parse_duration("PT5").seconds);
  CHECK_FALSE(parse_duration("P5H").seconds);  // hours belong after T
  CHECK_FALSE(parse_duration("0s").seconds);
  CHECK_FALSE(parse_duration("3 days").seconds);
  CHECK_FALSE(parse_duration("10y").seconds);
  CHECK_FALSE(parse_duration("h").seconds);
  CHECK_FALSE(parse_duration("99999999999999999999d").seconds);
  CHECK(parse_duration("36600d").seconds.has_value());
  CHECK_FALSE(parse_duration("36700d").seconds);
}
