#include "engine/ids.hpp"

#include <openssl/rand.h>

#include <cstdio>
#include <stdexcept>

namespace covenant::engine {
namespace {

std::string random_hex(std::size_t bytes) {
  unsigned char buf[64];
  if (bytes > sizeof buf || RAND_bytes(buf, static_cast<int>(bytes)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    out += hex[buf[i] >> 4];
    out += hex[buf[i] & 0xf];
  }
  return out;
}

}  // namespace

std::string RandomIds::instance_id() {
  std::string h = random_hex(16);
  h[12] = '4';                                                        // version 4
  h[16] = "89ab"[std::stoi(std::string(1, h[16]), nullptr, 16) & 3];  // variant 10xx
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::string RandomIds::token() { return random_hex(32); }

std::string SequentialIds::instance_id() {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06ld", next_++);
  return prefix_ + buf;
}

std::string SequentialIds::token() {
  char buf[80];
  std::snprintf(buf, sizeof buf, "%064ld", next_++);
  return buf;
}

}  // namespace covenant::engine
