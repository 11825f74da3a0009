// docs/openapi.yaml and the server agree in both directions: every route is documented with
// its roles and how it authenticates, and every documented operation is served.
#include "tests/app/api_fixture.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <set>

using covenant::app::http::Access;

TEST_CASE("docs/openapi.yaml describes exactly the routes the server has") {
  covenant::testing::ApiFixture a;
  auto doc = YAML::LoadFile(std::string(COVENANT_SOURCE_DIR) + "/docs/openapi.yaml");
  REQUIRE(doc["openapi"].as<std::string>() == "3.1.0");
  std::set<std::string> documented, served;
  for (const auto& path : doc["paths"])
    for (const auto& op : path.second)
      documented.insert(op.first.as<std::string>() + " " + path.first.as<std::string>());
  for (const auto& r : a.api.routes()) {
    std::string pattern = r.pattern;
    if (auto plus = pattern.find("+}"); plus != std::string::npos) pattern.erase(plus, 1);
    std::string method = r.method;
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    std::string key = method + " " + pattern;
    served.insert(key);
    INFO(key);
    auto op = doc["paths"][pattern][method];
    if (!op) {
      FAIL_CHECK("served but not documented: " << key);
      continue;
    }
    auto roles = op["x-covenant-roles"];
    REQUIRE(roles);
    std::vector<std::string> want = roles.as<std::vector<std::string>>();
    CHECK(want == r.roles);
    bool public_route = op["security"] && op["security"].size() == 0;
    CHECK(public_route == (r.access == Access::Public));
    bool callback = op["x-covenant-callback-token"] && op["x-covenant-callback-token"].as<bool>();
    CHECK(callback == (r.access == Access::Callback));
  }
  for (const auto& d : documented) {
    INFO(d);
    CHECK(served.count(d) == 1);
  }
  CHECK(served.size() == documented.size());
}
