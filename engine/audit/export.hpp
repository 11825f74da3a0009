// The audit export: history rows with the columns an auditor asks for, derived from each
// event's payload, written as CSV (RFC 4180, one header row) or JSON Lines. Streamed a page
// at a time, so memory stays bounded whatever the range. The column set is part of the audit
// format (docs/audit.md): add columns at the end, never rename or reorder.
#pragma once

#include "engine/store/store.hpp"

#include <functional>
#include <optional>
#include <ostream>
#include <string_view>

namespace covenant::engine::audit {

// event_time, instance, contract, workflow, seq, event_type, actor, state, amount_minor,
// currency, external_system, external_id, idempotency_key, digest, hash, prev_hash
const std::vector<std::string>& export_columns();

// One row's columns, in export_columns() order ("" where an event has none).
std::vector<std::string> export_values(const store::HistoryRow& row);

// Who caused an event: the starter, the sender of an event, the approver (as recorded, "X for
// Y" for a delegate), whoever cancelled; "covenant" for what the engine did itself.
std::string actor_of(const store::HistoryRow& row, const nlohmann::json& payload);

// One row as a JSON object with the export's names (seq and amount_minor as numbers).
nlohmann::json export_json(const store::HistoryRow& row);

struct ExportOptions {
  std::string ns;              // the namespace whose trail it is (required: never several)
  store::HistoryQuery query;   // ordered by time across instances
  std::string actor;           // only events by this actor ("" any)
  std::string format = "csv";  // csv | jsonl
  int page_size = 1000;
};

// Writes the rows; returns how many. Errors: InvalidArgument (format), store errors.
Result<std::int64_t> export_history(store::Store& store, const ExportOptions& o, std::ostream& out);
// The same into `write`, which returns false to stop (a client that went away): Unavailable.
Result<std::int64_t> export_history(store::Store& store, const ExportOptions& o,
                                    const std::function<bool(std::string_view)>& write);

// One page of the trail after `after` (the export's order and filters), at most `limit`
// events; `next` is where the next page starts, absent at the end.
struct EventsPage {
  nlohmann::json events = nlohmann::json::array();
  std::optional<store::HistoryCursor> next;
};
Result<EventsPage> events_page(store::Store& store, const ExportOptions& o,
                               store::HistoryCursor after, int limit);

// An opaque, printable cursor for a page boundary, and back (nullopt: not one of ours).
// Every history row `q` selects, in time order, read `page_size` rows at a time (memory
// bounded by the page): `each` is called once per row.
Result<void> each_history_row(store::Store& store, const store::Scope& scope, store::HistoryQuery q,
                              const std::function<void(const store::HistoryRow&)>& each,
                              int page_size = 500);

std::string encode_cursor(const store::HistoryCursor& c);
std::optional<store::HistoryCursor> decode_cursor(const std::string& text);

}  // namespace covenant::engine::audit
