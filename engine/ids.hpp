// IdSource: where instance ids, worker ids and secret tokens come from. RandomIds uses the
// operating system's CSPRNG (OpenSSL RAND_bytes; instance ids lead with the time);
// SequentialIds gives inst-000001, … so tests and golden histories are reproducible. Both are
// thread-safe.
#pragma once

#include <atomic>
#include <string>

namespace covenant::engine {

class IdSource {
 public:
  virtual ~IdSource() = default;
  virtual std::string instance_id() = 0;
  // 256 random bits as hex, for secrets (approval tokens).
  virtual std::string token() = 0;
};

class RandomIds final : public IdSource {
 public:
  std::string instance_id() override;  // a UUIDv7: time-ordered, 74 random bits
  std::string token() override;
};

class SequentialIds final : public IdSource {
 public:
  explicit SequentialIds(std::string prefix = "inst-") : prefix_(std::move(prefix)) {}
  std::string instance_id() override;
  std::string token() override;

 private:
  std::string prefix_;
  std::atomic<long> next_{1};
};

}  // namespace covenant::engine
