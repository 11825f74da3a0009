// docs/openapi.yaml and the server agree in both directions: every route is documented with
// its roles and how it authenticates, and every documented operation is served.
#include "tests/app/api_fixture.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
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

namespace {

constexpr const char* kMatrixGate = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: matrix }
start: gate
states:
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: integer }
      customer: { from: "${ .customer }", type: id }
    approvers: [{ role: finance }]
    next: charge
  charge:
    type: task
    activity: money.charge
    input: { amount: "${ .amount }", customer: "${ .customer }" }
    next: done
  done: { type: succeed }
)";

struct Op {
  std::string method, pattern;
  std::vector<std::string> roles;
  bool is_public = false, callback = false;
};

std::vector<Op> documented_ops() {
  auto doc = YAML::LoadFile(std::string(COVENANT_SOURCE_DIR) + "/docs/openapi.yaml");
  std::vector<Op> out;
  for (const auto& path : doc["paths"])
    for (const auto& op : path.second) {
      Op o;
      o.method = op.first.as<std::string>();
      std::transform(o.method.begin(), o.method.end(), o.method.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
      o.pattern = path.first.as<std::string>();
      o.roles = op.second["x-covenant-roles"].as<std::vector<std::string>>();
      o.is_public = op.second["security"] && op.second["security"].size() == 0;
      o.callback = op.second["x-covenant-callback-token"] &&
                   op.second["x-covenant-callback-token"].as<bool>();
      out.push_back(std::move(o));
    }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

TEST_CASE("docs/http-api.md's role table is the one in docs/openapi.yaml") {
  std::ifstream md(std::string(COVENANT_SOURCE_DIR) + "/docs/http-api.md");
  REQUIRE(md);
  std::set<std::string> table, want;
  std::string line;
  bool in_section = false;
  while (std::getline(md, line)) {
    if (line.rfind("## ", 0) == 0) in_section = line == "## Who may call what";
    if (in_section && line.rfind("| `", 0) == 0) table.insert(line);
  }
  for (const auto& o : documented_ops())
    want.insert("| `" + o.method + " " + o.pattern + "` | " +
                (o.is_public ? std::string("public (no token)") : join(o.roles)) + " | " +
                (o.callback ? "yes" : "no") + " |");
  for (const auto& w : want) {
    INFO(w);
    CHECK(table.count(w) == 1);
  }
  CHECK(table.size() == want.size());
}

TEST_CASE("Every route, as every role, a callback token and no token, answers as the matrix says") {
  covenant::testing::ApiFixture a;
  std::map<std::string, std::string> tokens;  // identity -> bearer token ("" = none)
  std::map<std::string, std::vector<std::string>> roles = {
      {"sales", {"sales"}},     {"finance", {"finance"}}, {"revops", {"revops"}},
      {"auditor", {"auditor"}}, {"service", {"service"}}, {"admin", {"admin"}}};
  for (const auto& [who, r] : roles) tokens[who] = a.add(who, r);
  a.add("bob", {"finance"});
  a.fx.deploy(kMatrixGate);
  std::string instance =
      a.fx.start("matrix", {{"amount", 5}, {"customer", "acme"}}, {"C-1", "revops", "", "default"});
  a.fx.drain();
  auto rows = a.fx.store_->approvals.of_instance(covenant::engine::store::Scope::all(), instance);
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  std::string approval = (*rows)[0].id;
  auto now = covenant::engine::to_micros(a.fx.clock.now());
  auto delegation =
      a.desk.delegate("default", {"bob", "sales", now, now + 3600'000'000LL}, "bob", false);
  REQUIRE(delegation);
  auto cb = a.desk.issue_token("default", approval, {"bob", ""}, now + 3600'000'000LL);
  REQUIRE(cb);
  tokens["none"] = "";
  tokens["callback"] = *cb;
  auto fill = [&](std::string p) {
    auto put = [&](const std::string& key, const std::string& value) {
      if (auto at = p.find(key); at != std::string::npos) p.replace(at, key.size(), value);
    };
    std::string id = p.rfind("/v1/instances/", 0) == 0   ? instance
                     : p.rfind("/v1/approvals/", 0) == 0 ? approval
                                                         : std::to_string(*delegation);
    put("{id}", id);
    put("{name}", "matrix");
    put("{event}", "terms");
    put("{sha256}", std::string(64, '0'));
    put("{contract}", "C-1");
    put("{path}", "inbox.html");
    return p;
  };
  // Identities in an order that keeps the fixture's data: the admin (who may revoke the
  // delegation and cancel the instance) goes last.
  const std::vector<std::string> order = {"none",   "callback", "sales",   "finance",
                                          "revops", "auditor",  "service", "admin"};
  for (const auto& who : order) {
    for (const auto& o : documented_ops()) {
      std::string target = fill(o.pattern);
      INFO(who << ": " << o.method << " " << target);
      auto r = a.call(o.method, target, tokens[who], o.method == "GET" ? "" : "{}");
      bool route_refused =
          r.status == 403 && r.body.find("this route needs one of the roles") != std::string::npos;
      if (o.is_public) {
        CHECK(r.status != 401);
        CHECK_FALSE(route_refused);
        continue;
      }
      if (who == "none") {
        CHECK(r.status == 401);
        continue;
      }
      if (who == "callback") {
        CHECK((r.status == 401) == !o.callback);
        continue;
      }
      const auto& mine = roles[who];
      bool allowed = who == "admin";
      for (const auto& role : o.roles) {
        if (role == "approver")
          allowed = true;  // every principal
        else
          allowed = allowed || std::find(mine.begin(), mine.end(), role) != mine.end();
      }
      CHECK(r.status != 401);
      CHECK(route_refused == !allowed);
    }
  }
}
