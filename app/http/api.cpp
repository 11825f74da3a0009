#include "app/http/api.hpp"

#include "app/http/problem.hpp"
#include "engine/log.hpp"
#include "engine/time_format.hpp"
#include "workflows/expressions.hpp"
#include "workflows/json_input.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <stdexcept>

namespace covenant::app::http {

namespace {

constexpr const char* kParam = "([A-Za-z0-9_.:-]+)";

std::regex compile_pattern(const std::string& pattern) {
  std::string re;
  for (std::size_t i = 0; i < pattern.size();) {
    if (pattern[i] == '{') {
      auto end = pattern.find('}', i);
      bool rest = pattern.compare(end - 1, 1, "+") == 0;
      re += rest ? "(.+)" : kParam;
      i = end + 1;
    } else {
      char ch = pattern[i++];
      if (std::string(".+*?()[]^$|\\").find(ch) != std::string::npos) re += '\\';
      re += ch;
    }
  }
  return std::regex(re);
}

}  // namespace

std::string Request::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::string Response::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return "";
}

Api::Api(Services s) : s_(std::move(s)) {}

Api::Route& Api::route(const std::string& method, const std::string& pattern,
                       std::vector<std::string> roles, std::function<void(Call&)> handler,
                       Access access) {
  if (roles.empty() && access != Access::Public)
    throw std::logic_error("route " + method + " " + pattern + " names no role");
  routes_.push_back(
      {method, pattern, compile_pattern(pattern), std::move(roles), access, std::move(handler)});
  routes_.back().scope = engine::auth::route_scope(method, pattern);
  return routes_.back();
}

// What is malformed in a request: a method that is not a word of letters, or text that is
// not UTF-8 although it must be (the path, a query parameter, a body that is not binary).
// nullopt when it is all well-formed.
std::optional<std::string> malformed(const Request& req) {
  bool word = !req.method.empty() && req.method.size() <= 16 &&
              std::all_of(req.method.begin(), req.method.end(),
                          [](unsigned char ch) { return std::isalpha(ch) != 0; });
  if (!word) return "the method is not an HTTP method";
  if (!workflows::valid_utf8(req.path)) return "the path is not valid UTF-8";
  for (const auto& [k, v] : req.query)
    if (!workflows::valid_utf8(k) || !workflows::valid_utf8(v))
      return "a query parameter is not valid UTF-8";
  std::string type = req.header("content-type");
  bool text = type.empty() || type.rfind("application/json", 0) == 0 ||
              type.find("yaml") != std::string::npos || type.rfind("text/", 0) == 0;
  if (text)
    if (auto at = workflows::invalid_utf8_at(req.body); at != std::string::npos)
      return "the body at byte " + std::to_string(at + 1) + " is not valid UTF-8";
  return std::nullopt;
}

Response Api::handle(const Request& req) {
  auto started = engine::monotonic_us();
  Response res;
  std::string rid = "req_" + s_.ids.token().substr(0, 16);
  Call c{req, res, rid, {}, std::nullopt, {}, {}, {}, engine::store::kDefaultNamespace};
  try {
    res.headers.emplace_back("X-Request-Id", rid);
    if (auto what = malformed(req)) {
      bool method = what->rfind("the method", 0) == 0;
      problem(c, method ? "BadRequest" : "InvalidEncoding", *what);
    } else {
      route_and_dispatch(c);
    }
  } catch (const std::exception& e) {  // boundary: log it, answer 500 without details
    engine::log::error("http", std::string("request failed: ") + e.what(),
                       {{"request_id", rid}, {"method", req.method}, {"path", req.path}});
    res = Response{};
    res.headers.emplace_back("X-Request-Id", rid);
    problem(c, "Internal", "see the server log for request " + rid);
  }
  // The access log: one line per request, after it is answered. A malformed path or method
  // is logged as received (the log escapes what it must).
  auto ms = engine::monotonic_us() - started;
  engine::log::write(
      res.status >= 500 ? engine::log::Level::Error : engine::log::Level::Info, "access",
      req.method + " " + req.path + " " + std::to_string(res.status),
      {{"request_id", rid},
       {"method", req.method},
       {"path", req.path},
       {"status", std::to_string(res.status)},
       {"duration_ms", std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100)},
       {"principal", c.principal.name},
       {"namespace", c.ns},
       {"instance", c.instance},
       {"workflow", c.workflow}});
  return res;
}

