// Principals (store.principals): principals and their token hashes.
#include "engine/store/store.hpp"

namespace covenant::engine::store {
namespace {

constexpr const char* kAddPrincipal =
    "INSERT INTO principals (name, roles, token_hash, created_us, revoked_us) "
    "VALUES (:n, :r, :h, :c, 0)";
constexpr const char* kAddToken =
    "INSERT INTO principal_tokens (token_hash, principal, created_us, expires_us, retired_us) "
    "VALUES (:h, :n, :c, :e, 0)";
// A token works until it expires and, once rotated out, until its overlap ends.
constexpr const char* kByTokenHash =
    "SELECT p.name, p.roles, p.created_us, p.revoked_us FROM principal_tokens t "
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
    "SELECT name, roles, created_us, revoked_us FROM principals WHERE name = :n";
constexpr const char* kRevoke =
    "UPDATE principals SET revoked_us = :t WHERE name = :n AND revoked_us = 0";
constexpr const char* kExists = "SELECT COUNT(*) FROM principals WHERE name = :n";
constexpr const char* kAll =
    "SELECT name, roles, created_us, revoked_us FROM principals ORDER BY name";

PrincipalRow row(const std::string& name, const std::string& roles, long long created,
                 long long revoked) {
  return {name, nlohmann::json::parse(roles).get<std::vector<std::string>>(), created, revoked};
}

}  // namespace

Result<void> Principals::add(const std::string& name, const std::vector<std::string>& roles,
                             const std::string& token_hash, std::int64_t now_us,
                             std::int64_t expires_us) {
  auto tx = db_.begin();
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<void>("add principal", [&]() -> Result<void> {
    std::string roles_json = nlohmann::json(roles).dump();
    long long now = now_us;
    long long expires = expires_us;
    (*tx)->sql() << kAddPrincipal, soci::use(name), soci::use(roles_json), soci::use(token_hash),
        soci::use(now);
    (*tx)->sql() << kAddToken, soci::use(token_hash), soci::use(name), soci::use(now),
        soci::use(expires);
    return {};
  });
  if (!r) {
    if (r.error().code == ErrorCode::Conflict)
      r.error().message = "a principal named '" + name + "' exists";
    return r;
  }
  return (*tx)->commit();
}

Result<std::optional<PrincipalRow>> Principals::by_token_hash(const std::string& token_hash,
                                                              std::int64_t now_us) {
  auto tx = db_.begin(false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::optional<PrincipalRow>>(
      "authenticate", [&]() -> Result<std::optional<PrincipalRow>> {
        std::string name, roles;
        long long created = 0, revoked = 0, now = now_us, now2 = now_us;
        (*tx)->sql() << kByTokenHash, soci::use(token_hash), soci::use(now), soci::use(now2),
            soci::into(name), soci::into(roles), soci::into(created), soci::into(revoked);
        if (!(*tx)->sql().got_data()) return std::nullopt;
        return row(name, roles, created, revoked);
      });
}

Result<std::optional<PrincipalRow>> Principals::get(const std::string& name) {
  auto tx = db_.begin(false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::optional<PrincipalRow>>(
      "read principal", [&]() -> Result<std::optional<PrincipalRow>> {
        std::string n, roles;
        long long created = 0, revoked = 0;
        (*tx)->sql() << kByName, soci::use(name), soci::into(n), soci::into(roles),
            soci::into(created), soci::into(revoked);
        if (!(*tx)->sql().got_data()) return std::nullopt;
        return row(n, roles, created, revoked);
      });
}

Result<void> Principals::revoke(const std::string& name, std::int64_t now_us) {
  auto tx = db_.begin();
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<void>("revoke principal", [&]() -> Result<void> {
    int exists = 0;
    (*tx)->sql() << kExists, soci::use(name), soci::into(exists);
    if (!exists) return fail(ErrorCode::NotFound, "no principal named '" + name + "'", name);
    long long now = now_us;
    (*tx)->sql() << kRevoke, soci::use(now), soci::use(name);
    return {};
  });
  if (!r) return r;
  return (*tx)->commit();
}

Result<void> Principals::rotate(const std::string& name, const std::string& token_hash,
                                std::int64_t now_us, std::int64_t expires_us,
                                std::int64_t retire_us) {
  auto tx = db_.begin();
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<void>("rotate a token", [&]() -> Result<void> {
    std::string n, roles;
    long long created = 0, revoked = 0;
    (*tx)->sql() << kByName, soci::use(name), soci::into(n), soci::into(roles), soci::into(created),
        soci::into(revoked);
    if (!(*tx)->sql().got_data())
      return fail(ErrorCode::NotFound, "no principal named '" + name + "'", name);
    if (revoked)
      return fail(ErrorCode::FailedPrecondition,
                  "'" + name + "' is revoked: add a principal under a new name", name);
    long long retire = retire_us, retire2 = retire_us, now = now_us, expires = expires_us;
    (*tx)->sql() << kRetire, soci::use(retire), soci::use(name), soci::use(retire2);
    (*tx)->sql() << kAddToken, soci::use(token_hash), soci::use(name), soci::use(now),
        soci::use(expires);
    return {};
  });
  if (!r) return r;
  return (*tx)->commit();
}

Result<std::vector<PrincipalRow>> Principals::all(std::int64_t now_us) {
  auto tx = db_.begin(false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<PrincipalRow>>(
      "list principals", [&]() -> Result<std::vector<PrincipalRow>> {
        std::vector<PrincipalRow> out;
        std::string name, roles;
        long long created = 0, revoked = 0;
        soci::statement st = ((*tx)->sql().prepare << kAll, soci::into(name), soci::into(roles),
                              soci::into(created), soci::into(revoked));
        st.execute();
        while (st.fetch()) out.push_back(row(name, roles, created, revoked));
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
