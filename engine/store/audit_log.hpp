// Audit reads (audit_log.cpp): history rows as stored (the payload as its text, so a
// tampered row is still readable) with their instance's workflow and business key, the
// instances' chain heads, and signed daily checkpoints.
#pragma once

#include "engine/error.hpp"
#include "engine/store/tx.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace covenant::engine::store {

struct HistoryRow {
  std::string instance_id;
  std::int64_t seq = 0;
  int type = 0;
  std::string type_name;
  std::int64_t at_us = 0;
  std::string frame, state, payload, prev_hash, hash;
  std::string workflow, business_key;
  // Set when the stored row (one transition's events) cannot be read as events: the reason.
  // `seq` is then the row's last event's, `payload` the row's text as stored.
  std::string damage;
};

// Which history rows, in which order. Empty strings and 0 mean "any".
struct HistoryQuery {
  std::string instance_id, business_key, type_name;
  // Instances whose resolve.customer step resolved this customer (CRM external id or legal name).
  std::string customer;
  std::int64_t from_us = 0, to_us = 0;  // [from, to)
  bool by_instance = false;             // order by (instance, seq); else by (time, instance, seq)
};

// Where a page ends, to ask for the next one (keyset: stable under concurrent appends).
struct HistoryCursor {
  std::int64_t at_us = -1;  // -1: from the start
  std::string instance_id;
  std::int64_t seq = 0;
};

// An instance's own record of its chain's end, to catch a truncated history.
struct ChainHead {
  std::string instance_id, business_key;
  std::int64_t next_seq = 1;
  std::string last_hash;
};

// A signed daily checkpoint (engine/audit/checkpoint.hpp has the document's form).
struct CheckpointRow {
  std::string day;                    // YYYY-MM-DD (UTC)
  std::string document;               // canonical JSON: {day, heads, previous}
  std::string digest;                 // SHA-256 of the document
  std::string signature, public_key;  // Ed25519, base64; the key as PEM
  std::int64_t created_us = 0;
  std::string ns;  // the namespace whose instances' heads it holds
};

class AuditLog {
 public:
  explicit AuditLog(Store& db) : db_(db) {}
  // One page of history rows after `after`.
  // Reads in `scope`: history of another namespace's instances is not there.
  Result<std::vector<HistoryRow>> page(const Scope& scope, const HistoryQuery& q,
                                       const HistoryCursor& after, int limit);
  // The instances' chain heads, by id.
  Result<std::vector<ChainHead>> chain_heads(const Scope& scope, const std::string& after_id,
                                             int limit);
  // Every instance's last event before `before_us`: (instance, seq, hash), by instance.
  Result<std::vector<std::tuple<std::string, std::int64_t, std::string>>> heads_before(
      const Scope& scope, std::int64_t before_us);
  // The hash of one event, nullopt when there is no such row.
  Result<std::optional<std::string>> event_hash_at(const Scope& scope,
                                                   const std::string& instance_id,
                                                   std::int64_t seq);
  // A namespace's checkpoints: Conflict when the day has one already there.
  Result<void> add_checkpoint(const CheckpointRow& c);
  Result<std::vector<CheckpointRow>> checkpoints(const std::string& ns);

 private:
  Store& db_;
};

}  // namespace covenant::engine::store
