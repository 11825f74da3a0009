#include "adapters/notifier/signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>

namespace covenant::adapters::notifier {

std::string hmac_sha256_hex(const std::string& secret, const std::string& message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[mac[i] >> 4];
    out += hex[mac[i] & 15];
  }
  return out;
}

std::string sign(const std::string& secret, std::int64_t timestamp_s, const std::string& body) {
  return sign(std::vector<std::string>{secret}, timestamp_s, body);
}

std::string sign(const std::vector<std::string>& secrets, std::int64_t timestamp_s,
                 const std::string& body) {
  std::string t = std::to_string(timestamp_s);
  std::string out = "t=" + t;
  for (const auto& secret : secrets) out += ",v1=" + hmac_sha256_hex(secret, t + "." + body);
  return out;
}

bool verify(const std::string& secret, const std::string& header, const std::string& body,
            std::int64_t now_s, std::int64_t tolerance_s) {
  std::string t;
  std::vector<std::string> v1;
  std::size_t pos = 0;
  while (pos <= header.size()) {
    auto end = header.find(',', pos);
    if (end == std::string::npos) end = header.size();
    std::string part = header.substr(pos, end - pos);
    if (part.rfind("t=", 0) == 0) t = part.substr(2);
    if (part.rfind("v1=", 0) == 0) v1.push_back(part.substr(3));
    pos = end + 1;
  }
  std::int64_t ts = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), ts);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size()) return false;
  if (ts < now_s - tolerance_s || ts > now_s + tolerance_s) return false;
  std::string want = hmac_sha256_hex(secret, t + "." + body);
  bool ok = false;
  for (const auto& got : v1)  // every one compared: the time does not say which matched
    ok |= want.size() == got.size() && CRYPTO_memcmp(want.data(), got.data(), want.size()) == 0;
  return ok;
}

}  // namespace covenant::adapters::notifier
