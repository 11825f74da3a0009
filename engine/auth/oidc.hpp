// Principals from the company's identity provider: OIDC / JWT bearer tokens (RFC 7519)
// verified against a configured issuer, audience and key set (JWKS, RFC 7517), with claims
// mapped to Covenant roles. The signature is checked by libjwt; the key set is turned into
// public keys by OpenSSL here. Only RS256 (RSA of 2048 bits or more) and ES256 (P-256) are
// accepted: `alg: none`, HMAC algorithms (which would take the public key as a shared secret)
// and a key of another type than the token's algorithm are refused before any check.
// A token is accepted when: its header names an allowed alg and a `kid` of the key set, the
// signature verifies, `iss` is the issuer, `aud` is (or contains) the audience, `exp` is
// present and not past, `nbf` and `iat` are not in the future (each within `leeway`), and
// the subject claim names someone. Thread-safe: keys may be replaced while tokens verify.
#pragma once

#include "engine/error.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace covenant::engine::auth {

struct OidcIssuer {
  std::string issuer;                 // the `iss` tokens carry, exactly
  std::string audience;               // what `aud` must be or contain
  std::string subject_claim = "sub";  // the principal's name (e.g. email)
  std::string roles_claim;            // a string or array of strings; "" for none
  // Claim values → Covenant roles (a group "finance-approvers" → finance). Values not listed
  // give no role.
  std::map<std::string, std::vector<std::string>> role_map;
  std::int64_t leeway_s = 60;  // clock skew allowed on exp, nbf and iat
  // The namespace its principals act in (docs/tenancy.md): this one, or — when
  // `namespace_claim` is set — the one that claim names, which must be one of `namespaces`
  // (an identity provider shared by several tenants speaks only for those it is given).
  std::string ns = "default";
  std::string namespace_claim;
  std::vector<std::string> namespaces;
};

// A public key of the set, ready for libjwt.
struct Jwk {
  std::string kid, kty, alg;  // alg: RS256 or ES256 (from the key's type and curve)
  std::string pem;            // SubjectPublicKeyInfo
};

// Parses a JWKS document ({"keys": [...]}): RSA keys (n, e; at least 2048 bits) and EC P-256
// keys (x, y). A key without a kid, of another type or curve, or meant for encryption
// (`use: enc`) is left out; `skipped` says which and why. Errors: InvalidArgument (not a key
// set, or no usable key in it).
Result<std::vector<Jwk>> parse_jwks(const std::string& json,
                                    std::vector<std::string>* skipped = nullptr);

// Who a verified token names.
struct TokenIdentity {
  std::string name;  // the subject claim's value
  std::vector<std::string> roles;
  std::string issuer;
  nlohmann::json claims;  // every claim, as verified
  std::string ns;         // the namespace it acts in
};

// True when `token` has the shape of a JWT (three base64url parts), not a Covenant token.
bool looks_like_jwt(const std::string& token);
// The `iss` claim of a JWT, read without verifying (to pick the verifier); "" if none.
std::string unverified_issuer(const std::string& token);

// Fetches the issuer's key set again (its jwks_uri): the new keys, or why not.
using KeyFetcher = std::function<Result<std::vector<Jwk>>()>;

class OidcVerifier {
 public:
  OidcVerifier(OidcIssuer issuer, std::vector<Jwk> keys);
  // With a fetcher, a token whose kid is not in the set makes the verifier fetch the set again
  // (the provider rotated its keys) — at most once per `min_interval_s`, so tokens with made-up
  // kids cannot make it hammer the provider; a failed fetch keeps the keys it has.
  OidcVerifier(OidcIssuer issuer, std::vector<Jwk> keys, KeyFetcher fetch,
               std::int64_t min_interval_s = 60);
  const OidcIssuer& issuer() const { return issuer_; }
  void set_keys(std::vector<Jwk> keys);
  // Errors: Unauthenticated, the message saying why (expired, wrong audience, unknown key …),
  // never echoing the token.
  Result<TokenIdentity> verify(const std::string& token, std::int64_t now_s) const;

 private:
  // The key named `kid`, fetching the set again first if it is unknown and allowed to.
  std::optional<Jwk> key(const std::string& kid, std::int64_t now_s) const;
  OidcIssuer issuer_;
  KeyFetcher fetch_;
  std::int64_t min_interval_s_ = 60;
  mutable std::mutex mu_;
  mutable std::vector<Jwk> keys_;           // GUARDED_BY(mu_)
  mutable std::int64_t last_fetch_s_ = -1;  // GUARDED_BY(mu_); -1: never
};

}  // namespace covenant::engine::auth