void Api::route_and_dispatch(Call& c) {
  const Request& req = c.req;
  // /v1/namespaces/{ns}/rest is /v1/rest in namespace ns.
  std::string path = req.path;
  constexpr std::string_view kPrefix = "/v1/namespaces/";
  if (path.rfind(kPrefix, 0) == 0) {
    auto end = path.find('/', kPrefix.size());
    std::string ns =
        path.substr(kPrefix.size(), end == std::string::npos ? end : end - kPrefix.size());
    if (!engine::store::valid_namespace(ns))
      return problem(
          c, "NotFound",
          "no namespace '" + ns.substr(0, 64) + "': a namespace is 1 to 63 of a-z, 0-9 and '-'");
    if (end == std::string::npos)
      return problem(c, "NotFound", "no route for " + req.method + " " + req.path);
    c.ns = ns;
    path = "/v1" + path.substr(end);
  }
  const Route* found = nullptr;
  std::string allowed;
  for (const auto& r : routes_) {
    std::smatch m;
    if (!std::regex_match(path, m, r.regex)) continue;
    if (r.method != req.method) {
      allowed += (allowed.empty() ? "" : ", ") + r.method;
      continue;
    }
    found = &r;
    for (std::size_t i = 1; i < m.size(); ++i) c.params.push_back(m[i]);
    if (r.pattern.rfind("/v1/instances/{id}", 0) == 0) c.instance = c.params[0];
    break;
  }
  if (!found && !allowed.empty()) {
    c.res.headers.emplace_back("Allow", allowed);
    return problem(c, "MethodNotAllowed",
                   req.method + " is not allowed here (allowed: " + allowed + ")");
  }
  if (!found) return problem(c, "NotFound", "no route for " + req.method + " " + req.path);
  if (found->access == Access::Public && path != req.path)
    return problem(c, "NotFound", "no route for " + req.method + " " + req.path);
  dispatch(*found, c);
}

namespace {
// Whether the request named its namespace (/v1/namespaces/{ns}/…).
bool prefixed(const Call& c) { return c.req.path.rfind("/v1/namespaces/", 0) == 0; }
}  // namespace

void Api::dispatch(const Route& r, Call& c) {
  if (r.access == Access::Public) return r.handler(c);
  std::string auth = c.req.header("authorization");
  if (auth.rfind("Bearer ", 0) != 0) {
    c.res.headers.emplace_back("WWW-Authenticate", "Bearer");
    return problem(c, "Unauthenticated", "send Authorization: Bearer <token>");
  }
  std::string token = auth.substr(7);
  if (token.rfind(engine::approvals::kCallbackTokenPrefix, 0) == 0) {
    if (r.access != Access::Callback) {
      c.res.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return problem(c, "Unauthenticated",
                     "an approval callback token only reads and decides its approval");
    }
    auto who = s_.desk.authenticate_token(token);
    if (!who) {
      c.res.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      if (who.error().code != engine::ErrorCode::PermissionDenied) return problem(c, who.error());
      return problem(c, "Unauthenticated", who.error().message);
    }
    if (who->spent && r.method != "POST") {  // a used token only replays its decision
      c.res.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return problem(c, "Unauthenticated", "this callback token has been used");
    }
    c.principal = who->principal;
    c.callback = *who;
    if (r.any_namespace && !prefixed(c)) c.ns = c.principal.ns;
    if (!in_namespace(c) || !within_rate(c)) return;
    return r.handler(c);
  }
  auto who = s_.principals.authenticate(token);
  if (!who) {
    c.res.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    if (who.error().code != engine::ErrorCode::PermissionDenied) return problem(c, who.error());
    return problem(c, "Unauthenticated", who.error().message);
  }
  bool allowed = who->has_role("admin");
  for (const auto& role : r.roles)
    allowed = allowed || (role == kApprover ? !who->roles.empty() : who->has_role(role));
  if (!allowed) {
    std::string roles;
    for (const auto& role : r.roles) roles += (roles.empty() ? "" : ", ") + role;
    return problem(c, "PermissionDenied", "this route needs one of the roles: " + roles);
  }
  if (!who->may(r.scope)) {
    std::string scopes;
    for (const auto& sc : who->scopes) scopes += (scopes.empty() ? "" : ", ") + sc;
    return problem(c, "PermissionDenied",
                   "this service identity's tokens reach " + scopes + ", not " + r.scope);
  }
  c.principal = *who;
  if (r.any_namespace && !prefixed(c)) c.ns = c.principal.ns;
  if (!in_namespace(c) || !within_rate(c)) return;
  r.handler(c);
}

void Api::limit_rates(const RateLimits& limits) {
  limiter_ = limits.any() ? std::make_unique<RateLimiter>(limits) : nullptr;
}

void Api::accept_intake(std::vector<intake::Source> sources) {
  RateLimits limits;
  for (const auto& s : sources) limits.by_ns[s.name] = {s.per_second, s.burst};
  intake_limiter_ = std::make_unique<RateLimiter>(std::move(limits));
  intake_ = std::move(sources);
}

std::optional<std::int64_t> Api::take_intake(const std::string& name, std::int64_t now_us) {
  if (!intake_limiter_) return std::nullopt;
  return intake_limiter_->take(name, now_us);
}

