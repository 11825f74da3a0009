#include "sandbox/sandbox.hpp"

#include "engine/base64.hpp"
#include "engine/time_format.hpp"
#include "workflows/sha256.hpp"

#include <iostream>
#include <thread>

#include "sandbox/calendar.hpp"
#include "sandbox/form.hpp"
#include "sandbox/netsuite.hpp"
#include "sandbox/salesforce.hpp"
#include "sandbox/servicenow.hpp"
#include "sandbox/stripe.hpp"
#include "sandbox/worktools.hpp"
#include "sandbox/zendesk.hpp"

namespace covenant::sandbox {

namespace {

using nlohmann::json;

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

std::string base64_decode(const std::string& in) {
  static const std::string chars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int bits = 0, value = 0;
  for (char ch : in) {
    if (ch == '=') break;
    auto pos = chars.find(ch);
    if (pos == std::string::npos) return "";
    value = (value << 6) | static_cast<int>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((value >> bits) & 0xff);
    }
  }
  return out;
}

// Answers by dropping the connection: the status line and headers go out, the body never
// does, so the client sees a broken response after the write was committed.
void drop_connection(httplib::Response& res) {
  res.status = 200;
  res.set_content_provider(1024, "application/json",
                           [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
}

// The secret key a Stripe request authenticates with, as Stripe takes it: HTTP Basic with the
// key as the user name and no password (`curl -u sk_test_…:`, the form Stripe's documentation
// uses), or a bearer token. "" when the header holds neither.
std::string stripe_key(const std::string& auth) {
  if (auth.rfind("Bearer ", 0) == 0) return auth.substr(7);
  if (auth.rfind("Basic ", 0) != 0) return "";
  auto decoded = engine::from_base64(auth.substr(6));
  if (!decoded) return "";
  return decoded->substr(0, decoded->find(':'));  // the user name; a password is ignored
}

}  // namespace

bool Sandbox::injected(const httplib::Request& req, httplib::Response& res, bool salesforce) {
  faults_.count(req.method, req.path);
  auto before = faults_.before(req.method, req.path);
  if (before.latency_ms > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(before.latency_ms));
  if (!before.status) return false;
  if (before.retry_after_s >= 0)
    res.set_header("Retry-After", std::to_string(before.retry_after_s));
  std::string message = !before.message.empty() ? before.message
                        : *before.status == 429 ? "Too many requests hit the API too quickly."
                                                : "An error occurred with our connection.";
  if (salesforce) {
    std::string code = *before.status == 429   ? "REQUEST_LIMIT_EXCEEDED"
                       : *before.status >= 500 ? "SERVER_UNAVAILABLE"
                                               : "INVALID_FIELD";
    send_json(res, *before.status, json::array({{{"message", message}, {"errorCode", code}}}));
  } else {
    std::string type = *before.status == 429   ? "rate_limit_error"
                       : *before.status >= 500 ? "api_error"
                                               : "invalid_request_error";
    send_json(res, *before.status, {{"error", {{"type", type}, {"message", message}}}});
  }
  return true;
}

void Sandbox::salesforce_request(const httplib::Request& req, httplib::Response& res) {
  if (injected(req, res, true)) return;
  std::string auth = req.get_header_value("Authorization");
  std::string token = auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : "";
  json body = nullptr;
  if (!req.body.empty()) {
    body = json::parse(req.body, nullptr, false);
    if (body.is_discarded())
      return send_json(res, 400,
                       json::array({{{"message", "The body is not valid JSON"},
                                     {"errorCode", "JSON_PARSER_ERROR"}}}));
  }
  std::string query;
  for (const auto& [k, v] : req.params)
    query += (query.empty() ? "" : "&") + httplib::detail::encode_query_param(k) + "=" +
             httplib::detail::encode_query_param(v);
  Answer answer;
  bool valid = false;
  auto stored = db_.run([&](RecordTx& tx) {
    valid = salesforce_token_valid(token, tx);
    if (valid) answer = salesforce(req.method, req.path, query, body, tx);
  });
  if (!stored)
    return send_json(
        res, 500,
        json::array({{{"message", stored.error().message}, {"errorCode", "UNKNOWN_EXCEPTION"}}}));
  if (!valid)
    return send_json(res, 401,
                     json::array({{{"message", "Session expired or invalid"},
                                   {"errorCode", "INVALID_SESSION_ID"}}}));
  if (req.method == "PATCH" && answer.status < 300 && faults_.drop(req.method, req.path))
    return drop_connection(res);
  send_json(res, answer.status, answer.body);
}

void Sandbox::netsuite_request(const httplib::Request& req, httplib::Response& res) {
  if (injected(req, res, true)) return;
  std::string auth = req.get_header_value("Authorization");
  std::string token = auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : "";
  Answer answer;
  std::string location;
  bool valid = false;
  std::string base = "http://" + req.get_header_value("Host");
  auto stored = db_.run([&](RecordTx& tx) {
    valid = netsuite_token_valid(token, tx);
    if (valid) answer = netsuite(req.method, req.path, req.body, base, tx, location);
  });
  if (!stored) return send_json(res, 500, {{"title", "Internal Server Error"}, {"status", 500}});
  if (!valid)
    return send_json(res, 401,
                     {{"title", "Unauthorized"},
                      {"status", 401},
                      {"o:errorDetails", json::array({{{"detail", "Invalid login attempt."},
                                                       {"o:errorCode", "INVALID_LOGIN"}}})}});
  if (answer.status < 300 && req.method != "GET" && faults_.drop(req.method, req.path))
    return drop_connection(res);
  if (!location.empty()) res.set_header("Location", location);
  if (answer.status == 204) {
    res.status = 204;
    return;
  }
  send_json(res, answer.status, answer.body);
}

void Sandbox::stripe_request(const httplib::Request& req, httplib::Response& res) {
  if (injected(req, res, false)) return;

  if (stripe_key(req.get_header_value("Authorization")).rfind("sk_test_", 0) != 0)
    return send_json(
        res, 401,
        {{"error",
          {{"type", "invalid_request_error"},
           {"message", "Invalid API Key provided. Use a secret test key (sk_test_…)."}}}});
  json params;
  if (req.method == "GET") {
    std::string query;
    for (const auto& [k, v] : req.params)
      query += (query.empty() ? "" : "&") + httplib::detail::encode_query_param(k) + "=" +
               httplib::detail::encode_query_param(v);
    params = parse_form(query);
  } else {
    params = parse_form(req.body);
  }
  std::string key = req.method == "POST" ? req.get_header_value("Idempotency-Key") : "";
  std::string request_hash =
      workflows::sha256_hex(req.method + " " + req.path + " " + params.dump());
  std::int64_t now_s = engine::to_micros(clock_.now()) / 1'000'000;
  Answer answer;
  bool replayed = false;
  auto stored = db_.run([&](RecordTx& tx) {
    if (!key.empty()) {
      if (auto prior = tx.answer("stripe", key)) {
        if (prior->request_hash != request_hash) {
          answer = {400,
                    {{"error",
                      {{"type", "idempotency_error"},
                       {"message",
                        "Keys for idempotent requests can only be used with the same "
                        "parameters they were first used with. Try using a key other "
                        "than '" +
                            key + "' if you meant to execute a different request."}}}}};
        } else {
          answer = {prior->status, json::parse(prior->body)};
          replayed = true;
        }
        return;
      }
    }
    answer = stripe(req.method, req.path, params, tx, now_s);
    if (!key.empty()) tx.remember("stripe", key, {request_hash, answer.status, answer.body.dump()});
  });
  if (!stored)
    return send_json(res, 500,
                     {{"error", {{"type", "api_error"}, {"message", stored.error().message}}}});
  if (replayed) res.set_header("Idempotent-Replayed", "true");
  if (req.method == "POST" && answer.status == 200 && !replayed &&
      faults_.drop(req.method, req.path))
    return drop_connection(res);
  send_json(res, answer.status, answer.body);
}

void Sandbox::install(httplib::Server& http) {
  if (auto seeded = db_.run([](RecordTx& tx) {
        seed_salesforce(tx);
        seed_netsuite(tx);
        seed_zendesk(tx);
        seed_servicenow(tx);
      });
      !seeded)
    std::cerr << "covenant sandbox: seeding: " << seeded.error().message << '\n';
  auto stripe_handler = [this](const httplib::Request& req, httplib::Response& res) {
    stripe_request(req, res);
  };
  http.Get(R"(/v1/.*)", stripe_handler);
  http.Post(R"(/v1/.*)", stripe_handler);
  http.Post("/services/oauth2/token", [this](const httplib::Request& req, httplib::Response& res) {
    if (injected(req, res, true)) return;
    Answer a;
    std::string instance = "http://" + req.get_header_value("Host");
    auto r =
        db_.run([&](RecordTx& tx) { a = salesforce_token(parse_form(req.body), tx, instance); });
    if (!r) return send_json(res, 500, {{"error", "server_error"}});
    send_json(res, a.status, a.body);
  });
  auto sf = [this](const httplib::Request& req, httplib::Response& res) {
    salesforce_request(req, res);
  };
  http.Get(R"(/services/data/.*)", sf);
  http.Patch(R"(/services/data/.*)", sf);
  http.Post("/services/rest/auth/oauth2/v1/token",
            [this](const httplib::Request& req, httplib::Response& res) {
              if (injected(req, res, true)) return;
              Answer a;
              auto r = db_.run([&](RecordTx& tx) { a = netsuite_token(parse_form(req.body), tx); });
              if (!r) return send_json(res, 500, {{"error", "server_error"}});
              send_json(res, a.status, a.body);
            });
  http.Get(R"(/api/v2/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    if (injected(req, res, false)) return;
    // Zendesk's API token authentication: Basic base64("{email}/token:{api token}").
    std::string auth = req.get_header_value("Authorization");
    std::string decoded;
    if (auth.rfind("Basic ", 0) == 0) decoded = base64_decode(auth.substr(6));
    auto colon = decoded.find(':');
    if (colon == std::string::npos ||
        decoded.substr(0, colon).find("/token") == std::string::npos || colon + 1 >= decoded.size())
      return send_json(res, 401, {{"error", "Couldn't authenticate you"}});
    json query = json::object();
    for (const auto& [k, v] : req.params) query[k] = v;
    Answer a;
    std::string base = "http://" + req.get_header_value("Host");
    auto r = db_.run([&](RecordTx& tx) { a = zendesk(req.path, query, base, tx); });
    if (!r) return send_json(res, 500, {{"error", "InternalError"}});
    send_json(res, a.status, a.body);
  });
  http.Get(R"(/api/now/table/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    if (injected(req, res, false)) return;
    // An integration user's basic authentication: Basic base64("{user}:{password}").
    std::string auth = req.get_header_value("Authorization");
    std::string decoded;
    if (auth.rfind("Basic ", 0) == 0) decoded = base64_decode(auth.substr(6));
    auto colon = decoded.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 >= decoded.size())
      return send_json(res, 401,
                       {{"error",
                         {{"message", "User Not Authenticated"},
                          {"detail", "Required to provide Auth information"}}},
                        {"status", "failure"}});
    json query = json::object();
    for (const auto& [k, v] : req.params) query[k] = v;
    Answer a;
    auto r = db_.run([&](RecordTx& tx) { a = servicenow(req.path, query, tx); });
    if (!r) return send_json(res, 500, {{"error", {{"message", "Internal error"}}}});
    send_json(res, a.status, a.body);
  });
  http.Post(R"(/teams/webhook/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    if (injected(req, res, false)) return;
    Answer a;
    auto r = db_.run([&](RecordTx& tx) { a = teams(req.path, req.body, tx); });
    if (!r) {
      res.status = 500;
      return res.set_content("internal error", "text/plain");
    }
    res.status = a.status;
    res.set_content(a.body.get<std::string>(), "text/plain");
  });
  http.Post(R"(/slack/hooks/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    if (injected(req, res, false)) return;
    Answer a;
    auto r = db_.run([&](RecordTx& tx) { a = slack(req.path, req.body, tx); });
    if (!r) {
      res.status = 500;
      return res.set_content("internal_error", "text/plain");
    }
    res.status = a.status;
    res.set_content(a.body.get<std::string>(), "text/plain");
  });
  auto ns = [this](const httplib::Request& req, httplib::Response& res) {
    netsuite_request(req, res);
  };
  http.Get(R"(/services/rest/record/.*)", ns);
  http.Put(R"(/services/rest/record/.*)", ns);
  http.Patch(R"(/services/rest/record/.*)", ns);
  clm_.install(http, [this](const httplib::Request& req, httplib::Response& res) {
    return injected(req, res, false);
  });
  install_worktools(
      http, db_,
      [this](const httplib::Request& req, httplib::Response& res) {
        return injected(req, res, false);
      },
      [this](const httplib::Request& req) { return faults_.drop(req.method, req.path); });
  install_calendar(
      http, db_,
      [this](const httplib::Request& req, httplib::Response& res) {
        return injected(req, res, false);
      },
      [this](const httplib::Request& req) { return faults_.drop(req.method, req.path); });
  http.Post("/_sandbox/cpq/quotes", [this](const httplib::Request& req, httplib::Response& res) {
    auto j = json::parse(req.body, nullptr, false);
    json out;
    auto r = db_.run([&](RecordTx& tx) { out = add_cpq_quote(j, tx); });
    if (!r) return send_json(res, 500, {{"error", r.error().message}});
    send_json(res, out.contains("error") ? 400 : 201, out);
  });
  http.Post("/_sandbox/faults", [this](const httplib::Request& req, httplib::Response& res) {
    auto j = json::parse(req.body, nullptr, false);
    std::string error;
    auto rule = j.is_discarded() ? std::nullopt : rule_from_json(j, error);
    if (!rule)
      return send_json(res, 400, {{"error", j.is_discarded() ? "the body is not JSON" : error}});
    faults_.add(*rule);
    send_json(res, 201, j);
  });
  http.Delete("/_sandbox/faults", [this](const httplib::Request&, httplib::Response& res) {
    faults_.clear();
    send_json(res, 200, {{"cleared", true}});
  });
  http.Get("/_sandbox/requests", [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, faults_.counts());
  });
  http.Get("/_sandbox/records", [this](const httplib::Request& req, httplib::Response& res) {
    std::string system = req.get_param_value("system"), kind = req.get_param_value("kind");
    if (system.empty())
      return send_json(res, 400, {{"error", "give ?system= (and optionally &kind=)"}});
    json out = json::array();
    auto r = db_.run([&](RecordTx& tx) {
      for (const auto& rec : tx.list(system, kind))
        out.push_back({{"kind", rec.kind},
                       {"id", rec.id},
                       {"external_id", rec.external_id},
                       {"body", rec.body}});
    });
    if (!r) return send_json(res, 500, {{"error", r.error().message}});
    send_json(res, 200, {{"items", out}});
  });
  http.Post("/_sandbox/reset", [this](const httplib::Request&, httplib::Response& res) {
    faults_.clear();
    auto r = db_.run([](RecordTx& tx) { tx.clear(); });
    if (!r) return send_json(res, 500, {{"error", r.error().message}});
    send_json(res, 200, {{"reset", true}});
  });
}

}  // namespace covenant::sandbox
