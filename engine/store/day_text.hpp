// Dates as the store keeps them in text columns that sort as dates: "YYYY-MM-DD" and "YYYY-MM".
#pragma once

#include <chrono>
#include <string>

namespace covenant::engine::store {

inline bool is_iso_month(const std::string& m) {
  if (m.size() != 7 || m[4] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6})
    if (m[i] < '0' || m[i] > '9') return false;
  return m.substr(5) >= "01" && m.substr(5) <= "12";
}

// A day the calendar has.
inline bool is_iso_day(const std::string& d) {
  if (d.size() != 10 || d[7] != '-' || !is_iso_month(d.substr(0, 7))) return false;
  if (d[8] < '0' || d[8] > '9' || d[9] < '0' || d[9] > '9') return false;
  std::chrono::year_month_day ymd{
      std::chrono::year{std::stoi(d.substr(0, 4))},
      std::chrono::month{static_cast<unsigned>(std::stoi(d.substr(5, 2)))},
      std::chrono::day{static_cast<unsigned>(std::stoi(d.substr(8, 2)))}};
  return ymd.ok();
}

}  // namespace covenant::engine::store
