// Principals (store.principals): principals and their token hashes.
#include "engine/store/store.hpp"

namespace covenant::engine::store {
namespace {

constexpr const char* kAddPrincipal =
    "INSERT INTO principals (name, roles, token_hash, created_us, revoked_us, namespace, kind, "
    "scopes) VALUES (:n, :r, :h, :c, 0, :ns, :k, :s)";
constexpr const char* kAddToken =
    "INSERT INTO principal_tokens (token_hash, principal, created_us, expires_us, retired_us, "
    "namespace) VALUES (:h, :n, :c, :e, 0, :ns)";
// A token works until it expires and, once rotated out, until its overlap ends.
constexpr const char* kByTokenHash =
    "SELECT p.name, p.roles, p.created_us, p.revoked_us, p.namespace, p.kind, p.scopes "
    "FROM principal_tokens t "
    "JOIN principals p ON p.name = t.principal WHERE t.token_hash = :h "
    "AND (t.expires_us = 0 OR t.expires_us > :now) AND (t.retired_us = 0 OR t.retired_us > :now2)";
constexpr const char* kRetire =
    "UPDATE principal_tokens SET retired_us = :r WHERE principal = :n "
    "AND (retired_us = 0 OR retired_us > :r2)";
constexpr const char* kLiveTokens =
    "SELECT COUNT(*), COALESCE(MIN(CASE WHEN expires_us = 0 THEN NULLIF(retired_us, 0) "
    "WHEN retired_us = 0 THEN expires_us WHEN retired_us < expires_us THEN retired_us "
    "ELSE expires_us END), 0) FROM principal_tokens WHERE principal = :n "
    "AND (expires_us = 0 OR expires_us > :now) AND (retired_us = 0 OR retired_us > :now2)";
constexpr const char* kByName =
    "SELECT name, roles, created_us, revoked_us, namespace, kind, scopes FROM principals WHERE "
    "name = :n AND (:all = 1 OR namespace = :ns)";
constexpr const char* kRevoke =
    "UPDATE principals SET revoked_us = :t WHERE name = :n AND revoked_us = 0 AND (:all = 1 OR "
    "namespace = :ns)";
constexpr const char* kExists =
    "SELECT COUNT(*) FROM principals WHERE name = :n AND (:all = 1 OR namespace = :ns)";
constexpr const char* kAll =
    "SELECT name, roles, created_us, revoked_us, namespace, kind, scopes FROM principals WHERE "
    "(:all = 1 OR namespace = :ns) ORDER BY name";

// The columns every read of a principal takes, bound by `into`.
struct Columns {
  std::string name, roles, ns, kind, scopes;
  long long created = 0, revoked = 0;
};

PrincipalRow row(const Columns& c) {
  PrincipalRow p;
  p.name = c.name;
  p.roles = nlohmann::json::parse(c.roles).get<std::vector<std::string>>();
  p.created_us = c.created;
  p.revoked_us = c.revoked;
  p.ns = c.ns;
  p.kind = c.kind;
  p.scopes = nlohmann::json::parse(c.scopes).get<std::vector<std::string>>();
  return p;
}

}  // namespace

Result<void> Principals::add(const std::string& ns, const std::string& name,
                             const std::vector<std::string>& roles, const std::string& token_hash,
                             std::int64_t now_us, std::int64_t expires_us, const std::string& kind,
                             const std::vector<std::string>& scopes) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns));
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<void>("add principal", [&]() -> Result<void> {
    std::string roles_json = nlohmann::json(roles).dump();
    std::string scopes_json = nlohmann::json(scopes).dump();
    long long now = now_us;
    long long expires = expires_us;
    (*tx)->sql() << kAddPrincipal, soci::use(name), soci::use(roles_json), soci::use(token_hash),
        soci::use(now), soci::use(ns), soci::use(kind), soci::use(scopes_json);
    (*tx)->sql() << kAddToken, soci::use(token_hash), soci::use(name), soci::use(now),
        soci::use(expires), soci::use(ns);
    return {};
  });
  if (!r) {
    if (r.error().code == ErrorCode::Conflict)  // names are unique across namespaces
      r.error().message = "a principal named '" + name + "' exists";
    return r;
  }
  return (*tx)->commit();
}

