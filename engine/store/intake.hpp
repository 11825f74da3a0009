// Intake (intake.cpp): the record of every delivery a CLM sent to an intake endpoint — what it
// was (source, vendor, the vendor's event id, the body's SHA-256), what Covenant did with it
// (accepted and started an instance, replayed, refused, ignored) and why. Rows are only added:
// a delivery's record never changes. Each namespace's are its own.
#pragma once

#include "engine/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace covenant::engine::store {

class Store;

struct IntakeRow {
  std::string ns, id, source, vendor, event_id;
  std::string outcome;  // accepted | replayed | refused | ignored
  std::string reason;   // "" when accepted; else a short code: unsigned, bad_signature, stale, …
  std::string detail;   // what a person reads
  std::string instance_id;
  std::string body_sha256;
  std::int64_t received_us = 0;
};

class Intake {
 public:
  explicit Intake(Store& db) : db_(db) {}
  // Adds one delivery's record. Errors: InvalidArgument (bad namespace or outcome).
  Result<void> record(const IntakeRow& row);
  // The namespace's deliveries, newest first: of one source ("" any), before the (time, id)
  // of `before` when given, at most `limit`.
  Result<std::vector<IntakeRow>> list(
      const std::string& ns, const std::string& source, int limit,
      const std::optional<std::pair<std::int64_t, std::string>>& before = std::nullopt);
  // The instance an accepted delivery of (source, event_id) started, when one did.
  Result<std::optional<std::string>> accepted(const std::string& ns, const std::string& source,
                                              const std::string& event_id);

 private:
  Store& db_;
};

}  // namespace covenant::engine::store
