#include "app/document_bridge.hpp"

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

}  // namespace covenant::app
