#include "engine/auth/oidc.hpp"

#include "engine/base64.hpp"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cstdlib>

namespace covenant::engine::auth {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxToken = 16 * 1024;  // bigger is not a token anyone sends

std::optional<std::string> from_base64url(std::string_view in) {
  std::string s(in);
  for (char& c : s) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (c == '+' || c == '/' || c == '=')
      return std::nullopt;  // not base64url
  }
  while (s.size() % 4) s += '=';
  return from_base64(s);
}

// The parts of a compact JWT, or nullopt.
std::optional<std::vector<std::string_view>> parts_of(std::string_view token) {
  if (token.empty() || token.size() > kMaxToken) return std::nullopt;
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= token.size(); ++i)
    if (i == token.size() || token[i] == '.') {
      parts.push_back(token.substr(start, i - start));
      start = i + 1;
    }
  if (parts.size() != 3) return std::nullopt;
  return parts;
}

std::optional<json> json_part(std::string_view part) {
  auto bytes = from_base64url(part);
  if (!bytes) return std::nullopt;
  auto j = json::parse(*bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string pem_of(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (!bio) return "";
  std::string out;
  if (PEM_write_bio_PUBKEY(bio, key) == 1) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    if (n > 0) out.assign(data, static_cast<std::size_t>(n));
  }
  BIO_free(bio);
  return out;
}

Pkey from_params(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1)
    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return Pkey(key);
}

// An RSA public key from its modulus and exponent (big-endian bytes), or why not.
std::string rsa_pem(const std::string& n, const std::string& e, std::string& why) {
  if (n.size() * 8 < 2048) {
    why = "an RSA key shorter than 2048 bits";
    return "";
  }
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                           static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                           static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  Pkey key;
  if (bn_n && bn_e && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1)
    key = from_params("RSA", bld);
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  if (!key) {
    why = "an RSA key OpenSSL does not take";
    return "";
  }
  return pem_of(key.get());
}

// A P-256 public key from its coordinates (32 bytes each), or why not.
std::string ec_pem(const std::string& x, const std::string& y, std::string& why) {
  if (x.size() != 32 || y.size() != 32) {
    why = "P-256 coordinates that are not 32 bytes";
    return "";
  }
  std::string point = "\x04" + x + y;  // uncompressed
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  Pkey key;
  if (bld &&
      OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) ==
          1)
    key = from_params("EC", bld);
  OSSL_PARAM_BLD_free(bld);
  if (!key) {
    why = "a P-256 point OpenSSL does not take (not on the curve)";
    return "";
  }
  return pem_of(key.get());
}

Error unauthenticated(const std::string& why) {
  return Error{ErrorCode::Unauthenticated, "the bearer token is not accepted: " + why, ""};
}

bool claim_time(const json& claims, const char* name, std::int64_t& out) {
  auto it = claims.find(name);
  if (it == claims.end()) return false;
  if (it->is_number_integer()) {
    out = it->get<std::int64_t>();
    return true;
  }
  if (it->is_number_float()) {
    double d = it->get<double>();
    if (!(d > -1e15 && d < 1e15)) return false;
    out = static_cast<std::int64_t>(d);
    return true;
  }
  return false;
}

}  // namespace