bool Api::within_rate(Call& c) {
  if (!limiter_) return true;
  auto wait = limiter_->take(c.ns, engine::to_micros(s_.clock.now()));
  if (!wait) return true;
  c.res.headers.emplace_back("Retry-After", std::to_string(*wait));
  problem(c, "TooManyRequests",
          "namespace '" + c.ns + "' is over its rate limit: send it again in " +
              std::to_string(*wait) + " s");
  return false;
}

bool Api::in_namespace(Call& c) {
  if (c.principal.ns == c.ns) return true;
  problem(c, "PermissionDenied",
          "this principal acts in namespace '" + c.principal.ns + "', not '" + c.ns + "'");
  return false;
}

std::optional<nlohmann::json> json_body(Call& c) {
  std::string type = c.req.header("content-type");
  if (type.rfind("application/json", 0) != 0) {
    problem(c, "UnsupportedMediaType", "send Content-Type: application/json");
    return std::nullopt;
  }
  auto body = workflows::parse_json_input(c.req.body);
  if (body) return std::move(*body);
  using Kind = workflows::JsonRefusal::Kind;
  const auto& why = body.error();
  const char* title = why.kind == Kind::TooDeep            ? "JsonTooDeep"
                      : why.kind == Kind::NumberOutOfRange ? "NumberOutOfRange"
                                                           : "MalformedJson";
  std::string limit =
      why.kind == Kind::TooDeep
          ? " (the limit is " + std::to_string(workflows::kMaxJsonDepth) + " levels)"
          : "";
  problem(c, title, "the body is " + why.message + limit);
  return std::nullopt;
}

void reply(Call& c, int status, const nlohmann::json& body) {
  c.res.status = status;
  c.res.content_type = "application/json";
  c.res.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void problem(Call& c, const std::string& code, const std::string& detail,
             const nlohmann::json& extra) {
  const ProblemType& type = problem_for(code);
  c.res.status = type.status;
  c.res.content_type = "application/problem+json";
  c.res.body = problem_json(type.status, type.code, detail, c.request_id, extra, c.req.path)
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void problem(Call& c, const engine::Error& e) {
  if (status_for(e.code) >= 500)
    engine::log::error("http", std::string(engine::to_string(e.code)) + ": " + e.message,
                       {{"request_id", c.request_id},
                        {"method", c.req.method},
                        {"path", c.req.path},
                        {"principal", c.principal.name},
                        {"namespace", c.ns},
                        {"instance", c.instance},
                        {"workflow", c.workflow}});
  problem(c, engine::to_string(e.code), public_detail(e, c.request_id));
}

std::optional<int> limit_param(Call& c, int def, int max) {
  auto it = c.req.query.find("limit");
  if (it == c.req.query.end()) return def;
  int n = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
  if (ec != std::errc() || p != it->second.data() + it->second.size() || n < 1 || n > max) {
    problem(c, "BadRequest", "'limit' must be a whole number from 1 to " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::string query_param(const Call& c, const std::string& name) {
  auto it = c.req.query.find(name);
  return it == c.req.query.end() ? "" : it->second;
}

std::string make_cursor(std::int64_t us, const std::string& id) {
  static const char* hex = "0123456789abcdef";
  std::string plain = std::to_string(us) + "|" + id, out;
  for (unsigned char ch : plain) {
    out += hex[ch >> 4];
    out += hex[ch & 15];
  }
  return out;
}

std::optional<std::pair<std::int64_t, std::string>> read_cursor(const std::string& cursor) {
  if (cursor.size() % 2 || cursor.size() > 1024) return std::nullopt;
  std::string plain;
  for (std::size_t i = 0; i < cursor.size(); i += 2) {
    int v = 0;
    auto [p, ec] = std::from_chars(cursor.data() + i, cursor.data() + i + 2, v, 16);
    if (ec != std::errc() || p != cursor.data() + i + 2) return std::nullopt;
    plain += static_cast<char>(v);
  }
  auto bar = plain.find('|');
  if (bar == std::string::npos) return std::nullopt;
  std::int64_t us = 0;
  auto [p, ec] = std::from_chars(plain.data(), plain.data() + bar, us);
  if (ec != std::errc() || p != plain.data() + bar) return std::nullopt;
  return std::make_pair(us, plain.substr(bar + 1));
}

void add_all_routes(Api& api) {
  add_definition_routes(api);
  add_operation_routes(api);
  add_instance_routes(api);
  add_review_routes(api);
  add_approval_routes(api);
  add_admin_routes(api);
  add_web_routes(api);
  add_audit_routes(api);
  add_intake_routes(api);
  add_usage_routes(api);
  add_obligation_routes(api);
  add_view_routes(api);
}

}  // namespace covenant::app::http
