#include "adapters/billing/billing.hpp"

#include <regex>

namespace covenant::adapters::billing {

http::Result<std::int64_t> minor_units(const json& v, const std::string& what) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_object() && v.contains("amount_minor") && v["amount_minor"].is_number_integer())
    return v["amount_minor"].get<std::int64_t>();
  return tl::unexpected(http::Error{http::Failure::Permanent,
                                    what + " must be an amount in integer minor units", 0,
                                    "bad_input"});
}

std::optional<std::int64_t> unix_day(const std::string& iso) {
  static const std::regex date_re(R"(^(\d{4})-(\d{2})-(\d{2})$)");
  std::smatch m;
  if (!std::regex_match(iso, m, date_re)) return std::nullopt;
  std::int64_t y = std::stoi(m[1]);
  unsigned mo = static_cast<unsigned>(std::stoi(m[2])), d = static_cast<unsigned>(std::stoi(m[3]));
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  // Days from civil (H. Hinnant's algorithm, public domain description).
  y -= mo <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace covenant::adapters::billing
