// The stored form of history: one row per transition and instance (migration 012). A row
// carries the events one transition appended to one instance's chain, keyed by the last
// event's sequence number:
//   instance_id, seq (the last event's), at_us, prev_hash (the chain before the row),
//   events: [[type, frame, state, payload, hash], …]   (payload as JSON, not as a string)
// The events are numbered up to `seq` in order; each one's previous hash is the hash before it
// in the row. Hashes are those of hash_chain.hpp, event by event, so the chain verifies per
// event as before. Only the store reads and writes this form; everything above it sees events.
#pragma once

#include "engine/history/event.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace covenant::engine::store::history_rows {

// Appends the `events` column's text for events [first, last) (one transition of one instance).
void encode(std::string& out, const history::Event* first, const history::Event* last);

// One decoded event of a row; `payload` is moved out of the row's JSON (its dump() is the text
// the hash was computed over: the store writes payloads compact with sorted keys).
struct DecodedEvent {
  std::int64_t seq = 0;
  int type = 0;
  std::string frame, state, prev_hash, hash;
  nlohmann::json payload;
};

// Decodes a row. On success calls `each` per event in order and returns ""; when the row is not
// in this form (edited by hand, damaged), returns the reason and calls nothing.
std::string decode(std::int64_t last_seq, const std::string& prev_hash,
                   std::string_view events_text, const std::function<void(DecodedEvent&&)>& each);

}  // namespace covenant::engine::store::history_rows
