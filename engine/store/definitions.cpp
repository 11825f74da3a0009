// Definitions (store.definitions): immutable, by digest within a namespace; a new digest under a
// known name is the name's next version there.
#include "engine/store/store.hpp"

namespace covenant::engine::store {
namespace {

constexpr const char* kDefinitionColumns =
    "SELECT digest, name, version, source, canonical, created_us FROM definitions "
    "WHERE namespace = :ns ";
constexpr const char* kDefinitionByDigest = "AND digest = :d";
constexpr const char* kLatestDefinition = "AND name = :n ORDER BY version DESC LIMIT 1";
constexpr const char* kAllDefinitions = "ORDER BY name, version";
constexpr const char* kNextVersion =
    "SELECT COALESCE(MAX(version), 0) + 1 FROM definitions WHERE namespace = :ns AND name = :n";
constexpr const char* kInsertDefinition =
    "INSERT INTO definitions (namespace, digest, name, version, source, canonical, created_us) "
    "VALUES (:ns, :d, :n, :v, :s, :c, :t)";

Result<DefinitionRecord> read_definition(Store& store, Tx* in, const std::string& ns,
                                         const std::string& where, const std::string& param) {
  Result<std::unique_ptr<Tx>> own = std::unique_ptr<Tx>();
  if (!in) {
    if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
    own = store.begin(Scope::of(ns), false);
    if (!own) return tl::unexpected(own.error());
  }
  Tx* tx = in ? in : own->get();
  if (!tx->scope().covers(ns)) return fail(ErrorCode::NotFound, "no definition " + param, param);
  return store.guard<DefinitionRecord>("read definition", [&]() -> Result<DefinitionRecord> {
    DefinitionRecord d;
    d.ns = ns;
    long long created = 0;
    soci::indicator ind = soci::i_ok;
    tx->sql() << std::string(kDefinitionColumns) + where, soci::use(ns), soci::use(param),
        soci::into(d.digest, ind), soci::into(d.name), soci::into(d.version), soci::into(d.source),
        soci::into(d.canonical), soci::into(created);
    if (!tx->sql().got_data()) return fail(ErrorCode::NotFound, "no definition " + param, param);
    d.created_us = created;
    return d;
  });
}

}  // namespace

Result<DefinitionRecord> Definitions::get(const std::string& ns, const std::string& digest) {
  return read_definition(db_, nullptr, ns, kDefinitionByDigest, digest);
}

Result<DefinitionRecord> Definitions::get(Tx& tx, const std::string& ns,
                                          const std::string& digest) {
  return read_definition(db_, &tx, ns, kDefinitionByDigest, digest);
}

Result<DefinitionRecord> Definitions::latest(const std::string& ns, const std::string& name) {
  return read_definition(db_, nullptr, ns, kLatestDefinition, name);
}

Result<std::vector<DefinitionRecord>> Definitions::all(const std::string& ns) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<DefinitionRecord>>(
      "list definitions", [&]() -> Result<std::vector<DefinitionRecord>> {
        std::vector<DefinitionRecord> out;
        DefinitionRecord d;
        d.ns = ns;
        long long created = 0;
        soci::statement st =
            ((*tx)->sql().prepare << std::string(kDefinitionColumns) + kAllDefinitions,
             soci::use(ns), soci::into(d.digest), soci::into(d.name), soci::into(d.version),
             soci::into(d.source), soci::into(d.canonical), soci::into(created));
        st.execute();
        while (st.fetch()) {
          d.created_us = created;
          out.push_back(d);
        }
        return out;
      });
}

Result<DefinitionRecord> Definitions::put(const std::string& ns, const std::string& name,
                                          const std::string& digest, const std::string& source,
                                          const std::string& canonical, std::int64_t now_us) {
  if (auto existing = get(ns, digest))
    return existing;
  else if (existing.error().code != ErrorCode::NotFound)
    return existing;
  auto tx = db_.begin(Scope::of(ns));
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<DefinitionRecord>("deploy definition", [&]() -> Result<DefinitionRecord> {
    DefinitionRecord d{digest, name, 0, source, canonical, now_us, true, ns};
    (*tx)->sql() << kNextVersion, soci::use(ns), soci::use(name), soci::into(d.version);
    long long created = now_us;
    (*tx)->sql() << kInsertDefinition, soci::use(ns), soci::use(d.digest), soci::use(d.name),
        soci::use(d.version), soci::use(d.source), soci::use(d.canonical), soci::use(created);
    return d;
  });
  if (!r) {
    if (r.error().code == ErrorCode::Conflict) return get(ns, digest);  // deployed concurrently
    return r;
  }
  if (auto c = (*tx)->commit(); !c) return tl::unexpected(c.error());
  return r;
}

}  // namespace covenant::engine::store
