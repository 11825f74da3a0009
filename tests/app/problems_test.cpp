// Problem documents (RFC 9457, app/http/problem.cpp): every kind of problem has a type URI
// that the server answers for, documented in docs/http-api.md with the same code and title, and
// a problem document carries its type, title, code, detail, instance and request id.
#include "app/http/problem.hpp"
#include "engine/log.hpp"
#include "tests/app/api_fixture.hpp"

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <vector>

using covenant::testing::is_problem;
using nlohmann::json;

TEST_CASE("Every problem type is documented, served, and named by the documents that carry it") {
  covenant::testing::ApiFixture a;
  // docs/http-api.md lists each kind: type, code, title — the same as the server's table.
  std::ifstream in(std::string(COVENANT_SOURCE_DIR) + "/docs/http-api.md");
  REQUIRE(in);
  struct Documented {
    std::string code, status, title;
  };
  std::map<std::string, Documented> documented;  // type → code, status, title
  std::string line;
  std::regex row(R"(^\s*\| `(/problems/[a-z-]+)` \| (\w+) \| (\d{3}) \| (.+) \|\s*$)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, row)) documented[m[1]] = {m[2], m[3], m[4]};
  }
  const auto& types = covenant::app::http::problem_types();
  CHECK(documented.size() == types.size());
  for (const auto& t : types) {
    std::string type = std::string("/problems/") + t.slug;
    INFO(type);
    REQUIRE(documented.count(type));
    CHECK(documented[type].code == t.code);
    CHECK(documented[type].status == std::to_string(t.status));
    CHECK(documented[type].title == t.title);
    // GET the type: what it means, without a token.
    auto r = a.call("GET", type, "");
    REQUIRE(r.status == 200);
    auto j = json::parse(r.body);
    CHECK(j["code"] == t.code);
    CHECK(j["title"] == t.title);
    CHECK_FALSE(j["description"].get<std::string>().empty());
  }
  is_problem(a.call("GET", "/problems/no-such-kind", ""), 404);
  is_problem(a.call("GET", "/problems/NotFound", ""), 404);  // by its slug only
  // A problem carries its type, its reason as the title, its code and the request's path.
  auto r = a.call("GET", "/v1/instances/nope", a.add("audrey", {"auditor"}));
  is_problem(r, 404);
  auto j = json::parse(r.body);
  CHECK(j["type"] == "/problems/not-found");
  CHECK(j["title"] == "Not found");
  CHECK(j["code"] == "NotFound");
  CHECK(j["instance"] == "/v1/instances/nope");
}

TEST_CASE("Routes name a kind of problem, never a status: the table maps one to the other") {
  // A status written by hand next to a kind could disagree with the table (a 400 NotFound).
  // Every problem() call in app/http takes the kind only; this reads the sources to keep it so.
  std::regex hard_coded(R"(problem\(\s*\w+\s*,\s*\d{3}\s*,)");
  int files = 0;
  for (const char* name : {"api.cpp", "routes_admin.cpp", "routes_approvals.cpp",
                           "routes_audit.cpp", "routes_definitions.cpp", "routes_instances.cpp",
                           "routes_reviews.cpp", "routes_web.cpp", "server.cpp"}) {
    std::ifstream in(std::string(COVENANT_SOURCE_DIR) + "/app/http/" + name);
    INFO(name);
    REQUIRE(in);
    ++files;
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK_FALSE(std::regex_search(text, hard_coded));
  }
  CHECK(files == 9);
  // An unknown kind is a bug and answers as Internal, not as whatever status it came with.
  CHECK(covenant::app::http::problem_for("NoSuchKind").status == 500);
  CHECK(std::string(covenant::app::http::problem_for("FailedPrecondition").code) ==
        "FailedPrecondition");
  CHECK(covenant::app::http::status_for(covenant::engine::ErrorCode::Conflict) == 409);
}

TEST_CASE("The access log names each request's id, principal, status, instance and workflow") {
  covenant::testing::ApiFixture a;
  namespace logging = covenant::engine::log;
  std::ostringstream out;
  logging::configure({logging::Level::Info, logging::Format::Json, &out});
  a.fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: logged }
start: hold
states:
  hold: { type: wait, event: go, next: done }
  done: { type: succeed }
)");
  auto rita = a.add("rita", {"revops"});
  auto started = a.post("/v1/instances", rita, {{"workflow", "logged"}});
  REQUIRE(started.status == 201);
  std::string id = json::parse(started.body)["id"];
  auto read = a.call("GET", "/v1/instances/" + id, rita);
  REQUIRE(read.status == 200);
  a.call("GET", "/v1/instances/" + id, "not-a-token");
  logging::configure({});
  std::vector<json> access;
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) {
    auto j = json::parse(line);
    if (j["component"] == "access") access.push_back(j);
  }
  REQUIRE(access.size() == 3);
  CHECK(access[0]["method"] == "POST");
  CHECK(access[0]["status"] == "201");
  CHECK(access[0]["instance"] == id);
  CHECK(access[0]["workflow"] == "logged");
  CHECK(access[0]["principal"] == "rita");
  CHECK(access[0]["request_id"] == started.header("X-Request-Id"));
  CHECK(access[1]["workflow"] == "logged");
  CHECK(access[1]["request_id"] == read.header("X-Request-Id"));
  CHECK(access[2]["status"] == "401");
  CHECK_FALSE(access[2].contains("principal"));  // nobody was authenticated
  CHECK(access[2]["instance"] == id);
}
