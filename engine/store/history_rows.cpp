#include "engine/store/history_rows.hpp"

namespace covenant::engine::store::history_rows {
namespace {

void quoted(std::string& out, std::string_view s) {
  static constexpr const char* kHex = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  out += '"';
}

}  // namespace

void encode(std::string& out, const history::Event* first, const history::Event* last) {
  out += '[';
  for (const history::Event* e = first; e != last; ++e) {
    if (e != first) out += ',';
    out += '[';
    out += std::to_string(static_cast<int>(e->type));
    out += ',';
    quoted(out, e->frame);
    out += ',';
    quoted(out, e->state);
    out += ',';
    out += e->payload_text.empty() ? e->payload.dump() : e->payload_text;
    out += ',';
    quoted(out, e->hash);
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
