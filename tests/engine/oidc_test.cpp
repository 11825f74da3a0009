// OIDC bearer tokens (engine/auth/oidc.hpp): RS256 and ES256 tokens from the configured issuer,
// for the configured audience and unexpired, are accepted with their roles; every other kind is
// refused with the reason — wrong issuer, wrong audience, expired, not yet valid, no expiry,
// alg none, HMAC with the public key as secret, an unknown kid, a key of the other type, a
// tampered payload or signature — and the key set parser keeps only keys it can verify with.
#include "engine/auth/oidc.hpp"

#include "tests/support/jwt_signer.hpp"

#include <catch2/catch.hpp>

using covenant::engine::auth::OidcIssuer;
using covenant::engine::auth::OidcVerifier;
using covenant::testing::base64url;
using covenant::testing::sign_jwt;
using nlohmann::json;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

OidcIssuer acme_idp() {
  OidcIssuer i;
  i.issuer = "https://login.acme.example/";
  i.audience = "covenant";
  i.subject_claim = "email";
  i.roles_claim = "groups";
  i.role_map = {{"finance-approvers", {"finance"}}, {"revops-team", {"revops", "auditor"}}};
  return i;
}

json good_claims() {
  return {{"iss", "https://login.acme.example/"},
          {"aud", json::array({"covenant", "crm"})},
          {"sub", "00u1abc"},
          {"email", "dana@acme.example"},
          {"groups", json::array({"finance-approvers", "everyone"})},
          {"iat", kNow - 60},
          {"nbf", kNow - 60},
          {"exp", kNow + 600}};
}

std::string refused(const OidcVerifier& v, const std::string& token) {
  auto r = v.verify(token, kNow);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == covenant::engine::ErrorCode::Unauthenticated);
  CHECK(r.error().message.find(token) == std::string::npos);  // never echoes the token
  return r.error().message;
}

}  // namespace

TEST_CASE("OIDC: RS256 and ES256 tokens of the issuer, for the audience, unexpired, are accepted") {
  auto rsa = covenant::testing::make_rsa_key("rsa-1");
  auto ec = covenant::testing::make_ec_key("ec-1");
  auto keys = covenant::engine::auth::parse_jwks(covenant::testing::jwks_of({rsa, ec}));
  REQUIRE(keys);
  REQUIRE(keys->size() == 2);
  OidcVerifier v(acme_idp(), *keys);
  for (const auto* key : {&rsa, &ec}) {
    INFO(key->alg);
    auto token = sign_jwt(*key, good_claims());
    CHECK(covenant::engine::auth::looks_like_jwt(token));
    CHECK(covenant::engine::auth::unverified_issuer(token) == "https://login.acme.example/");
    auto who = v.verify(token, kNow);
    REQUIRE(who);
    CHECK(who->name == "dana@acme.example");
    CHECK(who->roles == std::vector<std::string>{"finance"});  // "everyone" maps to nothing
    CHECK(who->issuer == "https://login.acme.example/");
  }
  // A single audience as a string, roles from two groups, within the leeway of expiry.
  auto claims = good_claims();
  claims["aud"] = "covenant";
  claims["groups"] = json::array({"revops-team", "finance-approvers"});
  claims["exp"] = kNow - 30;
  auto who = v.verify(sign_jwt(rsa, claims), kNow);
  REQUIRE(who);
  CHECK(who->roles == std::vector<std::string>{"auditor", "finance", "revops"});
}

TEST_CASE("OIDC: wrong issuer, audience, times, algorithms, keys and tampering are refused") {
  auto rsa = covenant::testing::make_rsa_key("rsa-1");
  auto ec = covenant::testing::make_ec_key("ec-1");
  auto stranger = covenant::testing::make_rsa_key("rsa-1");  // same kid, other key
  auto keys = covenant::engine::auth::parse_jwks(covenant::testing::jwks_of({rsa, ec}));
  REQUIRE(keys);
  OidcVerifier v(acme_idp(), *keys);
  auto with = [&](const char* k, json value) {
    auto c = good_claims();
    if (value.is_null())
      c.erase(k);
    else
      c[k] = value;
    return sign_jwt(rsa, c);
  };
  CHECK(refused(v, with("iss", "https://evil.example/")).find("issuer") != std::string::npos);
  CHECK(refused(v, with("aud", "other-app")).find("audience") != std::string::npos);
  CHECK(refused(v, with("aud", json::array({"crm"}))).find("audience") != std::string::npos);
  CHECK(refused(v, with("exp", kNow - 61)).find("expired") != std::string::npos);
  CHECK(refused(v, with("exp", nullptr)).find("no expiry") != std::string::npos);
  CHECK(refused(v, with("exp", "tomorrow")).find("no expiry") != std::string::npos);
  CHECK(refused(v, with("nbf", kNow + 3600)).find("not valid yet") != std::string::npos);
  CHECK(refused(v, with("iat", kNow + 3600)).find("future") != std::string::npos);
  CHECK(refused(v, with("email", nullptr)).find("does not name anyone") != std::string::npos);
  CHECK(refused(v, with("email", "dana\n@acme")).find("control") != std::string::npos);
  // alg none: a header that says so and no signature.
  std::string payload = base64url(good_claims().dump());
  std::string none = base64url(R"({"alg":"none","kid":"rsa-1"})") + "." + payload + ".";
  CHECK(refused(v, none).find("'none' is not accepted") != std::string::npos);
  // HS256 with the RSA public key as the shared secret (the classic confusion).
  auto hs = covenant::testing::sign_hs256(rsa.public_pem, "rsa-1", good_claims());
  CHECK(refused(v, hs).find("'HS256' is not accepted") != std::string::npos);
  // A kid the key set does not have, and none at all.
  CHECK(refused(v, sign_jwt(covenant::testing::make_rsa_key("rsa-9"), good_claims()))
            .find("'rsa-9' is not in") != std::string::npos);
  // The same kid, signed by another key.
  CHECK(refused(v, sign_jwt(stranger, good_claims())).find("signature") != std::string::npos);
  // An ES256 header naming the RSA key.
  auto ec_as_rsa = ec;
  ec_as_rsa.kid = "rsa-1";
  CHECK(refused(v, sign_jwt(ec_as_rsa, good_claims())).find("does not match") != std::string::npos);
  // Tampering: a payload swapped under the old signature; a signature changed.
  auto token = sign_jwt(rsa, good_claims());
  auto d1 = token.find('.'), d2 = token.rfind('.');
  auto richer = good_claims();
  richer["groups"] = json::array({"revops-team"});
  std::string swapped = token.substr(0, d1 + 1) + base64url(richer.dump()) + token.substr(d2);
  CHECK(refused(v, swapped).find("signature") != std::string::npos);
  std::string flipped = token;
  flipped[d2 + 5] = flipped[d2 + 5] == 'A' ? 'B' : 'A';
  CHECK(refused(v, flipped).find("signature") != std::string::npos);
  // Not a JWT at all, and a huge one.
  CHECK(refused(v, "a.b").find("not a JWT") != std::string::npos);
  CHECK(refused(v, std::string(20000, 'a') + ".b.c").find("not a JWT") != std::string::npos);
  CHECK(refused(v, "!!!.e30.").find("header") != std::string::npos);
}

