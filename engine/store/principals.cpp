// Principals (store.principals): principals and their token hashes.
#include "engine/store/store.hpp"

namespace covenant::engine::store {
namespace {

constexpr const char* kAddPrincipal =
    "INSERT INTO principals (name, roles, token_hash, created_us, revoked_us) "
    "VALUES (:n, :r, :h, :c, 0)";
constexpr const char* kByTokenHash =
    "SELECT name, roles, created_us, revoked_us FROM principals WHERE token_hash = :h";
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
                             const std::string& token_hash, std::int64_t now_us) {
  auto tx = db_.begin();
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<void>("add principal", [&]() -> Result<void> {
    std::string roles_json = nlohmann::json(roles).dump();
    long long now = now_us;
    (*tx)->sql() << kAddPrincipal, soci::use(name), soci::use(roles_json), soci::use(token_hash),
        soci::use(now);
    return {};
  });
  if (!r) {
    if (r.error().code == ErrorCode::Conflict)
      r.error().message = "a principal named '" + name + "' exists";
    return r;
  }
  return (*tx)->commit();
}

Result<std::optional<PrincipalRow>> Principals::by_token_hash(const std::string& token_hash) {
  auto tx = db_.begin(false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::optional<PrincipalRow>>(
      "authenticate", [&]() -> Result<std::optional<PrincipalRow>> {
        std::string name, roles;
        long long created = 0, revoked = 0;
        (*tx)->sql() << kByTokenHash, soci::use(token_hash), soci::into(name), soci::into(roles),
            soci::into(created), soci::into(revoked);
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

Result<std::vector<PrincipalRow>> Principals::all() {
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
        return out;
      });
}

}  // namespace covenant::engine::store
