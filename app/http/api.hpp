// The HTTP API without sockets: a Request struct in, a Response struct out. Api::handle
// routes, authenticates (a principal's bearer token, or an approval callback token on the
// routes that accept one), checks roles, gives every request an id, and turns every failure
// into a problem document (problem.hpp). Routes live in routes_*.cpp, each a short function
// that parses, calls one engine function and maps the Result. server.cpp puts it on a
// cpp-httplib socket; most tests call handle() directly.
// Thread-safety: handle() may run on many threads at once; everything it touches is
// thread-safe.
#pragma once

#include "app/http/rate_limit.hpp"
#include "app/intake.hpp"
#include "engine/approvals/desk.hpp"
#include "engine/auth/principals.hpp"
#include "engine/metrics.hpp"
#include "engine/runtime/runtime.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace covenant::app::http {

struct Request {
  std::string method = "GET";
  std::string path;
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string header(const std::string& lower_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // A body too large to hold (an export): when set, the server sends it in chunks, calling
  // `stream` with a writer that returns false once the client has gone. Unset: `body`.
  std::function<bool(const std::function<bool(std::string_view)>& write)> stream;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string header(const std::string& name) const;
};

// What the routes work with. References; the composition root owns them.
struct Services {
  engine::store::Store& store;
  engine::runtime::Runtime& runtime;
  const engine::Clock& clock;
  engine::IdSource& ids;
  engine::auth::Principals& principals;
  engine::approvals::ApprovalDesk& desk;
  engine::Metrics& metrics;
  std::string public_url;  // how approvers reach this server (callback links, web pages)
};

// One request being handled.
struct Call {
  const Request& req;
  Response& res;
  std::string request_id;
  engine::auth::Principal principal;
  std::optional<engine::approvals::Approver> callback;  // authenticated by a callback token
  std::vector<std::string> params;                      // path parameters, in order
  // What the access log names beside the request, when the route knows it: the instance and
  // its workflow (set by the routes that load one; a path's {id} under /v1/instances).
  std::string instance, workflow;
  // The namespace the request acts in: /v1/namespaces/{ns}/… names it; the routes without
  // that prefix are the default namespace's. A principal acts only in its own.
  std::string ns = engine::store::kDefaultNamespace;
};

// The store scope of a request: its namespace's rows only.
inline engine::store::Scope scope(const Call& c) { return engine::store::Scope::of(c.ns); }

// The pseudo-role of the approval routes: any principal (every principal holds a role;
// approver roles are named by workflows, so the list is open). What such a caller reads
// and decides is then filtered by the approval rules, delegations and separation of duties.
inline constexpr const char* kApprover = "approver";

enum class Access {
  Public,    // no token (health, web assets)
  Bearer,    // a principal's token
  Callback,  // a principal's token or an approval callback token
};

class Api {
 public:
  explicit Api(Services s);

  Response handle(const Request& req);

  struct Route {
    std::string method;
    std::string pattern;  // OpenAPI style: /v1/instances/{id}
    std::regex regex;
    std::vector<std::string> roles;  // any of them (admin always); empty only when Public
    Access access = Access::Bearer;
    std::function<void(Call&)> handler;
    // What a service identity's token needs to reach it (engine::auth::route_scope).
    std::string scope{};
    // Answers a principal of any namespace, in its own (GET /v1/me: who is calling is how a
    // page learns the namespace to act in).
    bool any_namespace = false;
  };
  // Registers a route. Parameters in braces match [A-Za-z0-9_.:-]+ (a trailing {path+}
  // matches the rest of the path).
  // Every route that is not Public names its roles: a route with none is refused here.
  Route& route(const std::string& method, const std::string& pattern,
               std::vector<std::string> roles, std::function<void(Call&)> handler,
               Access access = Access::Bearer);
  const std::vector<Route>& routes() const { return routes_; }
  Services& services() { return s_; }
  // Limits each namespace's authenticated requests from now on (rate_limit.hpp); before
  // serving.
  void limit_rates(const RateLimits& limits);
  // The CLM intake endpoints (POST /v1/intake/{name}) from now on; before serving.
  void accept_intake(std::vector<intake::Source> sources);
  const std::vector<intake::Source>& intake_sources() const { return intake_; }
  // Takes one of intake source `name`'s deliveries at `now_us`: nullopt when within its rate,
  // else the seconds until it is.
  std::optional<std::int64_t> take_intake(const std::string& name, std::int64_t now_us);

 private:
  void route_and_dispatch(Call& c);
  void dispatch(const Route& r, Call& c);
  // Whether the authenticated principal acts in the request's namespace (a 403 problem
  // written when not).
  bool in_namespace(Call& c);
  // Whether the request's namespace has a token left (a 429 problem with Retry-After written
  // when not).
  bool within_rate(Call& c);
  Services s_;
  std::unique_ptr<RateLimiter> limiter_;
  std::vector<Route> routes_;
  std::vector<intake::Source> intake_;
  std::unique_ptr<RateLimiter> intake_limiter_;
};

// Adds every route of the product (routes_*.cpp).
void add_all_routes(Api& api);
void add_definition_routes(Api& api);
void add_instance_routes(Api& api);
void add_operation_routes(Api& api);
void add_approval_routes(Api& api);
void add_admin_routes(Api& api);
void add_web_routes(Api& api);
void add_audit_routes(Api& api);
void add_review_routes(Api& api);
void add_intake_routes(Api& api);
void add_usage_routes(Api& api);
void add_obligation_routes(Api& api);
void add_view_routes(Api& api);

// Helpers for routes.
// The JSON body, or a 415/400 problem already written (returns nullopt).
std::optional<nlohmann::json> json_body(Call& c);
void reply(Call& c, int status, const nlohmann::json& body);
// The problem document for `code` (a kind problem.cpp lists: its HTTP status comes from there,
// the one mapping from error kind to status). `extra` members join the document (e.g. located
// errors, the instance a conflict names).
void problem(Call& c, const std::string& code, const std::string& detail,
             const nlohmann::json& extra = nlohmann::json::object());
void problem(Call& c, const engine::Error& e);
// A query parameter's value, "" when absent.
std::string query_param(const Call& c, const std::string& name);
// ?limit= within [1, max] (default `def`), or a 400 problem written (nullopt).
std::optional<int> limit_param(Call& c, int def = 50, int max = 500);
// An opaque cursor for (time, id) keyset pagination, and back.
std::string make_cursor(std::int64_t us, const std::string& id);
std::optional<std::pair<std::int64_t, std::string>> read_cursor(const std::string& cursor);

}  // namespace covenant::app::http