TEST_CASE("OIDC: a key set keeps only the keys it can verify with, and says why") {
  auto rsa = covenant::testing::make_rsa_key("rsa-1");
  auto weak = covenant::testing::make_rsa_key("rsa-weak", 1024);
  auto ec = covenant::testing::make_ec_key("ec-1");
  json set = json::parse(covenant::testing::jwks_of({rsa, weak, ec}));
  set["keys"].push_back({{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}});
  set["keys"].push_back(
      {{"kty", "EC"}, {"kid", "p384"}, {"crv", "P-384"}, {"x", "AA"}, {"y", "AA"}});
  auto no_kid = rsa.jwk;
  no_kid.erase("kid");
  set["keys"].push_back(no_kid);
  auto enc = ec.jwk;
  enc["kid"] = "ec-enc";
  enc["use"] = "enc";
  set["keys"].push_back(enc);
  auto off_curve = ec.jwk;
  off_curve["kid"] = "ec-bad";
  off_curve["y"] = off_curve["x"];
  set["keys"].push_back(off_curve);
  auto lying = rsa.jwk;
  lying["kid"] = "rsa-lying";
  lying["alg"] = "ES256";
  set["keys"].push_back(lying);
  std::vector<std::string> skipped;
  auto keys = covenant::engine::auth::parse_jwks(set.dump(), &skipped);
  REQUIRE(keys);
  REQUIRE(keys->size() == 2);
  CHECK((*keys)[0].kid == "rsa-1");
  CHECK((*keys)[1].kid == "ec-1");
  CHECK(skipped.size() == 7);
  std::string all;
  for (const auto& s : skipped) all += s + "\n";
  INFO(all);
  CHECK(all.find("rsa-weak") != std::string::npos);
  CHECK(all.find("shorter than 2048") != std::string::npos);
  CHECK(all.find("'oct'") != std::string::npos);
  CHECK(all.find("P-256") != std::string::npos);
  CHECK(all.find("no kid") != std::string::npos);
  CHECK(all.find("encryption") != std::string::npos);
  CHECK(all.find("not on the curve") != std::string::npos);
  CHECK(all.find("declares alg ES256") != std::string::npos);
  CHECK_FALSE(covenant::engine::auth::parse_jwks("{}"));
  CHECK_FALSE(covenant::engine::auth::parse_jwks("not json"));
  CHECK_FALSE(covenant::engine::auth::parse_jwks(R"({"keys": [{"kty": "oct", "kid": "x"}]})"));
}

TEST_CASE(
    "OIDC: a token acts in its issuer's namespace, or in the one its claim names and the "
    "issuer may speak for") {
  auto rsa = covenant::testing::make_rsa_key("rsa-1");
  auto keys = covenant::engine::auth::parse_jwks(covenant::testing::jwks_of({rsa}));
  REQUIRE(keys);
  // One tenant's identity provider: its principals act in its namespace.
  auto fixed = acme_idp();
  fixed.ns = "acme";
  auto who = OidcVerifier(fixed, *keys).verify(sign_jwt(rsa, good_claims()), kNow);
  REQUIRE(who);
  CHECK(who->ns == "acme");
  // Unconfigured: the default namespace.
  who = OidcVerifier(acme_idp(), *keys).verify(sign_jwt(rsa, good_claims()), kNow);
  REQUIRE(who);
  CHECK(who->ns == "default");
  // A provider shared by tenants: the claim picks, among the namespaces it is given.
  auto shared = acme_idp();
  shared.namespace_claim = "tenant";
  shared.namespaces = {"acme", "globex"};
  OidcVerifier v(shared, *keys);
  auto claims = good_claims();
  claims["tenant"] = "globex";
  who = v.verify(sign_jwt(rsa, claims), kNow);
  REQUIRE(who);
  CHECK(who->ns == "globex");
  for (const json& bad : {json("initech"), json(""), json(42), json::array({"acme"})}) {
    INFO(bad.dump());
    claims["tenant"] = bad;
    CHECK(refused(v, sign_jwt(rsa, claims)).find("names no namespace") != std::string::npos);
  }
  claims.erase("tenant");
  CHECK(refused(v, sign_jwt(rsa, claims)).find("names no namespace") != std::string::npos);
}
