#include "workflows/money.hpp"

#include <algorithm>
#include <utility>

namespace covenant::money {

namespace {

// ISO 4217 active currencies whose minor units are not two (list one, 2024 edition).
constexpr std::pair<std::string_view, int> kNotTwo[] = {
    {"BHD", 3}, {"BIF", 0}, {"CLF", 4}, {"CLP", 0}, {"DJF", 0}, {"GNF", 0}, {"IQD", 3},
    {"ISK", 0}, {"JOD", 3}, {"JPY", 0}, {"KMF", 0}, {"KRW", 0}, {"KWD", 3}, {"LYD", 3},
    {"OMR", 3}, {"PYG", 0}, {"RWF", 0}, {"TND", 3}, {"UGX", 0}, {"UYI", 0}, {"UYW", 4},
    {"VND", 0}, {"VUV", 0}, {"XAF", 0}, {"XOF", 0}, {"XPF", 0},
};

// The active currencies with two minor units.
constexpr std::string_view kTwo[] = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF",
    "CHE", "CHF", "CHW", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD",
    "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW",
    "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT",
    "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK",
    "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR",
    "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "USN", "UYU",
    "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR", "ZMW", "ZWG",
};

}  // namespace

std::optional<int> minor_units(std::string_view code) {
  if (code.size() != 3) return std::nullopt;
  for (const auto& [c, units] : kNotTwo)
    if (c == code) return units;
  for (auto c : kTwo)
    if (c == code) return 2;
  return std::nullopt;
}

std::optional<std::int64_t> add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

std::optional<std::int64_t> multiply(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

std::optional<std::int64_t> narrow(Wide v) {
  if (v > static_cast<Wide>(INT64_MAX) || v < static_cast<Wide>(INT64_MIN)) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

std::optional<std::int64_t> scale(std::int64_t amount, Wide num, Wide den) {
  constexpr Wide kLimit = static_cast<Wide>(1) << 63;
  if (amount < 0 || num < 0 || den <= 0 || num >= kLimit || den >= kLimit) return std::nullopt;
  Wide product = static_cast<Wide>(amount) * num;  // < 2^126
  return narrow((2 * product + den) / (2 * den));  // 2·product < 2^127
}

std::optional<std::vector<std::int64_t>> allocate(std::int64_t total,
                                                  const std::vector<Wide>& weights) {
  constexpr Wide kLimit = static_cast<Wide>(1) << 63;
  if (weights.empty() || total < 0) return std::nullopt;
  Wide sum = 0;
  for (auto w : weights) {
    if (w < 0 || w >= kLimit) return std::nullopt;
    sum += w;  // < 2^63 · count
  }
  if (sum == 0) return std::nullopt;
  std::vector<std::int64_t> parts(weights.size());
  std::vector<Wide> rem(weights.size());
  std::int64_t given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    Wide exact = static_cast<Wide>(total) * weights[i];  // < 2^126
    parts[i] = static_cast<std::int64_t>(exact / sum);   // ≤ total
    rem[i] = exact % sum;
    given += parts[i];  // ≤ total: the floors never sum past it
  }
  // At most one unit per part is left over; the largest remainders take them, earlier first.
  std::vector<std::size_t> order(weights.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return rem[a] > rem[b]; });
  for (std::int64_t i = 0; i < total - given; ++i) ++parts[order[static_cast<std::size_t>(i)]];
  return parts;
}

namespace {

// |minor| as whole and fractional digits in `currency`'s minor units.
std::pair<std::string, std::string> split_digits(std::int64_t minor, std::string_view currency) {
  int units = minor_units(currency).value_or(2);
  bool negative = minor < 0;
  // Digits of |minor| without overflow at INT64_MIN.
  std::string digits;
  std::uint64_t m =
      negative ? ~static_cast<std::uint64_t>(minor) + 1 : static_cast<std::uint64_t>(minor);
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + m % 10));
    m /= 10;
  } while (m);
  if (digits.size() <= static_cast<std::size_t>(units))
    digits.insert(0, static_cast<std::size_t>(units) + 1 - digits.size(), '0');
  return {digits.substr(0, digits.size() - static_cast<std::size_t>(units)),
          digits.substr(digits.size() - static_cast<std::size_t>(units))};
}

}  // namespace

std::string decimal(std::int64_t minor, std::string_view currency) {
  auto [whole, frac] = split_digits(minor, currency);
  return (minor < 0 ? "-" : "") + whole + (frac.empty() ? "" : "." + frac);
}

std::string format(std::int64_t minor, std::string_view currency) {
  bool negative = minor < 0;
  auto [whole, frac] = split_digits(minor, currency);
  std::string grouped;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  return std::string(currency) + " " + (negative ? "-" : "") + grouped +
         (frac.empty() ? "" : "." + frac);
}

}  // namespace covenant::money
