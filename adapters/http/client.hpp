// The one HTTP client every adapter uses: authentication (bearer, basic, OAuth2 client
// credentials with a cached token), a per-adapter rate limit, timeouts, and retries with
// exponential backoff and jitter on connection failures, 408, 429 and 5xx — honouring
// Retry-After — but never on validation errors. Every failure is sorted: Transient (try
// again later), Permanent (the system refused: its own message), AlreadyDone (the write
// happened before). Secrets never appear in errors. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace covenant::adapters::http {

enum class Failure { Transient, Permanent, AlreadyDone };

struct Error {
  Failure kind = Failure::Permanent;
  std::string message;  // "<system>: <what it said>"
  int status = 0;       // 0: no HTTP answer
  std::string code;     // the system's own error code, when it gives one
};

template <class T>
using Result = tl::expected<T, Error>;

struct Response {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string header(const std::string& lower_name) const;
};

struct Request {
  std::string method = "GET";
  std::string path;  // with its query string
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type;
  // False for a write the system cannot recognise when sent again (no idempotency key, no
  // external id to upsert on): the client sends it once, and the adapter looks for what it
  // made before it writes again.
  bool repeatable = true;
};

struct Auth {
  enum class Kind { None, Bearer, Basic, OAuth2 } kind = Kind::None;
  std::string token;           // Bearer
  std::string user, password;  // Basic
  std::string token_path;      // OAuth2 client credentials: the token endpoint
  std::string client_id, client_secret;
};

// What the client needs from the process, injected so tests run without waiting and
// nothing here reads a clock or a random source.
struct Hooks {
  std::function<void(std::chrono::milliseconds)> sleep;  // between attempts
  std::function<double()> random;                        // [0, 1): jitter
  std::function<std::int64_t()> now_ms;                  // for the rate limit
  // Where requests go: empty, the network; set, a function standing in for the system (the
  // adapter-answer fuzzer). Every request passes through it as it would be sent, the OAuth2
  // token request and the Authorization header included.
  std::function<Result<Response>(const Request&)> exchange;
};

struct Options {
  std::string system;  // "stripe", "salesforce", … (errors name it)
  std::string base_url;
  Auth auth;
  std::chrono::milliseconds timeout{10'000};
  int max_attempts = 4;
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{8'000};
  double rate_per_second = 0;  // 0: no limit
};

// Turns a non-2xx answer into an Error; the default sorts 408/429/5xx as Transient and the
// rest as Permanent with the body as the message.
using Classifier = std::function<Error(const Response&)>;

class Client {
 public:
  Client(Options o, Hooks h);
  Result<Response> send(const Request& r, const Classifier& classify = {});
  const Options& options() const { return o_; }
  // The default classification (for classifiers that handle only their special cases).
  Error classify_default(const Response& r) const;

 private:
  Result<Response> attempt(const Request& r);
  Result<Response> exchange(const Request& r);  // the hook, or one HTTP exchange
  Result<std::string> bearer();
  void throttle();

  Options o_;
  Hooks h_;
  std::mutex mu_;
  std::string oauth_token_;        // GUARDED_BY(mu_)
  std::int64_t next_slot_ms_ = 0;  // GUARDED_BY(mu_)
};

// application/x-www-form-urlencoded, with Stripe's nesting: a[b]=c, a[0][b]=c.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);
std::string url_encode(const std::string& s);

// A system's answer as JSON, held to the bounds of any JSON from outside
// (workflows/json_input.hpp): discarded (is_discarded()) when it is not JSON, nests past
// 64 levels, or holds a number no double holds. Adapters treat that as a bad answer.
nlohmann::json parse_answer(std::string_view body);

}  // namespace covenant::adapters::http
