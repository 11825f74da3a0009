// Base64 (RFC 4648, with padding) through OpenSSL, for bytes kept in text columns and for
// signatures. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace covenant::engine {

std::string to_base64(std::string_view bytes);
// nullopt when `text` is not base64.
std::optional<std::string> from_base64(std::string_view text);

}  // namespace covenant::engine
