#include "workflows/duration.hpp"

#include <cctype>
#include <limits>

namespace covenant::workflows {
namespace {

constexpr std::int64_t kMaxSeconds = std::int64_t{100} * 366 * 24 * 3600;  // a century

// Reads a run of digits at `i`; returns nullopt when there is none or it overflows.
std::optional<std::int64_t> read_number(std::string_view s, std::size_t& i) {
  std::size_t start = i;
  std::int64_t n = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    if (n > (std::numeric_limits<std::int64_t>::max() - 9) / 10) return std::nullopt;
    n = n * 10 + (s[i] - '0');
    ++i;
  }
  if (i == start) return std::nullopt;
  return n;
}

DurationParse fail(std::string why) { return {std::nullopt, std::move(why)}; }

DurationParse finish(std::int64_t total) {
  if (total <= 0) return fail("a duration must be longer than zero");
  if (total > kMaxSeconds) return fail("a duration may not exceed 100 years");
  return {total, {}};
}

bool add(std::int64_t& total, std::int64_t n, std::int64_t unit) {
  if (n > kMaxSeconds / unit) return false;
  total += n * unit;
  return total <= kMaxSeconds;
}

DurationParse parse_iso(std::string_view s) {
  // P[nW][nD][T[nH][nM][nS]]
  std::size_t i = 1;
  bool in_time = false, any = false;
  std::int64_t total = 0;
  while (i < s.size()) {
    if (s[i] == 'T') {
      if (in_time) return fail("'T' appears twice");
      in_time = true;
      ++i;
      if (i == s.size()) return fail("nothing follows 'T'");
      continue;
    }
    auto n = read_number(s, i);
    if (!n) return fail("expected a number at position " + std::to_string(i + 1));
    if (i == s.size()) return fail("a number without a unit at the end");
    char u = s[i++];
    std::int64_t unit = 0;
    if (!in_time && u == 'W')
      unit = 7 * 86400;
    else if (!in_time && u == 'D')
      unit = 86400;
    else if (in_time && u == 'H')
      unit = 3600;
    else if (in_time && u == 'M')
      unit = 60;
    else if (in_time && u == 'S')
      unit = 1;
    else if (!in_time && (u == 'Y' || u == 'M'))
      return fail("years and months have no fixed length; use days (e.g. P30D)");
    else
      return fail(std::string("unexpected unit '") + u + "'");
    if (!add(total, *n, unit)) return fail("a duration may not exceed 100 years");
    any = true;
  }
  if (!any) return fail("no amount given");
  return finish(total);
}

DurationParse parse_shorthand(std::string_view s) {
  std::size_t i = 0;
  std::int64_t total = 0;
  while (i < s.size()) {
    auto n = read_number(s, i);
    if (!n) return fail("expected a number at position " + std::to_string(i + 1));
    if (i == s.size()) return fail("a number needs a unit: s, m, h, d or w");
    char u = s[i++];
    std::int64_t unit = 0;
    switch (u) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      case 'w':
        unit = 7 * 86400;
        break;
      default:
        return fail(std::string("unknown unit '") + u + "' (use s, m, h, d or w)");
    }
    if (!add(total, *n, unit)) return fail("a duration may not exceed 100 years");
  }
  return finish(total);
}

}  // namespace

DurationParse parse_duration(std::string_view text) {
  if (text.empty()) return fail("empty duration");
  if (text.find_first_of(" \t") != std::string_view::npos)
    return fail("no spaces allowed: write e.g. 3d or P3D");
  if (text[0] == 'P') return parse_iso(text);
  if (std::isdigit(static_cast<unsigned char>(text[0]))) return parse_shorthand(text);
  return fail("expected ISO 8601 (PT48H, P30D) or shorthand (48h, 30d)");
}

}  // namespace covenant::workflows
