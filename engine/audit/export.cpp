#include "engine/audit/export.hpp"

#include "engine/csv.hpp"
#include "engine/time_format.hpp"

namespace covenant::engine::audit {
namespace {

using nlohmann::json;

std::string text(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// The first of `keys` present in `j` (nested one level under "result" or "approval" too).
json find(const json& j, std::initializer_list<const char*> keys) {
  if (!j.is_object()) return nullptr;
  for (const char* k : keys)
    if (j.contains(k) && !j[k].is_null()) return j[k];
  return nullptr;
}

}  // namespace

const std::vector<std::string>& export_columns();

namespace {

json export_json(const store::HistoryRow& row, const std::vector<std::string>& v) {
  const auto& cols = export_columns();
  json line = json::object();
  for (std::size_t i = 0; i < v.size(); ++i) line[cols[i]] = v[i];
  line["seq"] = row.seq;  // numbers stay numbers in JSON
  line["amount_minor"] = v[8].empty() ? json() : json(std::stoll(v[8]));
  return line;
}

}  // namespace

const std::vector<std::string>& export_columns() {
  static const std::vector<std::string> c = {
      "event_time",      "instance",    "contract",        "workflow",     "seq",
      "event_type",      "actor",       "state",           "amount_minor", "currency",
      "external_system", "external_id", "idempotency_key", "digest",       "hash",
      "prev_hash"};
  return c;
}

std::string actor_of(const store::HistoryRow& row, const json& p) {
  if (!p.is_object()) return "";
  if (row.type_name == "WorkflowStarted") return text(find(p, {"started_by"}));
  if (row.type_name == "ApprovalDecided") return text(find(p, {"recorded_as", "approver"}));
  if (row.type_name == "EventReceived" || row.type_name == "ApprovalRejected" ||
      row.type_name == "ApprovalChangesRequested" || row.type_name == "ValueCorrected" ||
      row.type_name == "WorkflowCancelled" || row.type_name == "InstanceMigrated" ||
      row.type_name == "StepRetried") {
    std::string by = text(find(p, {"by"}));
    return by.empty() ? "unknown" : by;
  }
  return "covenant";
}

std::vector<std::string> export_values(const store::HistoryRow& row) {
  json p = json::parse(row.payload, nullptr, false);
  if (p.is_discarded()) p = json::object();
  const json result = find(p, {"result"});
  std::string amount, currency, system, external_id;
  if (result.is_object()) {
    json a = find(result, {"total_minor", "amount_minor"});
    if (a.is_number_integer()) {
      amount = a.dump();
      currency = text(find(result, {"currency"}));
    }
    system = text(find(result, {"system"}));
    external_id = text(find(result, {"id", "external_id"}));
  }
  std::string digest = text(find(p, {"digest", "input_digest", "approved_digest"}));
  if (digest.empty() && p.contains("approval") && p["approval"].is_object())
    digest = text(find(p["approval"], {"digest"}));
  for (char& c : currency) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return {format_rfc3339(from_micros(row.at_us)),
          row.instance_id,
          row.business_key,
          row.workflow,
          std::to_string(row.seq),
          row.type_name,
          actor_of(row, p),
          row.state,
          amount,
          currency,
          system,
          external_id,
          text(find(p, {"idempotency_key"})),
          digest,
          row.hash,
          row.prev_hash};
}

json export_json(const store::HistoryRow& row) { return export_json(row, export_values(row)); }

namespace {

Result<store::Scope> scope_of(const ExportOptions& o) {
  if (!store::valid_namespace(o.ns))
    return fail(ErrorCode::InvalidArgument,
                "an export is of one namespace: '" + o.ns + "' is not one", "namespace");
  return store::Scope::of(o.ns);
}

}  // namespace

Result<EventsPage> events_page(store::Store& store, const ExportOptions& o,
                               store::HistoryCursor after, int limit) {
  auto scope = scope_of(o);
  if (!scope) return tl::unexpected(scope.error());
  EventsPage out;
  store::HistoryQuery q = o.query;
  q.by_instance = false;
  constexpr int kPage = 500;
  // Store pages until this page is full: the actor filter drops rows after they are read.
  for (;;) {
    auto page = store.audit.page(*scope, q, after, kPage);
    if (!page) return tl::unexpected(page.error());
    for (const auto& row : *page) {
      after = {row.at_us, row.instance_id, row.seq};
      auto v = export_values(row);
      if (!o.actor.empty() && v[6] != o.actor) continue;
      out.events.push_back(export_json(row, v));
      if (static_cast<int>(out.events.size()) == limit) {
        out.next = after;
        return out;
      }
    }
    if (page->size() < static_cast<std::size_t>(kPage)) return out;
  }
}

Result<void> each_history_row(store::Store& store, const store::Scope& scope, store::HistoryQuery q,
                              const std::function<void(const store::HistoryRow&)>& each,
                              int page_size) {
  q.by_instance = false;
  store::HistoryCursor after;
  for (;;) {
    auto page = store.audit.page(scope, q, after, page_size);
    if (!page) return tl::unexpected(page.error());
    for (const auto& row : *page) {
      after = {row.at_us, row.instance_id, row.seq};
      each(row);
    }
    if (page->size() < static_cast<std::size_t>(page_size)) return {};
  }
}

std::string encode_cursor(const store::HistoryCursor& c) {
  static const char* hex = "0123456789abcdef";
  std::string plain = std::to_string(c.at_us) + "|" + std::to_string(c.seq) + "|" + c.instance_id;
  std::string out;
  for (unsigned char ch : plain) {
    out += hex[ch >> 4];
    out += hex[ch & 15];
  }
  return out;
}

std::optional<store::HistoryCursor> decode_cursor(const std::string& text) {
  if (text.empty() || text.size() % 2 || text.size() > 2048) return std::nullopt;
  std::string plain;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    auto digit = [](char ch) {
      return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
    };
    int hi = digit(text[i]), lo = digit(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    plain += static_cast<char>(hi * 16 + lo);
  }
  auto a = plain.find('|');
  auto b = a == std::string::npos ? a : plain.find('|', a + 1);
  if (b == std::string::npos) return std::nullopt;
  try {
    return store::HistoryCursor{std::stoll(plain.substr(0, a)), plain.substr(b + 1),
                                std::stoll(plain.substr(a + 1, b - a - 1))};
  } catch (const std::exception&) {  // boundary: std::stoll reports bad digits by exception
    return std::nullopt;
  }
}

Result<std::int64_t> export_history(store::Store& store, const ExportOptions& o,
                                    const std::function<bool(std::string_view)>& write) {
  if (o.format != "csv" && o.format != "jsonl")
    return fail(ErrorCode::InvalidArgument, "export formats are csv and jsonl, not " + o.format);
  auto scope = scope_of(o);
  if (!scope) return tl::unexpected(scope.error());
  const auto& cols = export_columns();
  std::string buf;
  if (o.format == "csv") {
    for (std::size_t i = 0; i < cols.size(); ++i) buf += (i ? "," : "") + cols[i];
    buf += "\r\n";
  }
  store::HistoryQuery q = o.query;
  q.by_instance = false;
  store::HistoryCursor cursor;
  std::int64_t n = 0;
  for (;;) {
    auto page = store.audit.page(*scope, q, cursor, o.page_size);
    if (!page) return tl::unexpected(page.error());
    for (const auto& row : *page) {
      auto v = export_values(row);
      if (!o.actor.empty() && v[6] != o.actor) continue;
      if (o.format == "csv") {
        for (std::size_t i = 0; i < v.size(); ++i) buf += (i ? "," : "") + engine::csv_quote(v[i]);
        buf += "\r\n";
      } else {
        buf += export_json(row, v).dump() + "\n";
      }
      ++n;
    }
    // One page's text at a time: memory stays bounded by the page size.
    if (!buf.empty() && !write(buf))
      return fail(ErrorCode::Unavailable, "export: the output cannot be written");
    buf.clear();
    if (page->size() < static_cast<std::size_t>(o.page_size)) break;
    cursor = {page->back().at_us, page->back().instance_id, page->back().seq};
  }
  return n;
}

Result<std::int64_t> export_history(store::Store& store, const ExportOptions& o,
                                    std::ostream& out) {
  auto n = export_history(store, o, [&out](std::string_view s) {
    out.write(s.data(), static_cast<std::streamsize>(s.size()));
    return static_cast<bool>(out);
  });
  out.flush();
  return n;
}

}  // namespace covenant::engine::audit
