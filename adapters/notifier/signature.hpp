// Webhook signatures, the way Stripe signs its own: the header
//   Covenant-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
// A receiver recomputes the HMAC over the raw body, compares in constant time, and refuses
// timestamps outside its tolerance (replays). Pure functions.
#pragma once

#include <cstdint>
#include <string>

namespace covenant::adapters::notifier {

inline constexpr const char* kSignatureHeader = "Covenant-Signature";

std::string hmac_sha256_hex(const std::string& secret, const std::string& message);
// The header value for `body` sent at `timestamp_s`.
std::string sign(const std::string& secret, std::int64_t timestamp_s, const std::string& body);
// Whether `header` is a valid signature of `body` within `tolerance_s` of `now_s`.
bool verify(const std::string& secret, const std::string& header, const std::string& body,
            std::int64_t now_s, std::int64_t tolerance_s = 300);

}  // namespace covenant::adapters::notifier
