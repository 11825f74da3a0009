#include "engine/time_format.hpp"

#include <cctype>
#include <cstdio>

namespace covenant::engine {

using namespace std::chrono;

std::int64_t to_micros(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint from_micros(std::int64_t us) { return TimePoint(microseconds(us)); }

std::string format_rfc3339(TimePoint t) {
  auto day = floor<days>(t);
  year_month_day ymd{day};
  auto rest = t - day;
  auto h = duration_cast<hours>(rest);
  auto m = duration_cast<minutes>(rest - h);
  auto s = duration_cast<seconds>(rest - h - m);
  auto us = (rest - h - m - s).count();
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02lld", int(ymd.year()),
                        unsigned(ymd.month()), unsigned(ymd.day()), int(h.count()), int(m.count()),
                        static_cast<long long>(s.count()));
  if (us) std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(us));
  return std::string(buf) + "Z";
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<TimePoint> parse_rfc3339(std::string_view s) {
  int y, mo, d;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  year_month_day ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
  if (!ymd.ok()) return std::nullopt;
  TimePoint t = time_point_cast<microseconds>(sys_days(ymd));
  if (s.size() == 10) return t;
  int hh, mm, ss;
  if (s.size() < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, hh) ||
      s[13] != ':' || !digits(s, 14, 2, mm) || s[16] != ':' || !digits(s, 17, 2, ss) || hh > 23 ||
      mm > 59 || ss > 60)
    return std::nullopt;
  t += hours(hh) + minutes(mm) + seconds(ss);
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    std::int64_t frac = 0, scale = 100000;
    ++i;
    std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (scale) frac += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return std::nullopt;
    t += microseconds(frac);
  }
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) return t;
  int oh, om;
  if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && digits(s, i + 1, 2, oh) &&
      s[i + 3] == ':' && digits(s, i + 4, 2, om)) {
    auto off = hours(oh) + minutes(om);
    return s[i] == '+' ? t - off : t + off;
  }
  return std::nullopt;
}

}  // namespace covenant::engine
