#include "tests/support/jwt_signer.hpp"

#include "engine/base64.hpp"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <stdexcept>

namespace covenant::testing {

namespace {

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n > 0 ? n : 0));
  BIO_free(bio);
  return out;
}

void pems(EVP_PKEY* key, TestKey& k) {
  BIO* priv = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  k.private_pem = bio_text(priv);
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(pub, key);
  k.public_pem = bio_text(pub);
}

std::string bn_bytes(EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error(name);
  int size = std::max(BN_num_bytes(bn), pad);
  std::string out(static_cast<std::size_t>(size), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), size);
  BN_free(bn);
  return out;
}

}  // namespace

std::string base64url(const std::string& bytes) {
  std::string s = engine::to_base64(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return s;
}

TestKey make_rsa_key(const std::string& kid, int bits) {
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned>(bits));
  if (!key) throw std::runtime_error("RSA key generation failed");
  TestKey k{kid, "RS256", "", "", {}};
  pems(key, k);
  k.jwk = {{"kty", "RSA"},
           {"kid", kid},
           {"use", "sig"},
           {"alg", "RS256"},
           {"n", base64url(bn_bytes(key, OSSL_PKEY_PARAM_RSA_N))},
           {"e", base64url(bn_bytes(key, OSSL_PKEY_PARAM_RSA_E))}};
  EVP_PKEY_free(key);
  return k;
}

TestKey make_ec_key(const std::string& kid) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!key) throw std::runtime_error("EC key generation failed");
  TestKey k{kid, "ES256", "", "", {}};
  pems(key, k);
  k.jwk = {{"kty", "EC"},
           {"kid", kid},
           {"crv", "P-256"},
           {"x", base64url(bn_bytes(key, OSSL_PKEY_PARAM_EC_PUB_X, 32))},
           {"y", base64url(bn_bytes(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
  EVP_PKEY_free(key);
  return k;
}

std::string jwks_of(const std::vector<TestKey>& keys) {
  nlohmann::json out = {{"keys", nlohmann::json::array()}};
  for (const auto& k : keys) out["keys"].push_back(k.jwk);
  return out.dump();
}

namespace {

std::string encode(jwt_alg_t alg, const std::string& key, const std::string& kid,
                   const nlohmann::json& claims, const nlohmann::json& header) {
  jwt_t* jwt = nullptr;
  if (jwt_new(&jwt) != 0) throw std::runtime_error("jwt_new");
  jwt_add_grants_json(jwt, claims.dump().c_str());
  if (!kid.empty()) jwt_add_header(jwt, "kid", kid.c_str());
  for (const auto& [k, v] : header.items())
    if (v.is_string()) jwt_add_header(jwt, k.c_str(), v.get<std::string>().c_str());
  if (jwt_set_alg(jwt, alg, reinterpret_cast<const unsigned char*>(key.data()),
                  static_cast<int>(key.size())) != 0)
    throw std::runtime_error("jwt_set_alg");
  char* s = jwt_encode_str(jwt);
  jwt_free(jwt);
  if (!s) throw std::runtime_error("jwt_encode_str");
  std::string out(s);
  std::free(s);
  return out;
}

}  // namespace

std::string sign_jwt(const TestKey& key, const nlohmann::json& claims,
                     const nlohmann::json& header) {
  return encode(key.alg == "RS256" ? JWT_ALG_RS256 : JWT_ALG_ES256, key.private_pem, key.kid,
                claims, header);
}

std::string sign_hs256(const std::string& secret, const std::string& kid,
                       const nlohmann::json& claims) {
  return encode(JWT_ALG_HS256, secret, kid, claims, nlohmann::json::object());
}

}  // namespace covenant::testing
