// Money: integer minor units of an ISO 4217 currency, in arithmetic that refuses instead of
// wrapping around. Every amount Covenant computes (plans, allocations, prorations, totals)
// goes through these functions; a result that does not fit a signed 64-bit count of minor
// units is nullopt, and the caller refuses its input naming the field. Pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace covenant::money {

__extension__ using Wide = __int128;  // intermediate products: amount × days, amount × weight

// The largest amount: 9,223,372,036,854,775,807 minor units.
inline constexpr std::int64_t kLargest = INT64_MAX;

// The minor units of an active ISO 4217 currency: "JPY" 0, "EUR" 2, "BHD" 3, "CLF" 4. nullopt for
// anything else: unknown or retired codes, lower case, symbols ("€"), and the codes without
// minor units (gold, SDR, testing: XAU, XDR, XTS…), which are not money Covenant bills.
std::optional<int> minor_units(std::string_view code);
inline bool is_currency(std::string_view code) { return minor_units(code).has_value(); }

std::optional<std::int64_t> add(std::int64_t a, std::int64_t b);
std::optional<std::int64_t> multiply(std::int64_t a, std::int64_t b);
std::optional<std::int64_t> narrow(Wide v);

// amount × num / den, rounded to the nearest unit (halves up); amount, num ≥ 0 and den > 0.
// nullopt when the result does not fit. Exact for every amount and num below 2^63.
std::optional<std::int64_t> scale(std::int64_t amount, Wide num, Wide den);

// `total` split into parts proportional to `weights` that sum exactly to it: each part is the
// floor of its exact share, and the units left over go one each to the largest remainders (ties
// to the earlier part). nullopt when total is negative or the weights are empty, negative, all
// zero or not below 2^63.
std::optional<std::vector<std::int64_t>> allocate(std::int64_t total,
                                                  const std::vector<Wide>& weights);

// "EUR 15,000.01", "JPY 1,000", "BHD 1.250": for messages a person reads.
std::string format(std::int64_t minor, std::string_view currency);
// The amount as a plain decimal a spreadsheet reads as a number: "-1250.00", "1000" (JPY).
std::string decimal(std::int64_t minor, std::string_view currency);

}  // namespace covenant::money
