#include "engine/audit/verify.hpp"

#include "engine/history/event_type.hpp"
#include "engine/history/hash_chain.hpp"

namespace covenant::engine::audit {

tl::expected<std::string, std::string> row_hash(const store::HistoryRow& row) {
  if (!row.damage.empty()) return tl::unexpected(row.damage);
  auto type = history::event_type_from_number(row.type);
  if (!type) return tl::unexpected("unknown event type " + std::to_string(row.type));
  if (row.type_name != history::name(*type))
    return tl::unexpected("its type name '" + row.type_name + "' is not its type's ('" +
                          std::string(history::name(*type)) + "')");
  history::Event e;
  e.instance_id = row.instance_id;
  e.seq = row.seq;
  e.type = *type;
  e.at_us = row.at_us;
  e.frame = row.frame;
  e.state = row.state;
  e.payload = nlohmann::json::parse(row.payload, nullptr, false);
  if (e.payload.is_discarded()) return tl::unexpected(std::string("its payload is not JSON"));
  e.prev_hash = row.prev_hash;
  return history::event_hash(e);
}

namespace {

// The chain of one instance, fed its rows in sequence order.
struct Chain {
  store::ChainHead head;
  std::int64_t expected = 1;
  std::string prev;
  std::optional<Break> broken;

  void fail(std::int64_t seq, std::string reason) {
    if (!broken) broken = Break{head.instance_id, head.business_key, seq, std::move(reason)};
  }
  void add(const store::HistoryRow& r) {
    if (broken) return;
    if (!r.damage.empty())
      return fail(expected,
                  r.damage + " (the stored row of the events up to " + std::to_string(r.seq) + ")");
    if (r.seq != expected)
      return fail(expected, r.seq > expected
                                ? "event " + std::to_string(expected) +
                                      " is missing (the next is " + std::to_string(r.seq) + ")"
                                : "event " + std::to_string(r.seq) + " is out of order");
    if (r.prev_hash != prev) return fail(r.seq, "its link to the previous event is broken");
    auto h = row_hash(r);
    if (!h) return fail(r.seq, h.error());
    if (*h != r.hash) return fail(r.seq, "its content does not match its hash");
    prev = r.hash;
    ++expected;
  }
  void end() {
    if (broken) return;
    if (expected != head.next_seq)
      return fail(expected, "the history ends at event " + std::to_string(expected - 1) +
                                " but the instance records " + std::to_string(head.next_seq - 1));
    if (prev != head.last_hash)
      fail(expected - 1, "the last event's hash is not the one the instance records");
  }
};

}  // namespace

Result<VerifyReport> verify(store::Store& store, const store::Scope& scope,
                            const std::string& instance_id, int page_size) {
  VerifyReport report;
  std::vector<store::ChainHead> heads;
  std::string after_id;
  if (!instance_id.empty()) {
    auto inst = store.instances.get(scope, instance_id);
    if (!inst) return tl::unexpected(inst.error());
    if (!*inst) return fail(ErrorCode::NotFound, "no instance " + instance_id);
    heads.push_back({instance_id, (*inst)->business_key, (*inst)->next_seq, (*inst)->last_hash});
  }
  store::HistoryQuery q;
  q.instance_id = instance_id;
  q.by_instance = true;
  store::HistoryCursor cursor;
  std::vector<store::HistoryRow> rows;
  std::size_t row_at = 0;
  bool rows_done = false;
  // Merge the heads (by id) with the rows (by id, seq), a page of each at a time.
  auto next_row = [&]() -> Result<const store::HistoryRow*> {
    if (row_at == rows.size()) {
      if (rows_done) return nullptr;
      auto page = store.audit.page(scope, q, cursor, page_size);
      if (!page) return tl::unexpected(page.error());
      rows = std::move(*page);
      row_at = 0;
      if (rows.size() < static_cast<std::size_t>(page_size)) rows_done = true;
      if (rows.empty()) return nullptr;
      cursor.instance_id = rows.back().instance_id;
      cursor.seq = rows.back().seq;
    }
    return &rows[row_at];
  };
  std::size_t head_at = 0;
  bool heads_done = !instance_id.empty();
  for (;;) {
    if (head_at == heads.size()) {
      if (heads_done) break;
      auto page = store.audit.chain_heads(scope, after_id, page_size);
      if (!page) return tl::unexpected(page.error());
      heads = std::move(*page);
      head_at = 0;
      if (heads.size() < static_cast<std::size_t>(page_size)) heads_done = true;
      if (heads.empty()) break;
      after_id = heads.back().instance_id;
    }
    Chain chain{heads[head_at++], 1, "", std::nullopt};
    ++report.instances;
    for (;;) {
      auto r = next_row();
      if (!r) return tl::unexpected(r.error());
      // Both streams come in the database's order of instance ids (its collation, not
      // necessarily bytewise), so this head's rows, if any, are the next ones.
      if (!*r || (*r)->instance_id != chain.head.instance_id) break;
      chain.add(**r);
      ++report.events;
      ++row_at;
    }
    chain.end();
    if (chain.broken) report.breaks.push_back(*chain.broken);
  }
  return report;
}

}  // namespace covenant::engine::audit
