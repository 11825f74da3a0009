#include "adapters/http/client.hpp"

#include "workflows/json_input.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <regex>
#include <thread>

namespace covenant::adapters::http {

std::string Response::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += url_encode(k) + "=" + url_encode(v);
  }
  return out;
}

Client::Client(Options o, Hooks h) : o_(std::move(o)), h_(std::move(h)) {
  if (!h_.sleep) h_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!h_.random) h_.random = [] { return 0.5; };
  if (!h_.now_ms) h_.now_ms = [] { return std::int64_t{0}; };
}

Error Client::classify_default(const Response& r) const {
  Error e;
  e.status = r.status;
  e.kind = (r.status == 408 || r.status == 429 || r.status >= 500) ? Failure::Transient
                                                                   : Failure::Permanent;
  std::string said = r.body.size() > 500 ? r.body.substr(0, 500) + "…" : r.body;
  e.message =
      o_.system + " answered " + std::to_string(r.status) + (said.empty() ? "" : ": " + said);
  return e;
}

void Client::throttle() {
  if (o_.rate_per_second <= 0) return;
  std::int64_t wait = 0;
  {
    std::lock_guard lock(mu_);
    std::int64_t now = h_.now_ms();
    auto slot = static_cast<std::int64_t>(std::ceil(1000.0 / o_.rate_per_second));
    std::int64_t at = std::max(now, next_slot_ms_);
    next_slot_ms_ = at + slot;
    wait = at - now;
  }
  if (wait > 0) h_.sleep(std::chrono::milliseconds(wait));
}

Result<std::string> Client::bearer() {
  switch (o_.auth.kind) {
    case Auth::Kind::None:
    case Auth::Kind::Basic:
      return std::string();
    case Auth::Kind::Bearer:
      return o_.auth.token;
    case Auth::Kind::OAuth2:
      break;
  }
  {
    std::lock_guard lock(mu_);
    if (!oauth_token_.empty()) return oauth_token_;
  }
  Request token_request{"POST",
                        o_.auth.token_path,
                        {},
                        form_encode({{"grant_type", "client_credentials"},
                                     {"client_id", o_.auth.client_id},
                                     {"client_secret", o_.auth.client_secret}}),
                        "application/x-www-form-urlencoded"};
  auto res = exchange(token_request);
  if (!res)
    return tl::unexpected(
        Error{Failure::Transient, o_.system + ": cannot reach the token endpoint", 0, ""});
  // Busy (429, 408) or failing (5xx) is a reason to try again later, as for any request;
  // only a refusal of the credentials themselves is permanent.
  if (res->status == 429 || res->status == 408 || res->status >= 500)
    return tl::unexpected(Error{
        Failure::Transient,
        o_.system + ": the token endpoint is unavailable (" + std::to_string(res->status) + ")",
        res->status, ""});
  if (res->status != 200)
    return tl::unexpected(Error{Failure::Permanent,
                                o_.system +
                                    ": the token endpoint refused the client credentials (" +
                                    std::to_string(res->status) + ")",
                                res->status, "invalid_client"});
  auto j = parse_answer(res->body);
  if (!j.is_object() || !j.contains("access_token") || !j["access_token"].is_string())
    return tl::unexpected(Error{
        Failure::Transient, o_.system + ": the token endpoint answered without a token", 200, ""});
  std::lock_guard lock(mu_);
  oauth_token_ = j["access_token"];
  return oauth_token_;
}

Result<Response> Client::attempt(const Request& r) {
  auto token = bearer();
  if (!token) return tl::unexpected(token.error());
  if (token->empty()) return exchange(r);
  Request with = r;
  with.headers.emplace_back("Authorization", "Bearer " + *token);
  return exchange(with);
}

Result<Response> Client::exchange(const Request& r) {
  if (h_.exchange) return h_.exchange(r);
  httplib::Client c(o_.base_url);
  c.set_connection_timeout(o_.timeout);
  c.set_read_timeout(o_.timeout);
  c.set_write_timeout(o_.timeout);
  httplib::Headers headers;
  for (const auto& [k, v] : r.headers) headers.emplace(k, v);
  if (o_.auth.kind == Auth::Kind::Basic) c.set_basic_auth(o_.auth.user, o_.auth.password);
  httplib::Result res = r.method == "GET"      ? c.Get(r.path, headers)
                        : r.method == "DELETE" ? c.Delete(r.path, headers)
                        : r.method == "PATCH"  ? c.Patch(r.path, headers, r.body, r.content_type)
                        : r.method == "PUT"    ? c.Put(r.path, headers, r.body, r.content_type)
                                               : c.Post(r.path, headers, r.body, r.content_type);
  if (!res)
    return tl::unexpected(Error{Failure::Transient,
                                o_.system + ": no answer (" + httplib::to_string(res.error()) + ")",
                                0, ""});
  Response out;
  out.status = res->status;
  out.body = res->body;
  for (const auto& [k, v] : res->headers) {
    std::string name = k;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    out.headers[name] = v;
  }
  return out;
}

Result<Response> Client::send(const Request& r, const Classifier& classify) {
  Error last;
  const int attempts = r.repeatable ? std::max(1, o_.max_attempts) : 1;
  for (int n = 1; n <= attempts; ++n) {
    throttle();
    auto res = attempt(r);
    std::chrono::milliseconds retry_after{-1};
    if (res && res->status >= 200 && res->status < 300) return res;
    if (res) {
      last = classify ? classify(*res) : classify_default(*res);
      if (res->status == 401 && o_.auth.kind == Auth::Kind::OAuth2) {
        std::lock_guard lock(mu_);
        oauth_token_.clear();  // expired: fetch a new one on the next attempt
        last.kind = Failure::Transient;
      }
      static const std::regex seconds_re(R"(^\s*(\d{1,6})\s*$)");
      std::smatch m;
      std::string ra = res->header("retry-after");
      if (std::regex_match(ra, m, seconds_re)) retry_after = std::chrono::seconds(std::stoi(m[1]));
    } else {
      last = res.error();
    }
    if (last.kind != Failure::Transient || n == attempts) return tl::unexpected(last);
    // Exponential backoff with full jitter, or what the system asked for.
    std::chrono::milliseconds cap =
        std::min(o_.max_backoff,
                 std::chrono::milliseconds(o_.initial_backoff.count() << std::min(n - 1, 20)));
    auto wait = retry_after.count() >= 0
                    ? std::min(retry_after, std::chrono::milliseconds(60'000))
                    : std::chrono::milliseconds(static_cast<std::int64_t>(
                          static_cast<double>(cap.count()) * (0.5 + 0.5 * h_.random())));
    h_.sleep(wait);
  }
  return tl::unexpected(last);
}

nlohmann::json parse_answer(std::string_view body) {
  auto parsed = workflows::parse_json_input(body);
  return parsed ? std::move(*parsed) : nlohmann::json(nlohmann::json::value_t::discarded);
}

}  // namespace covenant::adapters::http
