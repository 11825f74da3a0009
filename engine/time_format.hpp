// RFC 3339 timestamps for the engine's TimePoint (microseconds since the Unix epoch, UTC).
// Pure functions; thread-safe.
#pragma once

#include "engine/clock.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace covenant::engine {

// "2026-11-23T09:13:00Z", with ".ffffff" when there are microseconds.
std::string format_rfc3339(TimePoint t);

// Accepts "YYYY-MM-DD" (midnight UTC), "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)".
std::optional<TimePoint> parse_rfc3339(std::string_view s);

std::int64_t to_micros(TimePoint t);
TimePoint from_micros(std::int64_t us);

}  // namespace covenant::engine
