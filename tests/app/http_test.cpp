// The HTTP API on a real socket on 127.0.0.1: authentication, roles, deploy, start with an
// Idempotency-Key, and a problem document for every kind of bad request — the server stays up.
#include "app/composition.hpp"
#include "app/http/server.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>

#include <thread>

using namespace covenant;

namespace {

const char* kYaml = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: hello }
start: hold
states:
  hold: { type: wait, event: go, next: done }
  done: { type: succeed }
)";

struct Running {
  testing::TempDir dir;
  std::unique_ptr<app::Engine> engine;
  std::unique_ptr<app::http::Api> api;
  std::unique_ptr<app::http::Server> server;
  std::thread thread;
  int port = 0;
  std::string admin, revops, auditor;

  Running() {
    auto e = app::open_engine("sqlite:" + (dir.path() / "c.db").string(), 8);
    REQUIRE(e);
    engine = std::move(*e);
    engine::auth::Principals& p = *engine->principals;
    admin = *p.add("default", "root", {"admin"});
    revops = *p.add("default", "rita", {"revops"});
    auditor = *p.add("default", "audrey", {"auditor"});
    api = std::make_unique<app::http::Api>(engine->services("http://127.0.0.1"));
    app::http::add_all_routes(*api);
    server = std::make_unique<app::http::Server>(*api, 64 * 1024);
    port = server->bind("127.0.0.1", 0);
    REQUIRE(port > 0);
    thread = std::thread([this] { server->run(); });
  }
  ~Running() {
    server->stop();
    thread.join();
  }
  httplib::Client client(const std::string& token) {
    httplib::Client c("127.0.0.1", port);
    if (!token.empty()) c.set_bearer_token_auth(token);
    return c;
  }
};

nlohmann::json body(const httplib::Result& r) { return nlohmann::json::parse(r->body); }

void is_problem(const httplib::Result& r, int status) {
  REQUIRE(r);
  CHECK(r->status == status);
  CHECK(r->get_header_value("Content-Type") == "application/problem+json");
  auto j = body(r);
  CHECK(j["status"] == status);
  CHECK(j.contains("title"));
}

}  // namespace

TEST_CASE("The HTTP API deploys, starts idempotently and answers bad requests with problems") {
  Running s;
  auto anon = s.client("");
  auto health = anon.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  is_problem(anon.Get("/v1/definitions"), 401);
  is_problem(s.client("cov_" + std::string(64, '0')).Get("/v1/definitions"), 401);
  is_problem(s.client(s.auditor).Post("/v1/definitions", kYaml, "application/yaml"), 403);

  auto rev = s.client(s.revops);
  auto deployed = rev.Post("/v1/definitions", kYaml, "application/yaml");
  REQUIRE(deployed);
  CHECK(deployed->status == 201);
  CHECK(body(deployed)["version"] == 1);
  auto invalid =
      rev.Post("/v1/definitions", "apiVersion: covenant/v1\nkind: Workflow\n", "application/yaml");
  is_problem(invalid, 422);
  CHECK(body(invalid)["errors"].size() >= 1);
  CHECK(body(invalid)["errors"][0].contains("line"));

  httplib::Headers key = {{"Idempotency-Key", "start-1"}};
  auto a = rev.Post("/v1/instances", key, R"({"workflow": "hello", "business_key": "C-1"})",
                    "application/json");
  auto b = rev.Post("/v1/instances", key, R"({"workflow": "hello", "business_key": "C-1"})",
                    "application/json");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->status == 201);
  CHECK(body(a)["id"] == body(b)["id"]);
  std::string id = body(a)["id"];
  auto got = rev.Get(("/v1/instances/" + id).c_str());
  REQUIRE(got);
  CHECK(body(got)["status"] == "running");

  is_problem(rev.Post("/v1/instances", "{\"workflow\": ", "application/json"), 400);
  is_problem(rev.Post("/v1/instances", "workflow=hello", "application/x-www-form-urlencoded"), 415);
  is_problem(rev.Post("/v1/instances", R"({"workflow": "nothere"})", "application/json"), 404);
  is_problem(rev.Post("/v1/instances", std::string(100 * 1024, ' '), "application/json"), 413);
  is_problem(rev.Get("/v1/nothing/here"), 404);
  is_problem(rev.Delete("/v1/instances"), 405);
  is_problem(rev.Post(("/v1/instances/" + id + "/events/other").c_str(), "{}", "application/json"),
             409);

  auto signalled =
      rev.Post(("/v1/instances/" + id + "/events/go").c_str(), "{}", "application/json");
  REQUIRE(signalled);
  CHECK(signalled->status == 202);
  auto history = s.client(s.auditor).Get(("/v1/instances/" + id + "/history").c_str());
  REQUIRE(history);
  CHECK(body(history)["items"].back()["type"] == "WorkflowCompleted");
  // Still up after all of that.
  CHECK(anon.Get("/healthz")->status == 200);
}
