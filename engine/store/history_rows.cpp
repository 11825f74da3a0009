#include "engine/store/history_rows.hpp"

#include "engine/store/json_text.hpp"

namespace covenant::engine::store::history_rows {

void encode(std::string& out, const history::Event* first, const history::Event* last) {
  out += '[';
  for (const history::Event* e = first; e != last; ++e) {
    if (e != first) out += ',';
    out += '[';
    out += std::to_string(static_cast<int>(e->type));
    out += ',';
    append_json_string(out, e->frame);
    out += ',';
    append_json_string(out, e->state);
    out += ',';
    out += e->payload_text.empty() ? e->payload.dump() : e->payload_text;
    out += ',';
    append_json_string(out, e->hash);
    out += ']';
  }
  out += ']';
}

std::string decode(std::int64_t last_seq, const std::string& prev_hash,
                   std::string_view events_text, const std::function<void(DecodedEvent&&)>& each) {
  auto events = nlohmann::json::parse(events_text, nullptr, false);
  if (events.is_discarded()) return "its stored events are not JSON";
  if (!events.is_array() || events.empty()) return "its stored events are not a list of events";
  for (const auto& e : events)
    if (!e.is_array() || e.size() != 5 || !e[0].is_number_unsigned() ||
        e[0].get<std::uint64_t>() > 1000 || !e[1].is_string() || !e[2].is_string() ||
        !e[4].is_string())
      return "its stored events are not in the history's form";
  auto count = static_cast<std::int64_t>(events.size());
  if (last_seq < count) return "its stored events do not fit its sequence number";
  std::string prev = prev_hash;
  std::int64_t seq = last_seq - count + 1;
  for (auto& e : events) {
    DecodedEvent d;
    d.seq = seq++;
    d.type = e[0].get<int>();
    d.frame = e[1].get<std::string>();
    d.state = e[2].get<std::string>();
    d.payload = std::move(e[3]);
    d.prev_hash = prev;
    d.hash = e[4].get<std::string>();
    prev = d.hash;
    each(std::move(d));
  }
  return "";
}

}  // namespace covenant::engine::store::history_rows
