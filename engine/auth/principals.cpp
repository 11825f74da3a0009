#include "engine/auth/principals.hpp"

#include "engine/time_format.hpp"
#include "workflows/sha256.hpp"

#include <algorithm>
#include <array>
#include <regex>
#include <string_view>

namespace covenant::engine::auth {
namespace {

bool well_formed(const std::string& s) {
  static const std::regex re(R"(^[a-z][a-z0-9_.-]{0,63}$)");
  return std::regex_match(s, re);
}

}  // namespace

bool Principal::has_role(const std::string& r) const {
  return std::find(roles.begin(), roles.end(), r) != roles.end();
}

bool Principal::may(const std::string& scope) const {
  if (!is_service() || scope.empty()) return true;
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

namespace {
constexpr std::array<std::string_view, 11> kResources = {
    "definitions", "instances",  "documents", "approvals", "delegations", "reviews",
    "audit",       "migrations", "metrics",   "usage",     "namespaces"};
}  // namespace

bool valid_scope(const std::string& scope) {
  auto colon = scope.find(':');
  if (colon == std::string::npos) return false;
  std::string_view resource(scope.data(), colon), access(scope.data() + colon + 1);
  return (access == "read" || access == "write") &&
         std::find(kResources.begin(), kResources.end(), resource) != kResources.end();
}

std::string route_scope(const std::string& method, const std::string& pattern) {
  std::string_view path = pattern;
  if (path.rfind("/v1/", 0) == 0)
    path.remove_prefix(4);
  else if (!path.empty() && path.front() == '/')
    path.remove_prefix(1);
  std::string resource(path.substr(0, path.find('/')));
  if (std::find(kResources.begin(), kResources.end(), resource) == kResources.end()) return "";
  return resource + (method == "GET" || method == "HEAD" ? ":read" : ":write");
}

Result<std::string> Principals::add(const std::string& ns, const std::string& name,
                                    const std::vector<std::string>& roles,
                                    std::chrono::seconds expires_in) {
  return add_principal(ns, name, roles, expires_in, Principal::kPerson, {});
}

Result<std::string> Principals::add_principal(const std::string& ns, const std::string& name,
                                              const std::vector<std::string>& roles,
                                              std::chrono::seconds expires_in,
                                              const std::string& kind,
                                              const std::vector<std::string>& scopes) {
  if (auto bad = store::check_namespace(ns); !bad) return tl::unexpected(bad.error());
  if (expires_in.count() < 0)
    return fail(ErrorCode::InvalidArgument, "a token's lifetime cannot be negative", name);
  if (!well_formed(name))
    return fail(ErrorCode::InvalidArgument,
                "a principal's name is lower-case letters, digits, '_', '.' or '-' (at most 64)",
                name);
  if (roles.empty())
    return fail(ErrorCode::InvalidArgument, "a principal needs at least one role", name);
  for (const auto& r : roles)
    if (!well_formed(r)) return fail(ErrorCode::InvalidArgument, "bad role name '" + r + "'", name);
  std::string token = std::string(kTokenPrefix) + ids_.token();
  std::int64_t now = to_micros(clock_.now());
  auto r = store_.principals.add(ns, name, roles, workflows::sha256_hex(token), now,
                                 expires_in.count() ? now + expires_in.count() * 1'000'000 : 0,
                                 kind, scopes);
  if (!r) return tl::unexpected(r.error());
  return token;
}

Result<std::string> Principals::add_service(const std::string& ns, const std::string& name,
                                            const std::vector<std::string>& roles,
                                            const std::vector<std::string>& scopes,
                                            std::chrono::seconds expires_in) {
  if (scopes.empty())
    return fail(ErrorCode::InvalidArgument,
                "a service identity needs at least one scope (e.g. instances:write)", name);
  for (const auto& sc : scopes)
    if (!valid_scope(sc))
      return fail(ErrorCode::InvalidArgument,
                  "not a scope: '" + sc +
                      "' (a resource — definitions, instances, documents, approvals, "
                      "delegations, reviews, audit, migrations, metrics, usage — then :read or "
                      ":write)",
                  name);
  if (std::find(roles.begin(), roles.end(), "admin") != roles.end())
    return fail(ErrorCode::InvalidArgument,
                "a service identity is not an admin: give it the roles its calls need", name);
  return add_principal(ns, name, roles, expires_in, Principal::kService, scopes);
}

Result<std::string> Principals::rotate(const store::Scope& scope, const std::string& name,
                                       std::chrono::seconds overlap,
                                       std::chrono::seconds expires_in) {
  if (overlap.count() < 0 || expires_in.count() < 0)
    return fail(ErrorCode::InvalidArgument, "an overlap or a lifetime cannot be negative", name);
  if (expires_in.count() && expires_in <= overlap)
    return fail(ErrorCode::InvalidArgument,
                "the new token must outlive the overlap (its lifetime is shorter)", name);
  std::string token = std::string(kTokenPrefix) + ids_.token();
  std::int64_t now = to_micros(clock_.now());
  auto r = store_.principals.rotate(scope, name, workflows::sha256_hex(token), now,
                                    expires_in.count() ? now + expires_in.count() * 1'000'000 : 0,
                                    now + overlap.count() * 1'000'000);
  if (!r) return tl::unexpected(r.error());
  return token;
}

void Principals::trust_issuer(std::shared_ptr<OidcVerifier> verifier) {
  issuers_.push_back(std::move(verifier));
}

Result<Principal> Principals::authenticate_jwt(const std::string& token) {
  std::string iss = unverified_issuer(token);
  for (const auto& v : issuers_) {
    if (v->issuer().issuer != iss) continue;
    auto who = v->verify(token, to_micros(clock_.now()) / 1'000'000);
    if (!who) return tl::unexpected(who.error());
    // One name, one person: an identity provider's subject may not take the name of one of
    // Covenant's own principals (their decisions would be confused in the history).
    auto local = store_.principals.get(store::Scope::all(), who->name);
    if (!local) return tl::unexpected(local.error());
    if (*local)
      return fail(ErrorCode::Unauthenticated,
                  "the bearer token is not accepted: its subject is the name of a Covenant "
                  "principal");
    return Principal{who->name, who->roles, 0, 0, who->issuer, who->ns};
  }
  return fail(ErrorCode::Unauthenticated,
              "the bearer token is not accepted: it is not from a trusted issuer");
}

Result<Principal> Principals::authenticate(const std::string& token) {
  if (!issuers_.empty() && token.rfind(kTokenPrefix, 0) != 0 && looks_like_jwt(token))
    return authenticate_jwt(token);
  auto denied = [] {
    return fail(ErrorCode::PermissionDenied, "invalid, expired or revoked token");
  };
  if (token.rfind(kTokenPrefix, 0) != 0 || token.size() != 4 + 64) return denied();
  auto p = store_.principals.by_token_hash(workflows::sha256_hex(token), to_micros(clock_.now()));
  if (!p) return tl::unexpected(p.error());
  if (!*p || (*p)->revoked_us != 0) return denied();
  Principal who{(*p)->name, (*p)->roles, (*p)->created_us, (*p)->revoked_us, "", (*p)->ns};
  who.kind = (*p)->kind;
  who.scopes = (*p)->scopes;
  return who;
}

Result<void> Principals::revoke(const store::Scope& scope, const std::string& name) {
  return store_.principals.revoke(scope, name, to_micros(clock_.now()));
}

Result<std::vector<store::PrincipalRow>> Principals::list(const store::Scope& scope) {
  return store_.principals.all(scope, to_micros(clock_.now()));
}

}  // namespace covenant::engine::auth
