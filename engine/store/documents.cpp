// Documents (store.documents): evidence documents, once by SHA-256, and each contract's versions of
// them.
#include "engine/base64.hpp"
#include "engine/store/store.hpp"

namespace covenant::engine::store {
namespace {

constexpr const char* kInsertDocument =
    "INSERT INTO documents (namespace, sha256, media_type, bytes, pages, content_b64, text, "
    "created_us) VALUES (:ns, :s, :m, :b, :p, :c, :t, :u) ON CONFLICT (namespace, sha256) DO "
    "NOTHING";
constexpr const char* kLatestVersion =
    "SELECT version, sha256, source, created_us FROM document_versions WHERE namespace = :ns AND "
    "contract_id = :c ORDER BY version DESC LIMIT 1";
constexpr const char* kInsertVersion =
    "INSERT INTO document_versions (namespace, contract_id, version, sha256, source, created_us) "
    "VALUES (:ns, :c, :v, :s, :src, :u)";
constexpr const char* kDocument =
    "SELECT media_type, bytes, pages, text, created_us FROM documents WHERE namespace = :ns AND "
    "sha256 = :s";
constexpr const char* kContent =
    "SELECT content_b64 FROM documents WHERE namespace = :ns AND sha256 = :s";
constexpr const char* kVersions =
    "SELECT version, sha256, source, created_us FROM document_versions WHERE namespace = :ns AND "
    "contract_id = :c ORDER BY version";

}  // namespace

Result<DocumentVersionRow> Documents::put(const std::string& ns, const DocumentRow& doc,
                                          std::string_view content, const std::string& contract_id,
                                          const std::string& source, std::int64_t now_us) {
  if (contract_id.empty())
    return fail(ErrorCode::InvalidArgument, "a document needs a contract id");
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  // Two workers ingesting the same contract at once race for the next version number: the
  // loser's insert conflicts on the primary key and it reads the winner's version.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto tx = db_.begin(Scope::of(ns));
    if (!tx) return tl::unexpected(tx.error());
    auto r = db_.guard<DocumentVersionRow>("store document", [&]() -> Result<DocumentVersionRow> {
      auto& sql = (*tx)->sql();
      std::string b64 = to_base64(content);
      long long bytes = static_cast<long long>(content.size()), now = now_us;
      int pages = doc.pages;
      sql << kInsertDocument, soci::use(ns), soci::use(doc.sha256), soci::use(doc.media_type),
          soci::use(bytes), soci::use(pages), soci::use(b64), soci::use(doc.text), soci::use(now);
      if (auto q = db_.namespaces.check_documents(**tx, ns); !q) return tl::unexpected(q.error());
      DocumentVersionRow v{contract_id, 0, "", "", 0, false};
      long long created = 0;
      sql << kLatestVersion, soci::use(ns), soci::use(contract_id), soci::into(v.version),
          soci::into(v.sha256), soci::into(v.source), soci::into(created);
      if (sql.got_data() && v.sha256 == doc.sha256) {
        v.created_us = created;
        return v;
      }
      v = {contract_id, sql.got_data() ? v.version + 1 : 1, doc.sha256, source, now_us, true};
      sql << kInsertVersion, soci::use(ns), soci::use(contract_id), soci::use(v.version),
          soci::use(doc.sha256), soci::use(source), soci::use(now);
      return v;
    });
    if (!r) {
      if (r.error().code == ErrorCode::Conflict) continue;
      return r;
    }
    if (auto c = (*tx)->commit(); !c) {
      if (c.error().code == ErrorCode::Conflict) continue;
      return tl::unexpected(c.error());
    }
    return r;
  }
  return fail(ErrorCode::Unavailable, "store document: contract " + contract_id +
                                          " is being given documents by several writers at once");
}

Result<std::optional<DocumentRow>> Documents::get(const std::string& ns,
                                                  const std::string& sha256) {
  if (!valid_namespace(ns)) return std::nullopt;
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::optional<DocumentRow>>(
      "read document", [&]() -> Result<std::optional<DocumentRow>> {
        DocumentRow d;
        d.sha256 = sha256;
        long long bytes = 0, created = 0;
        (*tx)->sql() << kDocument, soci::use(ns), soci::use(sha256), soci::into(d.media_type),
            soci::into(bytes), soci::into(d.pages), soci::into(d.text), soci::into(created);
        if (!(*tx)->sql().got_data()) return std::nullopt;
        d.bytes = bytes;
        d.created_us = created;
        return d;
      });
}

Result<std::optional<std::string>> Documents::content(const std::string& ns,
                                                      const std::string& sha256) {
  if (!valid_namespace(ns)) return std::nullopt;
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::optional<std::string>>(
      "read document content", [&]() -> Result<std::optional<std::string>> {
        std::string b64;
        (*tx)->sql() << kContent, soci::use(ns), soci::use(sha256), soci::into(b64);
        if (!(*tx)->sql().got_data()) return std::nullopt;
        auto bytes = from_base64(b64);
        if (!bytes) return fail(ErrorCode::Internal, "document " + sha256 + " is not valid base64");
        return bytes;
      });
}

Result<std::vector<DocumentVersionRow>> Documents::versions(const std::string& ns,
                                                            const std::string& contract_id) {
  if (!valid_namespace(ns)) return std::vector<DocumentVersionRow>{};
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<DocumentVersionRow>>(
      "list document versions", [&]() -> Result<std::vector<DocumentVersionRow>> {
        std::vector<DocumentVersionRow> out;
        int version = 0;
        std::string sha, source;
        long long created = 0;
        soci::statement st =
            ((*tx)->sql().prepare << kVersions, soci::use(ns), soci::use(contract_id),
             soci::into(version), soci::into(sha), soci::into(source), soci::into(created));
        st.execute();
        while (st.fetch())
          out.push_back(
              {contract_id, version, sha, source, static_cast<std::int64_t>(created), false});
        return out;
      });
}

}  // namespace covenant::engine::store
