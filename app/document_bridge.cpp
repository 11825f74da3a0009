#include "app/document_bridge.hpp"

#include "activities/input.hpp"
#include "engine/time_format.hpp"

namespace covenant::app {

using activities::StoredDocument;
using activities::StoreError;

namespace {

StoreError store_error(const engine::Error& e) {
  return {e.message, e.code == engine::ErrorCode::Unavailable};
}

}  // namespace

tl::expected<StoredDocument, StoreError> DocumentBridge::put(const std::string& ns,
                                                             const StoredDocument& doc,
                                                             std::string_view content,
                                                             const std::string& source) {
  engine::store::DocumentRow row{doc.sha256, doc.media_type, doc.bytes, doc.pages, doc.text, 0};
  auto v = store_.documents.put(ns, row, content, doc.contract_id, source,
                                engine::to_micros(clock_.now()));
  if (!v) return tl::unexpected(store_error(v.error()));
  StoredDocument out = doc;
  out.version = v->version;
  out.added = v->added;
  return out;
}

tl::expected<std::optional<StoredDocument>, StoreError> DocumentBridge::get(
    const std::string& ns, const std::string& sha256) {
  auto d = store_.documents.get(ns, sha256);
  if (!d) return tl::unexpected(store_error(d.error()));
  if (!*d) return std::optional<StoredDocument>();
  StoredDocument out;
  out.sha256 = (*d)->sha256;
  out.media_type = (*d)->media_type;
  out.bytes = (*d)->bytes;
  out.pages = (*d)->pages;
  out.text = std::move((*d)->text);
  return std::optional<StoredDocument>(std::move(out));
}

tl::expected<activities::UsageSum, StoreError> UsageBridge::total(const std::string& ns,
                                                                  const std::string& contract_id,
                                                                  const std::string& metric,
                                                                  std::int64_t from_day,
                                                                  std::int64_t to_day) {
  constexpr std::int64_t kDayUs = 86'400LL * 1'000'000;
  auto t = store_.usage.total(ns, contract_id, metric, from_day * kDayUs, to_day * kDayUs);
  if (!t) return tl::unexpected(store_error(t.error()));
  return activities::UsageSum{t->quantity, t->records};
}

namespace {

activities::BookError book_error(const engine::Error& e) {
  using K = activities::BookError::Kind;
  K k = e.code == engine::ErrorCode::NotFound          ? K::NotFound
        : e.code == engine::ErrorCode::Conflict        ? K::Conflict
        : e.code == engine::ErrorCode::InvalidArgument ? K::Invalid
                                                       : K::Store;
  return {k, store_error(e)};
}

engine::store::ContractRow row_of(const activities::BookEntry& e) {
  engine::store::ContractRow r;
  r.contract_id = e.contract_id;
  r.kind = e.kind;
  r.parent_id = e.parent_id;
  r.title = e.title;
  r.title_key = e.title_key;
  r.agreement_date = e.agreement_date;
  r.customer = e.customer;
  r.version = e.version;
  r.state = e.state.dump();
  r.instance_id = e.instance_id;
  return r;
}

// The views' figures of a state (activities::index_of); a state they cannot be read from is
// refused with the field that stops them.
tl::expected<engine::store::ContractIndex, activities::BookError> views_index(
    const std::string& contract_id, const nlohmann::json& state) {
  try {
    return store_index(activities::index_of(state));
  } catch (const activities::BadInput& e) {
    return tl::unexpected(activities::BookError{
        activities::BookError::Kind::Invalid,
        {"contract " + contract_id + "'s figures for the views: " + e.what(), false}});
  }
}

tl::expected<activities::BookEntry, activities::BookError> entry_of(
    const engine::store::ContractRow& r) {
  activities::BookEntry e{r.contract_id, r.kind,           r.parent_id,   r.title,
                          r.title_key,   r.agreement_date, r.customer,    r.version,
                          nullptr,       r.state_sha256,   r.instance_id, r.repeated};
  // A stored row that is not JSON is a damaged row: say so, never guess.
  e.state = nlohmann::json::parse(r.state, nullptr, false);
  if (e.state.is_discarded())
    return tl::unexpected(activities::BookError{
        activities::BookError::Kind::Store,
        {"the book's row for contract " + r.contract_id + " is not JSON: a person must look",
         false}});
  return e;
}

}  // namespace

engine::store::ContractIndex store_index(const activities::BookIndex& i) {
  engine::store::ContractIndex out;
  out.customer_name = i.customer_name;
  out.owner = i.owner;
  out.currency = i.currency;
  out.service_start = i.service_start;
  out.service_end = i.service_end;
  out.total_minor = i.total_minor;
  out.price_minor = i.price_minor;
  out.pending_minor = i.pending_minor;
  for (const auto& m : i.months)
    out.months.push_back({m.month, m.recognised_minor, m.billed_minor});
  return out;
}

tl::expected<activities::BookEntry, activities::BookError> BookBridge::record(
    const std::string& ns, const activities::BookEntry& e) {
  auto row = row_of(e);
  auto index = views_index(e.contract_id, e.state);
  if (!index) return tl::unexpected(index.error());
  row.index = *index;
  auto r = store_.contracts.record(ns, row, engine::to_micros(clock_.now()));
  if (!r) return tl::unexpected(book_error(r.error()));
  return entry_of(*r);
}

tl::expected<activities::BookEntry, activities::BookError> BookBridge::amend(
    const std::string& ns, const activities::BookEntry& a, std::int64_t based_on,
    const nlohmann::json& parent_state) {
  auto row = row_of(a);
  auto index = views_index(a.contract_id, a.state);
  if (!index) return tl::unexpected(index.error());
  row.index = *index;
  auto parent_index = views_index(a.parent_id, parent_state);
  if (!parent_index) return tl::unexpected(parent_index.error());
  auto r = store_.contracts.amend(ns, row, based_on, parent_state.dump(),
                                  engine::to_micros(clock_.now()), *parent_index);
  if (!r) return tl::unexpected(book_error(r.error()));
  return entry_of(*r);
}

tl::expected<void, activities::BookError> BookBridge::settle(const std::string& ns,
                                                             const std::string& id,
                                                             std::int64_t version,
                                                             const std::string& state_sha256,
                                                             const nlohmann::json& state) {
  auto r = store_.contracts.settle(ns, id, version, state_sha256, state.dump(),
                                   engine::to_micros(clock_.now()));
  if (!r) return tl::unexpected(book_error(r.error()));
  return {};
}

tl::expected<std::optional<activities::BookEntry>, activities::BookError> BookBridge::get(
    const std::string& ns, const std::string& id) {
  auto r = store_.contracts.get(ns, id);
  if (!r) return tl::unexpected(book_error(r.error()));
  if (!*r) return std::optional<activities::BookEntry>();
  auto e = entry_of(**r);
  if (!e) return tl::unexpected(e.error());
  return std::optional<activities::BookEntry>(*e);
}

tl::expected<std::vector<activities::BookEntry>, activities::BookError> BookBridge::titled(
    const std::string& ns, const std::string& title_key) {
  auto r = store_.contracts.titled(ns, title_key, 20);
  if (!r) return tl::unexpected(book_error(r.error()));
  std::vector<activities::BookEntry> out;
  for (const auto& row : *r) {
    auto e = entry_of(row);
    if (!e) return tl::unexpected(e.error());
    out.push_back(*e);
  }
  return out;
}

tl::expected<bool, activities::BookError> BookBridge::observe(const std::string& ns,
                                                              const activities::BookFinding& f) {
  engine::store::FindingRow row{f.contract_id, f.monitor,  f.status,      f.tag,
                                f.due_on,      f.currency, f.observed_on, f.body.dump(),
                                f.instance_id, f.items,    f.amount_minor};
  auto r = store_.views.observe(ns, row, engine::to_micros(clock_.now()));
  if (!r) return tl::unexpected(book_error(r.error()));
  return *r;
}

tl::expected<std::size_t, activities::BookError> BookBridge::record_obligations(
    const std::string& ns, const std::string& contract_id, const std::string& writer,
    const std::vector<activities::Obligation>& register_) {
  std::vector<engine::store::ObligationRow> rows;
  rows.reserve(register_.size());
  for (const auto& o : register_) {
    engine::store::ObligationRow r;
    r.contract_id = contract_id;
    r.obligation_id = o.id;
    r.kind = o.kind;
    r.owner = o.owner;
    r.due_date = o.due_date;
    r.body = o.body.dump();
    rows.push_back(std::move(r));
  }
  auto r =
      store_.obligations.replace(ns, contract_id, writer, rows, engine::to_micros(clock_.now()));
  if (!r) return tl::unexpected(book_error(r.error()));
  return *r;
}

}  // namespace covenant::app
