// Calendar dates for terms, billing periods and revenue schedules: ISO "YYYY-MM-DD" to and
// from std::chrono::sys_days, and adding months the way contracts mean it (one month after
// January 31 is the last day of February). Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

namespace covenant::activities::dates {

using Day = std::chrono::sys_days;

inline std::optional<Day> parse(const std::string& s) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3)
    return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return Day{ymd};
}

inline std::string iso(Day d) {
  std::chrono::year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

// `months` after `d`, the day clamped to the month's last day.
inline Day add_months(Day d, int months) {
  std::chrono::year_month_day ymd{d};
  auto ym = std::chrono::year_month{ymd.year(), ymd.month()} + std::chrono::months{months};
  auto last = std::chrono::year_month_day_last{ym.year(), std::chrono::month_day_last{ym.month()}};
  auto day = ymd.day() > last.day() ? last.day() : ymd.day();
  return Day{std::chrono::year_month_day{ym.year(), ym.month(), day}};
}

// A duration {"value": n, "unit": "day(s)|week(s)|month(s)|year(s)"} after `d`.
inline std::optional<Day> add(Day d, int value, const std::string& unit) {
  if (unit.rfind("year", 0) == 0) return add_months(d, 12 * value);
  if (unit.rfind("month", 0) == 0) return add_months(d, value);
  if (unit.rfind("week", 0) == 0) return d + std::chrono::days{7 * value};
  if (unit.rfind("day", 0) == 0) return d + std::chrono::days{value};
  return std::nullopt;
}

inline long days_between(Day from, Day to) { return static_cast<long>((to - from).count()); }

}  // namespace covenant::activities::dates
