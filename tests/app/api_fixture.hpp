// The HTTP API without sockets on the engine test fixture (SQLite unless given another
// database, a ManualClock, sequential ids, a recording external system): requests go straight
// to Api::handle.
#pragma once

#include "app/http/api.hpp"
#include "tests/engine/engine_fixture.hpp"

#include <catch2/catch.hpp>

namespace covenant::testing {

struct ApiFixture {
  // On a SQLite file of its own, or on the database at `url` (a PostgreSQL test database).
  ApiFixture() : ApiFixture(std::string()) {}
  explicit ApiFixture(const std::string& url) : fx(url.empty() ? db.url() : url) {
    app::http::add_all_routes(api);
  }

  SqliteDb db;
  EngineFixture fx;
  engine::Metrics& metrics = fx.metrics;
  engine::auth::Principals principals{*fx.store_, fx.clock, fx.ids};
  engine::approvals::ApprovalDesk desk{*fx.runtime_, principals, fx.clock, fx.ids};
  app::http::Api api{{*fx.store_, *fx.runtime_, fx.clock, fx.ids, principals, desk, metrics,
                      "http://127.0.0.1:8080"}};

  std::string add(const std::string& name, std::vector<std::string> roles) {
    return add_in(covenant::engine::store::kDefaultNamespace, name, std::move(roles));
  }
  std::string add_in(const std::string& ns, const std::string& name,
                     std::vector<std::string> roles) {
    auto t = principals.add(ns, name, std::move(roles));
    REQUIRE(t);
    return *t;
  }

  app::http::Response call(const std::string& method, const std::string& target,
                           const std::string& token, const std::string& body = "",
                           const std::string& type = "application/json",
                           std::map<std::string, std::string> headers = {}) {
    app::http::Request r;
    r.method = method;
    auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string rest = target.substr(q + 1);
      std::size_t pos = 0;
      while (pos <= rest.size()) {
        auto amp = rest.find('&', pos);
        if (amp == std::string::npos) amp = rest.size();
        auto part = rest.substr(pos, amp - pos);
        auto eq = part.find('=');
        r.query[part.substr(0, eq)] = eq == std::string::npos ? "" : part.substr(eq + 1);
        pos = amp + 1;
      }
    }
    r.headers = std::move(headers);
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    if (!body.empty()) r.headers["content-type"] = type;
    r.body = body;
    return api.handle(r);
  }
  nlohmann::json get_json(const std::string& target, const std::string& token, int status = 200) {
    auto r = call("GET", target, token);
    INFO(target << ": " << r.body);
    REQUIRE(r.status == status);
    return nlohmann::json::parse(r.body);
  }
  app::http::Response post(const std::string& target, const std::string& token,
                           const nlohmann::json& body) {
    return call("POST", target, token, body.dump());
  }
};

// A response that is a problem document with `status`.
inline void is_problem(const app::http::Response& r, int status) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(r.content_type == "application/problem+json");
  auto j = nlohmann::json::parse(r.body);
  CHECK(j["status"] == status);
  CHECK(j["request_id"].get<std::string>().rfind("req_", 0) == 0);
  // RFC 9457: a type per kind of problem, documented (app/http/problem.cpp, docs/http-api.md),
  // a title in words, the kind's code, and the occurrence's path as `instance`.
  CHECK(j["type"].get<std::string>().rfind("/problems/", 0) == 0);
  CHECK(j["code"].is_string());
  CHECK(j["title"] != j["code"]);
  CHECK(j["instance"].get<std::string>().rfind("/", 0) == 0);
}

}  // namespace covenant::testing
