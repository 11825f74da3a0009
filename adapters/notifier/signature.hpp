// Webhook signatures, the way Stripe signs its own: the header
//   Covenant-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
// A receiver recomputes the HMAC over the raw body, compares in constant time, and refuses
// timestamps outside its tolerance (replays). While a secret is being rotated the header has
// one v1 per secret that signs (the new one first): a receiver accepts when any matches its
// own, so it may change over at any moment of the overlap. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace covenant::adapters::notifier {

inline constexpr const char* kSignatureHeader = "Covenant-Signature";

std::string hmac_sha256_hex(const std::string& secret, const std::string& message);
// The header value for `body` sent at `timestamp_s`.
std::string sign(const std::string& secret, std::int64_t timestamp_s, const std::string& body);
// The same with one v1 for each of `secrets`, in order.
std::string sign(const std::vector<std::string>& secrets, std::int64_t timestamp_s,
                 const std::string& body);
// Whether `header` is a valid signature of `body` by `secret` (one of its v1 values) within
// `tolerance_s` of `now_s`.
bool verify(const std::string& secret, const std::string& header, const std::string& body,
            std::int64_t now_s, std::int64_t tolerance_s = 300);

}  // namespace covenant::adapters::notifier
