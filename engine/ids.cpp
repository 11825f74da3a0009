#include "engine/ids.hpp"

#include <openssl/rand.h>

#include <chrono>
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
  // UUIDv7 (RFC 9562, 5.7): 48 bits of Unix time in milliseconds, then 74 random bits. Ids of
  // instances started near each other in time sit near each other in every index keyed by
  // instance: new rows go to the right-hand pages of the B-trees instead of a random page
  // each, and the instances still running (mostly the recent ones) share pages — fewer pages
  // dirtied per transition, fewer full-page images in PostgreSQL's WAL after a checkpoint.
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  static const char* hex = "0123456789abcdef";
  std::string h(32, '0');
  for (int i = 11; i >= 0; --i, ms >>= 4) h[i] = hex[ms & 0xf];
  std::string r = random_hex(10);
  h.replace(12, 20, r);
  h[12] = '7';                                                        // version 7
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
