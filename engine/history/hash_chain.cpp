#include "engine/history/hash_chain.hpp"

#include "workflows/sha256.hpp"

namespace covenant::engine::history {

std::string event_hash(const Event& e) {
  nlohmann::json j = {{"at", e.at_us},
                      {"frame", e.frame},
                      {"instance", e.instance_id},
                      {"payload", e.payload},
                      {"prev", e.prev_hash},
                      {"seq", e.seq},
                      {"state", e.state},
                      {"type", std::string(name(e.type))}};
  return workflows::sha256_hex(j.dump());
}

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
