// Durations in workflow definitions: ISO 8601 ("PT48H", "P30D", "P1W", "PT1H30M") and
// shorthand ("48h", "30d", "1h30m", "90s", "2w"). Years and months are refused: they have
// no fixed length, and a durable timer must know exactly when it fires. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace covenant::workflows {

struct DurationParse {
  std::optional<std::int64_t> seconds;  // set on success; always > 0
  std::string error;                    // why not, on failure
};

DurationParse parse_duration(std::string_view text);

}  // namespace covenant::workflows
