// The history hash chain. Each event's hash is the SHA-256 (hex) of its canonical JSON:
//   {"at":…, "frame":…, "instance":…, "payload":…, "prev":…, "seq":…, "state":…, "type":"Name"}
// (sorted keys, no whitespace). Changing an event, deleting one or reordering two breaks the
// chain at that point. This form is part of the audit format: DO NOT change it.
#pragma once

#include "engine/history/event.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace covenant::engine::history {

std::string event_hash(const Event& e);
// The same, given the payload's JSON text as payload.dump() writes it (the runtime serialises
// each payload once, for the hash and for the stored row).
std::string event_hash(const Event& e, std::string_view payload_text);

struct ChainBreak {
  std::int64_t seq;  // the first event whose link is broken
  std::string reason;
};

// Checks seq numbering (1, 2, …), each prev_hash, and each hash. nullopt when intact.
std::optional<ChainBreak> verify_chain(const std::vector<Event>& events);

}  // namespace covenant::engine::history