Result<std::vector<Jwk>> parse_jwks(const std::string& text, std::vector<std::string>* skipped) {
  auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array())
    return fail(ErrorCode::InvalidArgument, "not a JSON Web Key Set: {\"keys\": [...]} expected");
  std::vector<Jwk> out;
  int index = 0;
  for (const auto& k : doc["keys"]) {
    std::string at = "key " + std::to_string(index++);
    auto skip = [&](const std::string& why) {
      if (skipped) skipped->push_back(at + ": " + why);
    };
    if (!k.is_object()) {
      skip("not an object");
      continue;
    }
    auto str = [&](const char* name) {
      auto it = k.find(name);
      return it != k.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    Jwk jwk;
    jwk.kid = str("kid");
    jwk.kty = str("kty");
    if (jwk.kid.empty()) {
      skip("no kid");
      continue;
    }
    at += " (" + jwk.kid + ")";
    if (str("use") == "enc") {
      skip("meant for encryption");
      continue;
    }
    std::string why;
    if (jwk.kty == "RSA") {
      auto n = from_base64url(str("n")), e = from_base64url(str("e"));
      if (!n || !e || n->empty() || e->empty()) {
        skip("an RSA key without n and e");
        continue;
      }
      jwk.alg = "RS256";
      jwk.pem = rsa_pem(*n, *e, why);
    } else if (jwk.kty == "EC") {
      if (str("crv") != "P-256") {
        skip("an EC key on another curve than P-256");
        continue;
      }
      auto x = from_base64url(str("x")), y = from_base64url(str("y"));
      if (!x || !y) {
        skip("an EC key without x and y");
        continue;
      }
      jwk.alg = "ES256";
      jwk.pem = ec_pem(*x, *y, why);
    } else {
      skip("of type '" + jwk.kty + "' (RSA and EC are taken)");
      continue;
    }
    if (std::string declared = str("alg"); !declared.empty() && declared != jwk.alg) {
      skip("declares alg " + declared + " for a key that signs " + jwk.alg);
      continue;
    }
    if (jwk.pem.empty()) {
      skip(why);
      continue;
    }
    out.push_back(std::move(jwk));
  }
  if (out.empty())
    return fail(ErrorCode::InvalidArgument,
                "the key set holds no RS256 or ES256 key to verify with");
  return out;
}

bool looks_like_jwt(const std::string& token) {
  auto parts = parts_of(token);
  return parts && !(*parts)[0].empty() && !(*parts)[1].empty();
}

std::string unverified_issuer(const std::string& token) {
  auto parts = parts_of(token);
  if (!parts) return "";
  auto claims = json_part((*parts)[1]);
  if (!claims) return "";
  auto it = claims->find("iss");
  return it != claims->end() && it->is_string() ? it->get<std::string>() : "";
}

OidcVerifier::OidcVerifier(OidcIssuer issuer, std::vector<Jwk> keys)
    : issuer_(std::move(issuer)), keys_(std::move(keys)) {}

OidcVerifier::OidcVerifier(OidcIssuer issuer, std::vector<Jwk> keys, KeyFetcher fetch,
                           std::int64_t min_interval_s)
    : issuer_(std::move(issuer)),
      fetch_(std::move(fetch)),
      min_interval_s_(min_interval_s),
      keys_(std::move(keys)) {}

std::optional<Jwk> OidcVerifier::key(const std::string& kid, std::int64_t now_s) const {
  std::lock_guard lock(mu_);
  auto find = [&]() -> std::optional<Jwk> {
    for (const auto& k : keys_)
      if (k.kid == kid) return k;
    return std::nullopt;
  };
  if (auto k = find()) return k;
  if (!fetch_ || kid.empty() || (last_fetch_s_ >= 0 && now_s - last_fetch_s_ < min_interval_s_))
    return std::nullopt;
  last_fetch_s_ = now_s;
  if (auto fresh = fetch_(); fresh && !fresh->empty()) keys_ = std::move(*fresh);
  return find();
}

void OidcVerifier::set_keys(std::vector<Jwk> keys) {
  std::lock_guard lock(mu_);
  keys_ = std::move(keys);
}