Result<std::optional<PrincipalRow>> Principals::by_token_hash(const std::string& token_hash,
                                                              std::int64_t now_us) {
  auto tx = db_.begin(Scope::all(), false);  // a token names its principal and namespace
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::optional<PrincipalRow>>(
      "authenticate", [&]() -> Result<std::optional<PrincipalRow>> {
        Columns c;
        long long now = now_us, now2 = now_us;
        (*tx)->sql() << kByTokenHash, soci::use(token_hash), soci::use(now), soci::use(now2),
            soci::into(c.name), soci::into(c.roles), soci::into(c.created), soci::into(c.revoked),
            soci::into(c.ns), soci::into(c.kind), soci::into(c.scopes);
        if (!(*tx)->sql().got_data()) return std::nullopt;
        return row(c);
      });
}

Result<std::optional<PrincipalRow>> Principals::get(const Scope& scope, const std::string& name) {
  auto tx = db_.begin(scope, false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::optional<PrincipalRow>>(
      "read principal", [&]() -> Result<std::optional<PrincipalRow>> {
        Columns c;
        int all = scope.all_flag();
        (*tx)->sql() << kByName, soci::use(name), soci::use(all), soci::use(scope.ns()),
            soci::into(c.name), soci::into(c.roles), soci::into(c.created), soci::into(c.revoked),
            soci::into(c.ns), soci::into(c.kind), soci::into(c.scopes);
        if (!(*tx)->sql().got_data()) return std::nullopt;
        return row(c);
      });
}

Result<void> Principals::revoke(const Scope& scope, const std::string& name, std::int64_t now_us) {
  auto tx = db_.begin(scope);
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<void>("revoke principal", [&]() -> Result<void> {
    int exists = 0, all = scope.all_flag();
    (*tx)->sql() << kExists, soci::use(name), soci::use(all), soci::use(scope.ns()),
        soci::into(exists);
    if (!exists) return fail(ErrorCode::NotFound, "no principal named '" + name + "'", name);
    long long now = now_us;
    (*tx)->sql() << kRevoke, soci::use(now), soci::use(name), soci::use(all), soci::use(scope.ns());
    return {};
  });
  if (!r) return r;
  return (*tx)->commit();
}

Result<void> Principals::rotate(const Scope& scope, const std::string& name,
                                const std::string& token_hash, std::int64_t now_us,
                                std::int64_t expires_us, std::int64_t retire_us) {
  auto tx = db_.begin(scope);
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<void>("rotate a token", [&]() -> Result<void> {
    Columns c;
    int all = scope.all_flag();
    (*tx)->sql() << kByName, soci::use(name), soci::use(all), soci::use(scope.ns()),
        soci::into(c.name), soci::into(c.roles), soci::into(c.created), soci::into(c.revoked),
        soci::into(c.ns), soci::into(c.kind), soci::into(c.scopes);
    if (!(*tx)->sql().got_data())
      return fail(ErrorCode::NotFound, "no principal named '" + name + "'", name);
    const std::string& ns = c.ns;
    if (c.revoked)
      return fail(ErrorCode::FailedPrecondition,
                  "'" + name + "' is revoked: add a principal under a new name", name);
    long long retire = retire_us, retire2 = retire_us, now = now_us, expires = expires_us;
    (*tx)->sql() << kRetire, soci::use(retire), soci::use(name), soci::use(retire2);
    (*tx)->sql() << kAddToken, soci::use(token_hash), soci::use(name), soci::use(now),
        soci::use(expires), soci::use(ns);
    return {};
  });
  if (!r) return r;
  return (*tx)->commit();
}

Result<std::vector<PrincipalRow>> Principals::all(const Scope& scope, std::int64_t now_us) {
  auto tx = db_.begin(scope, false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<PrincipalRow>>(
      "list principals", [&]() -> Result<std::vector<PrincipalRow>> {
        std::vector<PrincipalRow> out;
        Columns c;
        int all = scope.all_flag();
        soci::statement st =
            ((*tx)->sql().prepare << kAll, soci::use(all), soci::use(scope.ns()),
             soci::into(c.name), soci::into(c.roles), soci::into(c.created), soci::into(c.revoked),
             soci::into(c.ns), soci::into(c.kind), soci::into(c.scopes));
        st.execute();
        while (st.fetch()) out.push_back(row(c));
        for (auto& p : out) {
          long long count = 0, next = 0, now = now_us, now2 = now_us;
          (*tx)->sql() << kLiveTokens, soci::use(p.name), soci::use(now), soci::use(now2),
              soci::into(count), soci::into(next);
          p.tokens = static_cast<int>(count);
          p.next_expiry_us = next;
        }
        return out;
      });
}

}  // namespace covenant::engine::store
