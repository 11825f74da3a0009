// Daily checkpoints: each day's chain heads — every instance's last event as of the end of
// the day (UTC): [instance, seq, hash] — in a canonical JSON document
//   {"format":"covenant-checkpoint/1","day":"2027-03-01","heads":[[…],…],"previous":"<digest>"}
// chained to the previous day's by its SHA-256 and signed with Ed25519 (OpenSSL). Exported
// (covenant audit checkpoints) to someone outside the database, they let that party detect a
// rewrite of the history even by a database superuser who recomputed every hash: a head that
// no longer has its hash, a checkpoint whose signature fails, a gap in the chain.
#pragma once

#include "engine/store/store.hpp"

namespace covenant::engine::audit {

struct KeyPair {
  std::string private_pem, public_pem;
};

tl::expected<KeyPair, std::string> generate_ed25519();
tl::expected<std::string, std::string> public_pem_of(const std::string& private_pem);
// The base64 Ed25519 signature of `message`.
tl::expected<std::string, std::string> sign(const std::string& private_pem,
                                            std::string_view message);
bool signature_valid(const std::string& public_pem, std::string_view message,
                     const std::string& signature_b64);

// The id of a checkpoint key: the SHA-256 of its public key's PEM, in hex.
std::string key_id(const std::string& public_pem);
// The earliest moment checkpoint `c` can have been signed: the end of its day (checkpoints are
// made after it), or when it was stored if later. A key must have been the namespace's then.
std::int64_t checkpoint_signed_at(const store::CheckpointRow& c);

// Makes and stores namespace `ns`'s checkpoint of `day` (YYYY-MM-DD): the heads of its
// instances' chains. The day must be over at `now_us` and come after the namespace's latest
// one. Again for the same day: the stored one when the history still gives the same document,
// else Conflict (the history changed since it was signed).
// The key must be the namespace's checkpoint key (store.keys): its current one, or the one
// before during the overlap its rotation gave; a namespace's first checkpoint key is
// registered by its first use (an event "key.added" by `actor`). Another key:
// PermissionDenied, saying which key is current.
Result<store::CheckpointRow> make_checkpoint(store::Store& store, const std::string& ns,
                                             const std::string& day, const std::string& private_pem,
                                             std::int64_t now_us,
                                             const std::string& actor = "covenant");

// Makes the key whose private half is `private_pem` namespace `ns`'s checkpoint key from
// `now_us`; the one before still signs until `now_us + overlap_us`. An event "key.rotated"
// (or "key.added") by `actor` in the namespace's log.
Result<store::KeyChange> rotate_checkpoint_key(store::Store& store, const std::string& ns,
                                               const std::string& private_pem, std::int64_t now_us,
                                               std::int64_t overlap_us, const std::string& actor);

struct CheckpointProblem {
  std::string day, instance_id;
  std::int64_t seq = 0;
  std::string reason;
};

// Checks `checkpoints` (from the database, or a file kept elsewhere) in day order: each
// document's digest; its signature by one of `trusted_public_pems` (the namespace's registered
// checkpoint keys when empty); that the key was the namespace's when it signed (a checkpoint
// of a day is signed after the day ends: a key rotated out, past its overlap, cannot sign one
// for a later day); the chain of previous digests; that each is namespace `ns`'s; and that
// every head's event still has its hash there.
Result<std::vector<CheckpointProblem>> check_checkpoints(
    store::Store& store, const std::string& ns,
    const std::vector<store::CheckpointRow>& checkpoints,
    const std::vector<std::string>& trusted_public_pems);

// A checkpoint as one JSON line for export, and back.
nlohmann::json checkpoint_json(const store::CheckpointRow& c);
tl::expected<store::CheckpointRow, std::string> checkpoint_from_json(const nlohmann::json& j);

}  // namespace covenant::engine::audit
