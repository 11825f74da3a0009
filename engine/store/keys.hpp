// Keys (keys.cpp): each namespace's signing keys and its own audit log. A namespace signs its
// daily checkpoints with an Ed25519 key and its webhooks with HMAC secrets (one per endpoint);
// the store keeps which key is current for each, since when, and — after a rotation — until
// when the one before still counts (the overlap), never a private key or a secret: a
// checkpoint key by its public half, a webhook secret by a fingerprint. Every change of key is
// an event in the namespace's log (namespace_events), with who made it.
#pragma once

#include "engine/error.hpp"
#include "engine/store/tx.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace covenant::engine::store {

inline constexpr const char* kCheckpointKey = "checkpoint";
inline constexpr const char* kWebhookKey = "webhook";

struct KeyRow {
  std::string ns, purpose, owner, key_id, public_key;
  std::int64_t created_us = 0;
  std::int64_t retired_us = 0;      // 0: the current key
  std::int64_t valid_until_us = 0;  // 0: current; else the last moment its signatures count
  bool current() const { return retired_us == 0; }
  // Whether something it signed at `t_us` counts.
  bool valid_at(std::int64_t t_us) const {
    return t_us >= created_us && (current() || t_us <= valid_until_us);
  }
};

struct NamespaceEvent {
  std::string ns;
  std::int64_t seq = 0, at_us = 0;
  std::string actor, kind;
  std::string detail;  // JSON
};

struct KeyChange {
  bool changed = false;  // false: the key was current already
  KeyRow current;
  std::optional<KeyRow> previous;  // the key it retired
  std::int64_t event_seq = 0;      // the event recording it (0: nothing changed)
};

// Appends an event to namespace `ns`'s log in `tx` and returns its number. Inside a
// Store::guard (a driver error throws).
std::int64_t append_namespace_event(Tx& tx, const std::string& ns, std::int64_t at_us,
                                    const std::string& actor, const std::string& kind,
                                    const std::string& detail);

class Keys {
 public:
  explicit Keys(Store& db) : db_(db) {}
  // Makes `key_id` the current key of (ns, purpose, owner), signing since `since_us` (at most
  // `now_us`). The current key before it is retired at `now_us`; what it signs until
  // `previous_valid_until_us` (not before `now_us`: no overlap) still counts. Nothing changes
  // when the key is current already. A retired key does not come back (FailedPrecondition).
  // The change is an event "key.added" (the first) or "key.rotated" in the namespace's log,
  // by `actor`. With `first_only`, only a first key is added: when (ns, purpose, owner) has
  // one already, nothing changes and the answer says which is current (changed false).
  // Errors: InvalidArgument (bad namespace, purpose or key id), Conflict (another rotation of
  // the same key won the race: one key is current at a time).
  Result<KeyChange> rotate(const std::string& ns, const std::string& purpose,
                           const std::string& owner, const std::string& key_id,
                           const std::string& public_key, std::int64_t since_us,
                           std::int64_t now_us, std::int64_t previous_valid_until_us,
                           const std::string& actor, bool first_only = false);
  // The keys of (ns, purpose, owner), oldest first; every owner's when `owner` is nullopt.
  Result<std::vector<KeyRow>> of(const std::string& ns, const std::string& purpose,
                                 const std::optional<std::string>& owner = std::nullopt);
  // The namespace's log after `after_seq`, in order, at most `limit`.
  Result<std::vector<NamespaceEvent>> events(const std::string& ns, std::int64_t after_seq,
                                             int limit);

 private:
  Store& db_;
};

}  // namespace covenant::engine::store
