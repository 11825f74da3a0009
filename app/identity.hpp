// Fetching an identity provider's key set from its jwks_uri (docs/principals.md): the one place
// Covenant reaches out for keys. Used at start (a provider whose keys cannot be read stops the
// server with the reason) and by the verifier when a token names a key it has not seen.
#pragma once

#include "engine/auth/oidc.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace covenant::app {

// GETs `url` (http:// or https://), at most 1 MiB within `timeout`, and parses it as a JWKS.
// Errors: Unavailable (no answer, a non-200 status), InvalidArgument (not a usable key set).
engine::Result<std::vector<engine::auth::Jwk>> fetch_jwks(
    const std::string& url, std::chrono::seconds timeout = std::chrono::seconds(5));

}  // namespace covenant::app
