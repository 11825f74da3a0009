#include "engine/history/hash_chain.hpp"

#include "workflows/sha256.hpp"

namespace covenant::engine::history {

namespace {

void append_string(std::string& out, const std::string& s) { out += nlohmann::json(s).dump(); }

}  // namespace

// The canonical form written out key by key (sorted: at, frame, instance, payload, prev, seq,
// state, type) around the payload's own text: the same bytes as building the object and
// dumping it, without copying the payload into a second tree.
std::string event_hash(const Event& e, std::string_view payload_text) {
  std::string c;
  c.reserve(payload_text.size() + e.frame.size() + e.state.size() + 256);
  c += "{\"at\":";
  c += std::to_string(e.at_us);
  c += ",\"frame\":";
  append_string(c, e.frame);
  c += ",\"instance\":";
  append_string(c, e.instance_id);
  c += ",\"payload\":";
  c += payload_text;
  c += ",\"prev\":";
  append_string(c, e.prev_hash);
  c += ",\"seq\":";
  c += std::to_string(e.seq);
  c += ",\"state\":";
  append_string(c, e.state);
  c += ",\"type\":";
  append_string(c, std::string(name(e.type)));
  c += '}';
  return workflows::sha256_hex(c);
}

std::string event_hash(const Event& e) { return event_hash(e, e.payload.dump()); }

std::optional<ChainBreak> verify_chain(const std::vector<Event>& events) {
  std::string prev;
  std::int64_t expected = 1;
  for (const auto& e : events) {
    if (e.seq != expected)
      return ChainBreak{expected, "event " + std::to_string(expected) + " is missing (found " +
                                      std::to_string(e.seq) + ")"};
    if (e.prev_hash != prev) return ChainBreak{e.seq, "its link to the previous event is broken"};
    if (event_hash(e) != e.hash) return ChainBreak{e.seq, "its content does not match its hash"};
    prev = e.hash;
    ++expected;
  }
  return std::nullopt;
}

}  // namespace covenant::engine::history
