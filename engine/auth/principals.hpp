// Principals: the people and systems that call Covenant, each with roles (admin, revops,
// auditor, service, and approver roles that workflows name, such as finance or cfo) and a
// bearer token. A token is 256 random bits, shown once when the principal is added and
// stored only as its SHA-256, so a copy of the database does not let anyone in.
// Thread-safe (the store is).
#pragma once

#include "engine/auth/oidc.hpp"
#include "engine/clock.hpp"
#include "engine/error.hpp"
#include "engine/ids.hpp"
#include "engine/store/store.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace covenant::engine::auth {

// Token format: "cov_" followed by 64 hex digits. Do not change: tokens are in use.
inline constexpr const char* kTokenPrefix = "cov_";

struct Principal {
  std::string name;
  std::vector<std::string> roles;
  std::int64_t created_us = 0;
  std::int64_t revoked_us = 0;  // 0: active
  // Who vouched for it: "" for Covenant's own principals, else the OIDC issuer whose token
  // named it (its name is then the token's subject claim).
  std::string issuer;
  // The namespace it acts in: a Covenant principal's own; an identity provider's principals
  // are the namespace its configuration or token names.
  std::string ns = store::kDefaultNamespace;
  // kPerson, or kService: a machine (a CRM, a CLM, a scheduler) whose tokens reach only the
  // routes its `scopes` name and which never decides an approval or holds delegated authority.
  std::string kind = "person";
  std::vector<std::string> scopes{};
  bool has_role(const std::string& r) const;
  bool is_service() const { return kind == kService; }
  // Whether its tokens reach a route of `scope` ("instances:write"): a person's reach every
  // route its roles allow; a service's only those of its scopes. An empty scope (GET /v1/me)
  // is everyone's.
  bool may(const std::string& scope) const;
  static constexpr const char* kPerson = "person";
  static constexpr const char* kService = "service";
};

// A scope: a resource of the API — definitions, instances, documents, approvals, delegations,
// reviews, audit, migrations, metrics, usage, namespaces — then ":read" (GET) or ":write"
// (every other method).
bool valid_scope(const std::string& scope);
// The scope of a route: its resource (the first segment after /v1/, or the path's first) and
// whether it only reads. "" for /v1/me and what is public.
std::string route_scope(const std::string& method, const std::string& pattern);

class Principals {
 public:
  Principals(store::Store& store, const Clock& clock, IdSource& ids)
      : store_(store), clock_(clock), ids_(ids) {}

  // Adds a principal of namespace `ns` and returns its token (the only time it is available),
  // valid for `expires_in` (0: until revoked or rotated). Errors: InvalidArgument (bad
  // namespace, name or role), Conflict (the name exists, in any namespace).
  Result<std::string> add(const std::string& ns, const std::string& name,
                          const std::vector<std::string>& roles,
                          std::chrono::seconds expires_in = std::chrono::seconds(0));
  // A service identity: the same, with the scopes its tokens reach (at least one, each
  // valid_scope). A service is not an admin. Errors: InvalidArgument (as add; no scope, a bad
  // scope, the admin role).
  Result<std::string> add_service(const std::string& ns, const std::string& name,
                                  const std::vector<std::string>& roles,
                                  const std::vector<std::string>& scopes,
                                  std::chrono::seconds expires_in = std::chrono::seconds(0));
  // A new token for `name` (returned once); the tokens it had work for `overlap` more (0: they
  // stop now), while callers change over. Errors: NotFound, FailedPrecondition (revoked),
  // InvalidArgument (a lifetime not longer than the overlap).
  // Only a principal in `scope` (another namespace's is NotFound).
  Result<std::string> rotate(const store::Scope& scope, const std::string& name,
                             std::chrono::seconds overlap,
                             std::chrono::seconds expires_in = std::chrono::seconds(0));
  // The active principal holding `token`: a Covenant token, or a JWT from a trusted issuer
  // (trust_issuer). Errors: PermissionDenied (unknown, malformed or revoked Covenant token; the
  // message does not say which), Unauthenticated (a JWT refused, and why: oidc.hpp).
  Result<Principal> authenticate(const std::string& token);
  // Accepts JWTs from this issuer from now on (before serving: not thread-safe with
  // authenticate).
  void trust_issuer(std::shared_ptr<OidcVerifier> verifier);
  // Errors: NotFound (also another namespace's principal).
  Result<void> revoke(const store::Scope& scope, const std::string& name);
  // Every principal in `scope` with how many of its tokens work now and when the first stops.
  Result<std::vector<store::PrincipalRow>> list(const store::Scope& scope);

 private:
  Result<std::string> add_principal(const std::string& ns, const std::string& name,
                                    const std::vector<std::string>& roles,
                                    std::chrono::seconds expires_in, const std::string& kind,
                                    const std::vector<std::string>& scopes);
  Result<Principal> authenticate_jwt(const std::string& token);
  store::Store& store_;
  const Clock& clock_;
  IdSource& ids_;
  std::vector<std::shared_ptr<OidcVerifier>> issuers_;
};

}  // namespace covenant::engine::auth
