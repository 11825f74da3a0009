// Money from systems that send decimals (Salesforce's currency fields, NetSuite amounts):
// JSON parsed with every non-integer number kept as its exact text, and that text turned
// into integer minor units by string arithmetic — never through floating point.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace covenant::adapters::http {

// Parses JSON; numbers with a fraction or exponent become strings of their exact text
// ("4800.50"); integers stay integers. Returns a discarded value on malformed input.
nlohmann::json parse_exact(const std::string& text);

// The number of minor-unit digits of an ISO 4217 currency (JPY 0, BHD 3, most 2; 2 for a code
// that is not one — callers that must refuse unknown codes ask money::minor_units).
int minor_digits(const std::string& currency);

// "4800.5" with 2 digits → 480050. An integer JSON value or a decimal string; more fraction
// digits than the currency has, or anything else, is nullopt (nothing is rounded silently).
std::optional<std::int64_t> to_minor(const nlohmann::json& amount, int digits);

}  // namespace covenant::adapters::http