Result<TokenIdentity> OidcVerifier::verify(const std::string& token, std::int64_t now_s) const {
  auto parts = parts_of(token);
  if (!parts) return tl::unexpected(unauthenticated("not a JWT"));
  auto header = json_part((*parts)[0]);
  if (!header) return tl::unexpected(unauthenticated("its header is not base64url JSON"));
  std::string alg = header->value("alg", "");
  if (alg != "RS256" && alg != "ES256")
    return tl::unexpected(unauthenticated("alg '" + alg + "' is not accepted (RS256, ES256)"));
  std::string kid = header->contains("kid") && (*header)["kid"].is_string()
                        ? (*header)["kid"].get<std::string>()
                        : "";
  auto found = key(kid, now_s);
  if (!found)
    return tl::unexpected(
        unauthenticated("its key id '" + kid + "' is not in the issuer's key set"));
  const Jwk& key = *found;
  if (key.alg != alg)
    return tl::unexpected(
        unauthenticated("alg " + alg + " does not match key " + kid + " (" + key.alg + ")"));
  jwt_t* jwt = nullptr;
  int rc = jwt_decode(&jwt, token.c_str(), reinterpret_cast<const unsigned char*>(key.pem.data()),
                      static_cast<int>(key.pem.size()));
  if (rc != 0 || !jwt) {
    if (jwt) jwt_free(jwt);
    return tl::unexpected(unauthenticated("its signature does not verify"));
  }
  bool alg_agrees = jwt_get_alg(jwt) == (alg == "RS256" ? JWT_ALG_RS256 : JWT_ALG_ES256);
  char* grants = jwt_get_grants_json(jwt, nullptr);
  jwt_free(jwt);
  if (!alg_agrees) {
    std::free(grants);
    return tl::unexpected(unauthenticated("its algorithm changed under verification"));
  }
  json claims = grants ? json::parse(grants, nullptr, false) : json();
  std::free(grants);
  if (!claims.is_object())
    return tl::unexpected(unauthenticated("its claims are not a JSON object"));
  if (claims.value("iss", json()) != issuer_.issuer)
    return tl::unexpected(unauthenticated("it is not from the configured issuer"));
  const json aud = claims.value("aud", json());
  bool audience = aud == issuer_.audience;
  if (aud.is_array())
    for (const auto& a : aud) audience = audience || a == issuer_.audience;
  if (!audience) return tl::unexpected(unauthenticated("it is not meant for this audience"));
  std::int64_t exp = 0, nbf = 0, iat = 0;
  if (!claim_time(claims, "exp", exp))
    return tl::unexpected(unauthenticated("it has no expiry (exp)"));
  if (now_s > exp + issuer_.leeway_s) return tl::unexpected(unauthenticated("it has expired"));
  if (claim_time(claims, "nbf", nbf) && nbf > now_s + issuer_.leeway_s)
    return tl::unexpected(unauthenticated("it is not valid yet (nbf)"));
  if (claim_time(claims, "iat", iat) && iat > now_s + issuer_.leeway_s)
    return tl::unexpected(unauthenticated("it was issued in the future (iat)"));
  TokenIdentity who;
  who.issuer = issuer_.issuer;
  auto subject = claims.find(issuer_.subject_claim);
  if (subject == claims.end() || !subject->is_string() || subject->get<std::string>().empty() ||
      subject->get<std::string>().size() > 256)
    return tl::unexpected(
        unauthenticated("claim '" + issuer_.subject_claim + "' does not name anyone"));
  who.name = subject->get<std::string>();
  for (unsigned char ch : who.name)
    if (ch < ' ' || ch == 0x7f)
      return tl::unexpected(
          unauthenticated("claim '" + issuer_.subject_claim + "' holds control characters"));
  if (!issuer_.roles_claim.empty() && claims.contains(issuer_.roles_claim)) {
    const json& values = claims[issuer_.roles_claim];
    std::vector<std::string> names;
    if (values.is_string()) names.push_back(values.get<std::string>());
    if (values.is_array())
      for (const auto& v : values)
        if (v.is_string()) names.push_back(v.get<std::string>());
    for (const auto& n : names) {
      auto mapped = issuer_.role_map.find(n);
      if (mapped == issuer_.role_map.end()) continue;
      for (const auto& role : mapped->second)
        if (std::find(who.roles.begin(), who.roles.end(), role) == who.roles.end())
          who.roles.push_back(role);
    }
  }
  std::sort(who.roles.begin(), who.roles.end());
  who.ns = issuer_.ns;
  if (!issuer_.namespace_claim.empty()) {
    auto ns = claims.find(issuer_.namespace_claim);
    bool allowed = ns != claims.end() && ns->is_string() &&
                   std::find(issuer_.namespaces.begin(), issuer_.namespaces.end(),
                             ns->get<std::string>()) != issuer_.namespaces.end();
    if (!allowed)
      return tl::unexpected(unauthenticated("claim '" + issuer_.namespace_claim +
                                            "' names no namespace this issuer speaks for"));
    who.ns = ns->get<std::string>();
  }
  who.claims = std::move(claims);
  return who;
}

}  // namespace covenant::engine::auth
