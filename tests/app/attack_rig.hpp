// The attack rig: Covenant as an adversary meets it. The real HTTP API on a socket on
// 127.0.0.1 (cpp-httplib client and server), the engine on SQLite or PostgreSQL, a worker
// whose activities call the sandbox's Stripe over real HTTP, and the built-in activity
// catalog. ATTACK_TEST registers each case twice, tagged [sqlite] and [postgres].
#pragma once

#include "activities/catalog.hpp"
#include "app/activity_bridge.hpp"
#include "app/http/server.hpp"
#include "tests/app/sandbox_fixture.hpp"
#include "tests/engine/engine_fixture.hpp"
#include "workflows/compiler.hpp"

#include <httplib.h>

#include <thread>

namespace covenant::testing {

struct HttpAnswer {
  int status = 0;
  nlohmann::json body;
};

class AttackRig {
 public:
  // `more` adds systems to the worker's (the sandbox's Stripe is always there).
  explicit AttackRig(const std::string& db_url,
                     const std::function<void(activities::Systems&, AttackRig&)>& more = {})
      : fx(db_url),
        principals(*fx.store_, fx.clock, fx.ids),
        desk(*fx.runtime_, principals, fx.clock, fx.ids),
        bridge([this, &more] {
          activities::Systems systems;
          systems.billing = sandbox.stripe();
          if (more) more(systems, *this);
          return systems;
        }()),
        worker(*fx.runtime_, bridge, {"attack-worker", 1}),
        api({*fx.store_, *fx.runtime_, fx.clock, fx.ids, principals, desk, fx.metrics,
             "http://127.0.0.1"}),
        server(api) {
    app::http::add_all_routes(api);
    port_ = server.bind("127.0.0.1", 0);
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server.run(); });
    // Bounded wait for the socket to answer.
    for (int i = 0; i < 500; ++i) {
      httplib::Client c("127.0.0.1", port_);
      if (c.Get("/healthz")) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL("the API did not start on 127.0.0.1:" << port_);
  }
  ~AttackRig() {
    server.stop();
    thread_.join();
  }
  AttackRig(const AttackRig&) = delete;
  AttackRig& operator=(const AttackRig&) = delete;

  std::string add(const std::string& name, std::vector<std::string> roles) {
    auto t = principals.add(covenant::engine::store::kDefaultNamespace, name, std::move(roles));
    REQUIRE(t);
    return *t;
  }

  // Thread-safe (no Catch assertions): a request that gets no answer has status 0 and the
  // client's error in `body`.
  HttpAnswer call(const std::string& method, const std::string& path, const std::string& token,
                  const std::string& body = "", const std::string& type = "application/json") {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    httplib::Result r = method == "GET"      ? c.Get(path, h)
                        : method == "DELETE" ? c.Delete(path, h)
                                             : c.Post(path, h, body, type);
    if (!r) return {0, "no answer: " + httplib::to_string(r.error())};
    HttpAnswer a{r->status, nullptr};
    if (!r->body.empty()) {
      try {
        a.body = nlohmann::json::parse(r->body);
      } catch (const nlohmann::json::parse_error&) {  // an SVG or a page
        a.body = r->body;
      }
    }
    return a;
  }
  HttpAnswer post(const std::string& path, const std::string& token, const nlohmann::json& body) {
    return call("POST", path, token, body.dump());
  }
  HttpAnswer get(const std::string& path, const std::string& token) {
    return call("GET", path, token);
  }
  HttpAnswer deploy(const std::string& token, const std::string& yaml) {
    return call("POST", "/v1/definitions", token, yaml, "application/yaml");
  }
  // Deploys and requires it to be accepted, showing the problems when it is not.
  void deployed(const std::string& token, const std::string& yaml) {
    auto r = deploy(token, yaml);
    INFO(r.body.dump());
    REQUIRE(r.status == 201);
  }

  // Starts `workflow` over HTTP as `token` and requires it to be accepted; returns the id.
  std::string start(const std::string& token, const std::string& workflow,
                    const nlohmann::json& input, const std::string& business_key = "C-66") {
    auto r = post("/v1/instances", token,
                  {{"workflow", workflow}, {"business_key", business_key}, {"input", input}});
    INFO(r.body.dump());
    REQUIRE(r.status == 201);
    return r.body["id"];
  }

  // Runs the worker until nothing is due; the activities call the sandbox over HTTP.
  void drain() {
    for (int i = 0; i < 200; ++i) {
      auto s = worker.run_due();
      if (s.timers + s.tasks == 0) return;
    }
    FAIL("work did not settle");
  }

  // The one open approval of an instance.
  nlohmann::json open_approval(const std::string& instance_id) {
    auto rows =
        fx.store_->approvals.of_instance(covenant::engine::store::Scope::all(), instance_id);
    REQUIRE(rows);
    for (const auto& a : *rows)
      if (a.status == "open")
        return {{"id", a.id},
                {"digest", a.digest},
                {"rules", a.rules},
                {"subject", a.subject},
                {"state", a.state}};
    FAIL("no open approval on " << instance_id);
    return nullptr;
  }

  int port() const { return port_; }

  std::vector<engine::history::Event> history(const std::string& id) {
    auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
    REQUIRE(h);
    return *h;
  }

  SandboxServer sandbox;
  EngineFixture fx;
  engine::auth::Principals principals;
  engine::approvals::ApprovalDesk desk;
  app::ActivityBridge bridge;
  engine::scheduler::Worker worker;
  app::http::Api api;
  app::http::Server server;

 private:
  int port_ = 0;
  std::thread thread_;
};

}  // namespace covenant::testing

#define ATTACK_TEST(name, fn)                           \
  static void fn(covenant::testing::AttackRig& rig);    \
  TEST_CASE(name " [sqlite]", "[sqlite][attack]") {     \
    covenant::testing::SqliteDb db;                     \
    covenant::testing::AttackRig rig(db.url());         \
    fn(rig);                                            \
  }                                                     \
  TEST_CASE(name " [postgres]", "[postgres][attack]") { \
    covenant::testing::TestDatabase db;                 \
    covenant::testing::AttackRig rig(db.url());         \
    fn(rig);                                            \
  }                                                     \
  static void fn(covenant::testing::AttackRig& rig)
