// Problem documents (RFC 9457, app/http/problem.cpp): every kind of problem has a type URI
// that the server answers for, documented in docs/http-api.md with the same code and title, and
// a problem document carries its type, title, code, detail, instance and request id.
#include "app/http/problem.hpp"
#include "tests/app/api_fixture.hpp"

#include <fstream>
#include <map>
#include <regex>

using covenant::testing::is_problem;
using nlohmann::json;

TEST_CASE("Every problem type is documented, served, and named by the documents that carry it") {
  covenant::testing::ApiFixture a;
  // docs/http-api.md lists each kind: type, code, title — the same as the server's table.
  std::ifstream in(std::string(COVENANT_SOURCE_DIR) + "/docs/http-api.md");
  REQUIRE(in);
  std::map<std::string, std::pair<std::string, std::string>> documented;  // type → code, title
  std::string line;
  std::regex row(R"(^\s*\| `(/problems/[a-z-]+)` \| (\w+) \| (.+) \|\s*$)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, row)) documented[m[1]] = {m[2], m[3]};
  }
  const auto& types = covenant::app::http::problem_types();
  CHECK(documented.size() == types.size());
  for (const auto& t : types) {
    std::string type = std::string("/problems/") + t.slug;
    INFO(type);
    REQUIRE(documented.count(type));
    CHECK(documented[type].first == t.code);
    CHECK(documented[type].second == t.title);
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
