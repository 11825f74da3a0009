// Test identity provider: RSA and P-256 keys made on the spot, their public JWKs, and JWTs
// signed with them through libjwt — so the OIDC tests never ship a private key.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace covenant::testing {

struct TestKey {
  std::string kid, alg;  // RS256 or ES256
  std::string private_pem, public_pem;
  nlohmann::json jwk;  // the public key as a JWK
};

TestKey make_rsa_key(const std::string& kid, int bits = 2048);
TestKey make_ec_key(const std::string& kid);
// {"keys": [each key's JWK]}
std::string jwks_of(const std::vector<TestKey>& keys);
// A compact JWT of `claims`, signed by `key` (header alg and kid from the key; `header`
// members added or overriding).
std::string sign_jwt(const TestKey& key, const nlohmann::json& claims,
                     const nlohmann::json& header = nlohmann::json::object());
// A JWT signed with HMAC-SHA256 under `secret` (to try the public key as a shared secret).
std::string sign_hs256(const std::string& secret, const std::string& kid,
                       const nlohmann::json& claims);
std::string base64url(const std::string& bytes);

}  // namespace covenant::testing
