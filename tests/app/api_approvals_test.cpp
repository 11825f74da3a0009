// The approval API end to end without sockets: inbox, one approval, decisions by bearer and
// by callback token, every refusal with its status, a blocked writeback, and the webhook
// bodies that carry the callbacks.
#include "engine/notify/notifier.hpp"
#include "tests/app/api_fixture.hpp"
#include "tests/support/command.hpp"
#include "tests/support/jwt_signer.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/temp_dir.hpp"

#include <fstream>
#include <iterator>
#include <regex>
#include <set>

using covenant::testing::ApiFixture;
using covenant::testing::is_problem;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kGated = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: gated }
start: amend
states:
  amend: { type: wait, event: terms, output: .terms, next: gate }
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: integer }
      customer: { from: "${ .customer }", type: id }
    approvers: [{ role: finance, count: 2 }]
    quorum: 2
    timeout: 48h
    on_timeout: { next: lapsed }
    on_reject: stopped
    next: charge
  charge: { type: task, activity: money.charge, input: { amount: "${ .amount }", customer: "${ .customer }" }, next: done }
  done: { type: succeed }
  stopped: { type: fail, error: Rejected }
  lapsed: { type: fail, error: Lapsed }
)";

constexpr const char* kRevised = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: revised }
start: gate
states:
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: integer }
      customer: { from: "${ .customer }", type: id }
    approvers: [{ role: finance }]
    next: revise
  revise: { type: wait, event: revise, output: .amount, next: charge }
  charge: { type: task, activity: money.charge, input: { amount: "${ .amount }", customer: "${ .customer }" }, next: done }
  done: { type: succeed }
)";

struct People {
  std::string rita, dave, bob, carol, sam, audrey;
  explicit People(ApiFixture& a)
      : rita(a.add("rita", {"revops", "finance"})),
        dave(a.add("dave", {"service", "finance"})),
        bob(a.add("bob", {"finance"})),
        carol(a.add("carol", {"finance"})),
        sam(a.add("sam", {"sales"})),
        audrey(a.add("audrey", {"auditor"})) {}
};

json decision(const std::string& verdict, const std::string& digest, const std::string& id = "") {
  json d = {{"decision", verdict}, {"digest", digest}, {"comment", "checked the plan"}};
  if (!id.empty()) d["decision_id"] = id;
  return d;
}

// Starts `gated` as rita, amended by dave, parked at the gate; returns the approval.
json parked(ApiFixture& a, People& p) {
  a.fx.deploy(kGated);
  auto started = a.post("/v1/instances", p.rita,
                        {{"workflow", "gated"},
                         {"business_key", "C-7"},
                         {"input", {{"amount", 125000}, {"customer", "acme"}}}});
  REQUIRE(started.status == 201);
  std::string id = json::parse(started.body)["id"];
  REQUIRE(a.post("/v1/instances/" + id + "/events/terms", p.dave, {{"net", 30}}).status == 202);
  a.fx.drain();
  auto inbox = a.get_json("/v1/approvals", p.bob);
  REQUIRE(inbox["items"].size() == 1);
  return inbox["items"][0];
}

}  // namespace

TEST_CASE("Approvers see their inbox and one approval with its subject and digest") {
  ApiFixture a;
  People p(a);
  auto approval = parked(a, p);
  CHECK(approval["business_key"] == "C-7");
  CHECK(approval["subject"] == json({{"amount", 125000}, {"customer", "acme"}}));
  CHECK(approval["digest"].get<std::string>().size() == 64);
  CHECK(approval["status"] == "open");
  CHECK(approval["deadline"] == "2027-01-17T08:00:00Z");
  std::string path = "/v1/approvals/" + approval["id"].get<std::string>();
  CHECK(a.get_json(path, p.bob)["id"] == approval["id"]);
  CHECK(a.get_json(path, p.audrey)["digest"] == approval["digest"]);  // auditors read
  is_problem(a.call("GET", path, p.sam), 403);                        // sales does not
  CHECK(a.get_json("/v1/approvals", p.sam)["items"].empty());
  // rita started it and dave changed it: neither sees it as theirs to decide.
  CHECK(a.get_json("/v1/approvals", p.rita)["items"].empty());
  CHECK(a.get_json("/v1/approvals", p.dave)["items"].empty());
  is_problem(a.call("GET", "/v1/approvals/apr_nothing", p.bob), 404);
}

TEST_CASE("Every refusal of a decision has its status, and nothing counts twice") {
  ApiFixture a;
  People p(a);
  auto approval = parked(a, p);
  std::string digest = approval["digest"];
  std::string url = "/v1/approvals/" + approval["id"].get<std::string>() + "/decisions";
  // The initiator and whoever changed the instance (separation of duties).
  is_problem(a.post(url, p.rita, decision("approve", digest)), 403);
  is_problem(a.post(url, p.dave, decision("approve", digest)), 403);
  is_problem(a.post(url, p.sam, decision("approve", digest)), 403);  // no eligible role
  is_problem(a.post(url, p.bob, decision("approve", std::string(64, 'e'))), 409);  // stale
  is_problem(a.post(url, p.bob, decision("maybe", digest)), 422);
  is_problem(a.post(url, p.bob, decision("approve", "short")), 422);
  is_problem(a.call("POST", url, p.bob, "{\"decision\": ", "application/json"), 400);
  is_problem(a.call("POST", url, p.bob, "decision=approve", "application/x-www-form-urlencoded"),
             415);
  is_problem(a.call("POST", url, "", decision("approve", digest).dump()), 401);
  auto first = a.post(url, p.bob, decision("approve", digest, "bob-1"));
  REQUIRE(first.status == 201);
  CHECK(json::parse(first.body)["status"] == "open");
  auto repeat = a.post(url, p.bob, decision("approve", digest, "bob-1"));
  CHECK(repeat.status == 200);
  CHECK(json::parse(repeat.body)["repeated"] == true);
  is_problem(a.post(url, p.bob, decision("reject", digest, "bob-1")), 409);  // same id, new mind
  is_problem(a.post(url, p.bob, decision("approve", digest)), 409);          // counted once
  a.fx.drain();
  CHECK(a.fx.system.calls("money.charge") == 0);
  auto granted = a.post(url, p.carol, decision("approve", digest));
  REQUIRE(granted.status == 201);
  CHECK(json::parse(granted.body)["status"] == "granted");
  is_problem(a.post(url, p.carol, decision("reject", digest)), 409);  // closed gate
  a.fx.drain();
  CHECK(a.fx.system.writes("money.charge") == 1);
  auto closed = a.get_json("/v1/approvals/" + approval["id"].get<std::string>(), p.audrey);
  CHECK(closed["status"] == "granted");
  CHECK(closed["decisions"].size() == 2);
}

TEST_CASE("Callback tokens decide once, only their approval, and not after expiry") {
  ApiFixture a;
  People p(a);
  auto approval = parked(a, p);
  std::string apr = approval["id"], digest = approval["digest"];
  std::string url = "/v1/approvals/" + apr + "/decisions";
  // The notifier mints one token per person who may decide, at send time.
  struct Nothing final : covenant::engine::notify::Sender {
    covenant::engine::Result<void> send(const covenant::engine::notify::Endpoint&,
                                        const std::string&, const std::string&,
                                        std::int64_t) override {
      return {};
    }
  } sender;
  covenant::engine::notify::Notifier notifier(*a.fx.store_, a.desk, sender, {}, a.fx.clock,
                                              {"http://127.0.0.1:8080"});
  auto rows = a.fx.store_->outbox.of_instance(covenant::engine::store::Scope::all(), "");
  REQUIRE(rows);
  REQUIRE_FALSE(rows->empty());
  // Each person's token goes to their own channel only.
  std::map<std::string, std::string> tokens;
  for (const char* who : {"bob", "carol", "rita", "dave", "sam"}) {
    covenant::engine::notify::Endpoint own{
        std::string(who) + "-channel", "http://127.0.0.1:1/", "s", {}, who, ""};
    auto body = notifier.body_for(rows->front(), own);
    REQUIRE(body);
    if (!*body) continue;  // nothing for someone who may not decide
    REQUIRE((**body)["data"]["callbacks"].size() == 1);
    const auto& cb = (**body)["data"]["callbacks"][0];
    CHECK(cb["approver"] == who);
    tokens[cb["approver"]] = cb["token"];
    CHECK(cb["callback_url"] == "http://127.0.0.1:8080" + url);
  }
  CHECK(tokens.count("bob"));
  CHECK(tokens.count("carol"));
  CHECK_FALSE(tokens.count("rita"));  // started it
  CHECK_FALSE(tokens.count("dave"));  // changed it
  CHECK_FALSE(tokens.count("sam"));   // no eligible role
  // A token reads its approval, and nothing else; it says whose it is and for what.
  CHECK(a.get_json("/v1/approvals/" + apr, tokens["bob"])["digest"] == digest);
  CHECK(a.get_json("/v1/me", tokens["bob"]) == json{{"name", "bob"},
                                                    {"roles", {"finance"}},
                                                    {"namespace", "default"},
                                                    {"via", "callback"},
                                                    {"approval_id", apr},
                                                    {"on_behalf_of", nullptr}});
  CHECK(a.get_json("/v1/me", p.rita) == json{{"name", "rita"},
                                             {"roles", {"revops", "finance"}},
                                             {"namespace", "default"},
                                             {"via", "token"}});
  is_problem(a.call("GET", "/v1/instances", tokens["bob"]), 401);
  is_problem(a.post(url, "cbt_" + std::string(64, '1'), decision("approve", digest)), 401);
  REQUIRE(a.post(url, tokens["bob"], decision("approve", digest)).status == 201);
  is_problem(a.post(url, tokens["bob"], decision("approve", digest)), 401);  // used
  a.fx.clock.advance(49h);  // past the deadline: the token has expired
  is_problem(a.post(url, tokens["carol"], decision("approve", digest)), 401);
  a.fx.drain();
  CHECK(a.fx.system.calls("money.charge") == 0);
  CHECK(a.get_json("/v1/approvals/" + apr, p.audrey)["status"] == "expired");
}

TEST_CASE("A decision after cancellation is refused with 409") {
  ApiFixture a;
  People p(a);
  auto approval = parked(a, p);
  REQUIRE(a.call("POST", "/v1/instances/" + approval["instance_id"].get<std::string>() + "/cancel",
                 p.rita)
              .status == 200);
  auto r = a.post("/v1/approvals/" + approval["id"].get<std::string>() + "/decisions", p.bob,
                  decision("approve", approval["digest"]));
  is_problem(r, 409);
  CHECK(a.get_json("/v1/approvals/" + approval["id"].get<std::string>(), p.bob)["status"] ==
        "cancelled");
}

TEST_CASE(
    "Data changed after approval blocks the writeback: nothing reaches billing, and "
    "approval is asked again") {
  ApiFixture a;
  People p(a);
  a.fx.deploy(kRevised);
  auto started =
      a.post("/v1/instances", p.rita,
             {{"workflow", "revised"}, {"input", {{"amount", 5000}, {"customer", "acme"}}}});
  std::string id = json::parse(started.body)["id"];
  a.fx.drain();
  auto first = a.get_json("/v1/approvals", p.bob)["items"][0];
  REQUIRE(a.post("/v1/approvals/" + first["id"].get<std::string>() + "/decisions", p.bob,
                 decision("approve", first["digest"]))
              .status == 201);
  a.fx.drain();
  // After approval, the amount changes.
  REQUIRE(a.post("/v1/instances/" + id + "/events/revise", p.dave, json(9000)).status == 202);
  a.fx.drain();
  CHECK(a.fx.system.calls("money.charge") == 0);
  auto history = a.get_json("/v1/instances/" + id + "/history", p.audrey)["items"];
  bool blocked = false;
  for (const auto& e : history) blocked = blocked || e["type"] == "WritebackBlocked";
  CHECK(blocked);
  auto again = a.get_json("/v1/approvals", p.carol)["items"];
  REQUIRE(again.size() == 1);
  CHECK(again[0]["id"] != first["id"]);
  CHECK(again[0]["subject"]["amount"] == 9000);
  // The old approval's decisions no longer apply.
  is_problem(a.post("/v1/approvals/" + first["id"].get<std::string>() + "/decisions", p.carol,
                    decision("approve", first["digest"])),
             409);
  // dave changed the instance: he cannot approve the new amount either.
  is_problem(a.post("/v1/approvals/" + again[0]["id"].get<std::string>() + "/decisions", p.dave,
                    decision("approve", again[0]["digest"])),
             403);
  REQUIRE(a.post("/v1/approvals/" + again[0]["id"].get<std::string>() + "/decisions", p.carol,
                 decision("approve", again[0]["digest"]))
              .status == 201);
  a.fx.drain();
  // The workflow asks for the revision again; the approved amount goes through.
  REQUIRE(a.post("/v1/instances/" + id + "/events/revise", p.dave, json(9000)).status == 202);
  a.fx.drain();
  CHECK(a.fx.system.writes("money.charge") == 1);
  CHECK(a.get_json("/v1/instances/" + id, p.audrey)["status"] == "completed");
}

TEST_CASE("Delegation over the API: inside its window a delegate decides, recorded as X for Y") {
  ApiFixture a;
  People p(a);
  auto pat = a.add("pat", {"revops"});
  auto approval = parked(a, p);
  auto d = a.post("/v1/delegations", p.bob,
                  {{"delegator", "bob"},
                   {"delegate", "pat"},
                   {"from", "2027-01-15T00:00:00Z"},
                   {"until", "2027-01-16T00:00:00Z"}});
  REQUIRE(d.status == 201);
  is_problem(a.post("/v1/delegations", p.sam,
                    {{"delegator", "bob"},
                     {"delegate", "sam"},
                     {"from", "2027-01-15T00:00:00Z"},
                     {"until", "2027-01-16T00:00:00Z"}}),
             403);  // only bob (or an admin) delegates bob's authority
  CHECK(a.get_json("/v1/approvals", pat)["items"].size() == 1);
  auto r = a.post("/v1/approvals/" + approval["id"].get<std::string>() + "/decisions", pat,
                  decision("approve", approval["digest"]));
  REQUIRE(r.status == 201);
  CHECK(json::parse(r.body)["on_behalf_of"] == "bob");
  auto decided = a.get_json("/v1/approvals/" + approval["id"].get<std::string>(), p.audrey);
  CHECK(decided["decisions"][0]["recorded_as"] == "pat for bob");
  std::string del_id = std::to_string(json::parse(d.body)["id"].get<long long>());
  REQUIRE(a.call("DELETE", "/v1/delegations/" + del_id, p.bob).status == 200);
  CHECK(a.get_json("/v1/delegations", p.bob)["items"][0]["revoked_at"].is_string());
}

TEST_CASE("Instances are listed with filters and cursor pages, history is paged too") {
  ApiFixture a;
  People p(a);
  a.fx.deploy(kGated);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto r = a.post("/v1/instances", p.rita,
                    {{"workflow", "gated"},
                     {"business_key", i == 3 ? "C-3" : "C-x"},
                     {"allow_duplicate_business_key", true},  // four share C-x on purpose
                     {"input", {{"amount", 100}, {"customer", "acme"}}}});
    REQUIRE(r.status == 201);
    ids.push_back(json::parse(r.body)["id"]);
    a.fx.clock.advance(1min);
  }
  std::vector<std::string> seen;
  std::string next = "/v1/instances?limit=2";
  int pages = 0;
  while (!next.empty()) {
    auto page = a.get_json(next, p.audrey);
    ++pages;
    for (const auto& i : page["items"]) seen.push_back(i["id"]);
    next = page["next_cursor"].is_null()
               ? ""
               : "/v1/instances?limit=2&cursor=" + page["next_cursor"].get<std::string>();
  }
  CHECK(pages == 3);
  CHECK(seen == ids);
  CHECK(a.get_json("/v1/instances?business_key=C-3", p.audrey)["items"].size() == 1);
  CHECK(a.get_json("/v1/instances?status=completed", p.audrey)["items"].empty());
  CHECK(a.get_json("/v1/instances?created_from=2027-01-15T08:02:00Z", p.audrey)["items"].size() ==
        3);
  is_problem(a.call("GET", "/v1/instances?cursor=zz", p.audrey), 400);
  is_problem(a.call("GET", "/v1/instances?limit=0", p.audrey), 400);
  is_problem(a.call("GET", "/v1/instances?created_from=yesterday", p.audrey), 400);
  // Each instance waits for its terms after two events: pages of one show both, then stop.
  auto h1 = a.get_json("/v1/instances/" + ids[0] + "/history?limit=1", p.audrey);
  CHECK(h1["items"].size() == 1);
  REQUIRE(h1["next_cursor"].is_string());
  auto h2 = a.get_json(
      "/v1/instances/" + ids[0] + "/history?limit=1&cursor=" + h1["next_cursor"].get<std::string>(),
      p.audrey);
  CHECK(h2["items"][0]["seq"] == 2);
  CHECK(h2["next_cursor"].is_null());
}

TEST_CASE("Metrics are in the Prometheus text format and need a role") {
  ApiFixture a;
  People p(a);
  auto svc = a.add("prom", {"service"});
  auto approval = parked(a, p);
  auto m = a.call("GET", "/metrics", svc);
  REQUIRE(m.status == 200);
  CHECK(m.content_type.rfind("text/plain; version=0.0.4", 0) == 0);
  CHECK(m.body.find("covenant_instances{status=\"running\"} 1\n") != std::string::npos);
  CHECK(m.body.find("covenant_approvals_pending 1\n") != std::string::npos);
  CHECK(m.body.find("# TYPE covenant_task_duration_seconds histogram") != std::string::npos);
  CHECK(m.body.find("covenant_webhooks_queued{status=\"pending\"} 1\n") != std::string::npos);
  CHECK(m.body.find("covenant_build_info{version=\"" COVENANT_VERSION "\",store=\"") !=
        std::string::npos);
  CHECK(m.body.find("\nprocess_resident_memory_bytes ") != std::string::npos);
  CHECK(m.body.find("\nprocess_open_fds ") != std::string::npos);
  CHECK(m.body.find("# TYPE covenant_transition_duration_seconds histogram") != std::string::npos);
  CHECK(m.body.find("covenant_approval_wait_seconds_count 0\n") != std::string::npos);
  // The approval has waited two hours when it is decided: the gauge of the oldest open one
  // says so, and the decision lands in the 4h bucket of the waiting-time histogram.
  a.fx.clock.advance(std::chrono::hours(2));
  m = a.call("GET", "/metrics", svc);
  CHECK(m.body.find("covenant_approval_oldest_open_seconds 7200\n") != std::string::npos);
  REQUIRE(a.post("/v1/approvals/" + approval["id"].get<std::string>() + "/decisions", p.bob,
                 decision("approve", approval["digest"]))
              .status == 201);
  a.fx.drain();
  m = a.call("GET", "/metrics", svc);
  CHECK(m.body.find("covenant_approval_wait_seconds_bucket{le=\"3600\"} 0\n") != std::string::npos);
  CHECK(m.body.find("covenant_approval_wait_seconds_bucket{le=\"14400\"} 1\n") !=
        std::string::npos);
  CHECK(m.body.find("covenant_approval_wait_seconds_sum 7200\n") != std::string::npos);
  // The gate takes two decisions: it is still open, and still the oldest.
  CHECK(m.body.find("covenant_approval_oldest_open_seconds 7200\n") != std::string::npos);
  CHECK(m.body.find("covenant_transition_duration_seconds_count 0\n") == std::string::npos);
  // promtool (Prometheus' own checker) accepts the exposition as it is served.
  covenant::testing::TempDir dir;
  std::string file = (dir.path() / "metrics.txt").string();
  std::ofstream(file) << m.body;
  std::string out;
  int rc = covenant::testing::run_command("promtool check metrics < " + file + " 2>&1", out);
  INFO(out);
  CHECK(rc == 0);
  // Every metric the shipped alert rules and dashboard query is one this server exports.
  std::regex family_line(R"(# TYPE (\w+) )");
  std::set<std::string> families;
  for (std::sregex_iterator it(m.body.begin(), m.body.end(), family_line), end; it != end; ++it)
    families.insert((*it)[1]);
  int used = 0;
  for (const char* file : {"covenant-alerts.yaml", "grafana-dashboard.json"}) {
    std::ifstream in(covenant::testing::source_dir() / "docs" / "monitoring" / file);
    REQUIRE(in);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::regex metric(R"(\b((covenant|process)_[a-z_]+?)(_bucket|_sum|_count)?\b)");
    for (std::sregex_iterator it(text.begin(), text.end(), metric), end; it != end; ++it) {
      std::string name = (*it)[1];
      INFO(file << " uses " << name);
      CHECK(families.count(name));
      ++used;
    }
  }
  CHECK(used > 20);
  is_problem(a.call("GET", "/metrics", p.bob), 403);
  is_problem(a.call("GET", "/metrics", ""), 401);
  CHECK(a.call("GET", "/healthz", "").status == 200);
}

TEST_CASE("A rejection follows on_reject, a lapsed deadline escalates and asks the new role") {
  ApiFixture a;
  People p(a);
  auto cfo = a.add("cleo", {"cfo"});
  a.fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: escalating }
start: gate
states:
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: integer }
      customer: { from: "${ .customer }", type: id }
    approvers: [{ role: finance }]
    timeout: 24h
    on_timeout: { escalate_to: { role: cfo, timeout: 12h } }
    on_reject: stopped
    next: charge
  charge: { type: task, activity: money.charge, input: { amount: "${ .amount }", customer: "${ .customer }" }, next: done }
  done: { type: succeed }
  stopped: { type: fail, error: Rejected }
)");
  auto start = [&] {
    auto r =
        a.post("/v1/instances", p.rita,
               {{"workflow", "escalating"}, {"input", {{"amount", 10}, {"customer", "acme"}}}});
    REQUIRE(r.status == 201);
    a.fx.drain();
    return json::parse(r.body)["id"].get<std::string>();
  };
  auto rejected = start();
  auto inbox = a.get_json("/v1/approvals", p.bob)["items"];
  REQUIRE(inbox.size() == 1);
  REQUIRE(a.post("/v1/approvals/" + inbox[0]["id"].get<std::string>() + "/decisions", p.bob,
                 decision("reject", inbox[0]["digest"]))
              .status == 201);
  a.fx.drain();
  auto gone = a.get_json("/v1/instances/" + rejected, p.audrey);
  CHECK(gone["status"] == "failed");
  CHECK(gone["error"] == "Rejected");
  CHECK(a.fx.system.calls("money.charge") == 0);

  auto late = start();
  CHECK(a.get_json("/v1/approvals", cfo)["items"].empty());  // not yet the cfo's
  a.fx.clock.advance(std::chrono::hours(25));
  a.fx.drain();
  auto escalated = a.get_json("/v1/approvals", cfo)["items"];
  REQUIRE(escalated.size() == 1);
  CHECK(escalated[0]["instance_id"] == late);
  CHECK(escalated[0]["approvers"].size() == 2);
  auto topics = a.fx.store_->outbox.of_instance(covenant::engine::store::Scope::all(), late);
  REQUIRE(topics);
  CHECK(topics->back().topic == "approval.escalated");
  REQUIRE(a.post("/v1/approvals/" + escalated[0]["id"].get<std::string>() + "/decisions", cfo,
                 decision("approve", escalated[0]["digest"]))
              .status == 201);
  a.fx.drain();
  CHECK(a.fx.system.writes("money.charge") == 1);
}

TEST_CASE("Definitions: deploy, list, versions, one version with its source, and its graph") {
  ApiFixture a;
  People p(a);
  std::string v1 = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: hello }
start: hold
states:
  hold: { type: wait, event: go, next: done }
  done: { type: succeed }
)";
  std::string v2 = v1 + "description: the second version\n";
  REQUIRE(a.call("POST", "/v1/definitions", p.rita, v1, "application/yaml").status == 201);
  CHECK(a.call("POST", "/v1/definitions", p.rita, v1, "application/yaml").status == 200);
  REQUIRE(a.call("POST", "/v1/definitions", p.rita, v2, "application/yaml").status == 201);
  is_problem(a.call("POST", "/v1/definitions", p.bob, v1, "application/yaml"), 403);
  auto bad = a.call("POST", "/v1/definitions", p.rita, "apiVersion: covenant/v1\nkind: Workflow\n",
                    "application/yaml");
  is_problem(bad, 422);
  CHECK(json::parse(bad.body)["errors"][0]["line"].get<int>() > 0);
  is_problem(a.call("GET", "/v1/definitions", p.bob), 403);  // an approver role reads none
  auto list = a.get_json("/v1/definitions", p.audrey)["items"];
  REQUIRE(list.size() == 1);
  CHECK(list[0]["version"] == 2);
  CHECK(a.get_json("/v1/definitions/hello/versions", p.audrey)["items"].size() == 2);
  CHECK(a.get_json("/v1/definitions/hello", p.audrey)["source"] == v2);
  CHECK(a.get_json("/v1/definitions/hello?version=1", p.audrey)["source"] == v1);
  is_problem(a.call("GET", "/v1/definitions/hello?version=9", p.audrey), 404);
  is_problem(a.call("GET", "/v1/definitions/nothere/versions", p.audrey), 404);
  auto svg = a.call("GET", "/v1/definitions/hello/graph.svg", p.audrey);
  REQUIRE(svg.status == 200);
  CHECK(svg.content_type == "image/svg+xml");
  CHECK(svg.body.find("<svg") != std::string::npos);
  CHECK(svg.body.find("hold") != std::string::npos);
}

TEST_CASE("A second start under a running instance's business key is refused, naming it") {
  ApiFixture a;
  People p(a);
  a.fx.deploy(kGated);
  json body = {{"workflow", "gated"},
               {"business_key", "C-9"},
               {"input", {{"amount", 100}, {"customer", "acme"}}}};
  auto first = a.post("/v1/instances", p.rita, body);
  REQUIRE(first.status == 201);
  std::string id = json::parse(first.body)["id"];
  auto second = a.post("/v1/instances", p.rita, body);
  CHECK(second.status == 409);
  auto problem = json::parse(second.body);
  CHECK(problem["existing_instance"] == id);
  CHECK_THAT(problem["detail"].get<std::string>(), Catch::Contains(id) && Catch::Contains("C-9"));
  is_problem(second, 409);
  CHECK(second.header("Location") == "/v1/instances/" + id);
  // Asked for, a duplicate is started; a flag of the wrong type is refused, not guessed.
  body["allow_duplicate_business_key"] = true;
  CHECK(a.post("/v1/instances", p.rita, body).status == 201);
  body["allow_duplicate_business_key"] = "yes";
  CHECK(a.post("/v1/instances", p.rita, body).status == 422);
}

TEST_CASE("Instances are found by version, open gate and idle time through the API") {
  ApiFixture a;
  People p(a);
  auto approval = parked(a, p);  // a `gated` instance waiting at its gate
  std::string waiting = approval["instance_id"];
  auto other = a.post("/v1/instances", p.rita,
                      {{"workflow", "gated"},
                       {"business_key", "C-8"},
                       {"input", {{"amount", 5}, {"customer", "acme"}}}});
  REQUIRE(other.status == 201);  // waiting for its terms, no gate open
  auto gated = a.get_json("/v1/instances?open_gate=true", p.audrey);
  REQUIRE(gated["items"].size() == 1);
  CHECK(gated["items"][0]["id"] == waiting);
  CHECK(a.get_json("/v1/instances?open_gate=false", p.audrey)["items"].size() == 2);
  std::string version = gated["items"][0]["version"];
  CHECK(a.get_json("/v1/instances?version=" + version, p.audrey)["items"].size() == 2);
  CHECK(a.get_json("/v1/instances?version=nope", p.audrey)["items"].empty());
  CHECK(a.get_json("/v1/instances?updated_before=2020-01-01T00:00:00Z", p.audrey)["items"].empty());
  CHECK(a.get_json("/v1/instances?updated_before=2100-01-01T00:00:00Z", p.audrey)["items"].size() ==
        2);
  is_problem(a.call("GET", "/v1/instances?open_gate=maybe", p.audrey), 400);
  is_problem(a.call("GET", "/v1/instances?updated_before=soon", p.audrey), 400);
}

TEST_CASE("An operator runs a failed step again through the API, its input fixed and recorded") {
  ApiFixture a;
  People p(a);
  a.fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: lookup }
start: find
states:
  find: { type: task, activity: work.do, input: { what: "${ .account }" }, next: done }
  done: { type: succeed }
)");
  a.fx.system.fail_next("work.do", 1, "InvalidInput", false);
  auto started = a.post("/v1/instances", p.rita,
                        {{"workflow", "lookup"}, {"input", {{"account", "ACME-OLD"}}}});
  REQUIRE(started.status == 201);
  std::string id = json::parse(started.body)["id"];
  a.fx.drain();
  REQUIRE(a.fx.instance(id).status == "failed");
  auto olga = a.add("olga", {"operator"});
  std::string path = "/v1/instances/" + id + "/retry";
  json fix = {{"reason", "account renamed in the CRM"}, {"input", {{"what", "ACME-NEW"}}}};
  is_problem(a.post(path, p.rita, fix), 403);  // RevOps does not: operators do
  is_problem(a.post(path, olga, {{"input", {{"what", "x"}}}}), 422);  // a reason is required
  is_problem(a.post(path, olga, {{"reason", "  "}}), 422);
  is_problem(a.post(path, olga, {{"reason", "r"}, {"state", 7}}), 422);
  is_problem(a.post(path, olga, {{"reason", "r"}, {"state", "done"}}), 409);  // not where it failed
  auto ok = a.post(path, olga, fix);
  REQUIRE(ok.status == 200);
  CHECK(json::parse(ok.body)["status"] == "running");
  a.fx.drain();
  CHECK(a.fx.instance(id).status == "completed");
  auto h = a.fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE(h);
  bool recorded = false;
  for (const auto& e : *h)
    if (e.type == covenant::engine::history::EventType::StepRetried)
      recorded = e.payload["by"] == "olga" && e.payload["reason"] == "account renamed in the CRM" &&
                 e.payload["changes"][0]["new"] == "ACME-NEW";
  CHECK(recorded);
  is_problem(a.post(path, olga, fix), 409);  // it is not failed any more
}

TEST_CASE("An operator cancels by query through the API: dry run first, a reason required") {
  ApiFixture a;
  People p(a);
  a.fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: parked-bulk }
start: hold
states:
  hold: { type: wait, event: go, next: done }
  done: { type: succeed }
)");
  std::vector<std::string> ids;
  for (const char* key : {"B-1", "B-2", "B-3"}) {
    auto r = a.post("/v1/instances", p.rita, {{"workflow", "parked-bulk"}, {"business_key", key}});
    REQUIRE(r.status == 201);
    ids.push_back(json::parse(r.body)["id"]);
  }
  auto olga = a.add("olga", {"operator"});
  json query = {{"workflow", "parked-bulk"}};
  json dry = {{"action", "cancel"}, {"reason", "lost deals"}, {"dry_run", true}, {"query", query}};
  is_problem(a.post("/v1/instances/bulk", p.rita, dry), 403);  // operators only
  is_problem(a.post("/v1/instances/bulk", olga, {{"action", "cancel"}, {"query", query}}), 422);
  is_problem(a.post("/v1/instances/bulk", olga, {{"action", "cancel"}, {"reason", "x"}}),
             422);  // no query: never every instance
  is_problem(
      a.post("/v1/instances/bulk", olga, {{"action", "delete"}, {"reason", "x"}, {"query", query}}),
      422);
  is_problem(a.post("/v1/instances/bulk", olga,
                    {{"action", "cancel"}, {"reason", "x"}, {"query", {{"colour", "red"}}}}),
             422);
  is_problem(a.post("/v1/instances/bulk", olga,
                    {{"action", "cancel"}, {"reason", "x"}, {"query", {{"idle_for", "soon"}}}}),
             422);
  auto listed = a.post("/v1/instances/bulk", olga, dry);
  REQUIRE(listed.status == 200);
  auto l = json::parse(listed.body);
  CHECK(l["found"] == 3);
  CHECK(l["done"] == 0);
  for (const auto& id : ids) CHECK(a.fx.instance(id).status == "running");  // nothing changed
  // Two by name, then the rest by query: each history says who and why.
  auto two =
      a.post("/v1/instances/bulk", olga,
             {{"action", "cancel"}, {"reason", "lost deals"}, {"instances", {ids[0], ids[1]}}});
  REQUIRE(two.status == 200);
  CHECK(json::parse(two.body)["done"] == 2);
  auto rest = a.post("/v1/instances/bulk", olga,
                     {{"action", "cancel"}, {"reason", "lost deals"}, {"query", query}});
  REQUIRE(rest.status == 200);
  CHECK(json::parse(rest.body)["found"] == 1);
  for (const auto& id : ids) {
    CHECK(a.fx.instance(id).status == "cancelled");
    auto h = a.fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
    REQUIRE(h);
    bool by_olga = false;
    for (const auto& e : *h)
      if (e.type == covenant::engine::history::EventType::WorkflowCancelled)
        by_olga =
            e.payload.value("by", "") == "olga" && e.payload.value("reason", "") == "lost deals";
    CHECK(by_olga);
  }
  is_problem(a.post("/v1/instances/bulk", olga,
                    {{"action", "cancel"}, {"reason", "x"}, {"instances", {"inst_nope"}}}),
             404);
}

TEST_CASE("An operator migrates through the API: the map is checked, a dry run changes nothing") {
  ApiFixture a;
  People p(a);
  const char* v1 = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: movable }
start: hold
states:
  hold: { type: wait, event: go, next: done }
  done: { type: succeed }
)";
  a.fx.deploy(v1);
  auto r = a.post("/v1/instances", p.rita, {{"workflow", "movable"}});
  REQUIRE(r.status == 201);
  std::string id = json::parse(r.body)["id"];
  a.fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: movable }
start: hold
states:
  hold: { type: wait, event: go, next: check }
  check: { type: wait, event: checked, next: done }
  done: { type: succeed }
)");
  auto olga = a.add("olga", {"operator"});
  json map = {{"workflow", "movable"}, {"from", 1}, {"to", 2}, {"states", {{"hold", "hold"}}}};
  json dry = {{"map", map}, {"reason", "a check step"}, {"dry_run", true}};
  is_problem(a.post("/v1/migrations", p.rita, dry), 403);
  is_problem(a.post("/v1/migrations", olga, {{"map", map}}), 422);  // no reason
  // A state an instance may rest in with no mapping: refused, with why, and nothing moves.
  auto unmapped = a.post(
      "/v1/migrations", olga,
      {{"map", {{"workflow", "movable"}, {"from", 1}, {"to", 2}, {"states", {{"done", "done"}}}}},
       {"reason", "x"}});
  is_problem(unmapped, 422);
  CHECK(json::parse(unmapped.body)["errors"].dump().find("hold") != std::string::npos);
  is_problem(
      a.post("/v1/migrations", olga,
             {{"map",
               {{"workflow", "movable"}, {"from", 1}, {"to", 9}, {"states", {{"hold", "hold"}}}}},
              {"reason", "x"}}),
      404);
  auto listed = a.post("/v1/migrations", olga, dry);
  REQUIRE(listed.status == 200);
  auto l = json::parse(listed.body);
  CHECK(l["would_move"] == 1);
  CHECK(l["results"][0]["instance"] == id);
  CHECK(a.fx.instance(id).digest == l["from"]["digest"]);
  // The same map as the YAML a file holds, for real.
  auto moved = a.post("/v1/migrations", olga,
                      {{"map",
                        "apiVersion: covenant/v1\nkind: Migration\nworkflow: movable\n"
                        "from: 1\nto: 2\nstates: { hold: hold }\n"},
                       {"reason", "a check step"}});
  REQUIRE(moved.status == 200);
  CHECK(json::parse(moved.body)["moved"] == 1);
  CHECK(a.fx.instance(id).digest == l["to"]["digest"]);
}

TEST_CASE("An approver from the company's identity provider decides with an OIDC token") {
  ApiFixture a;
  People p(a);
  auto rsa = covenant::testing::make_rsa_key("idp-1");
  auto keys = covenant::engine::auth::parse_jwks(covenant::testing::jwks_of({rsa}));
  REQUIRE(keys);
  covenant::engine::auth::OidcIssuer idp;
  idp.issuer = "https://login.acme.example/";
  idp.audience = "covenant";
  idp.subject_claim = "email";
  idp.roles_claim = "groups";
  idp.role_map = {{"finance-approvers", {"finance"}}};
  a.principals.trust_issuer(std::make_shared<covenant::engine::auth::OidcVerifier>(idp, *keys));
  std::int64_t now = covenant::engine::to_micros(a.fx.clock.now()) / 1'000'000;
  auto token = [&](json changes) {
    json claims = {{"iss", idp.issuer},
                   {"aud", "covenant"},
                   {"email", "erin@acme.example"},
                   {"groups", json::array({"finance-approvers"})},
                   {"iat", now - 10},
                   {"exp", now + 300}};
    if (changes.is_object()) claims.update(changes);
    return covenant::testing::sign_jwt(rsa, claims);
  };
  auto me = a.get_json("/v1/me", token({}));
  CHECK(me["name"] == "erin@acme.example");
  CHECK(me["roles"] == json::array({"finance"}));
  CHECK(me["via"] == "oidc");
  CHECK(me["issuer"] == idp.issuer);
  // Refusals are 401 problems that say why, with the Bearer challenge.
  for (const auto& [bad, why] : std::vector<std::pair<json, std::string>>{
           {{{"exp", now - 3600}}, "expired"},
           {{{"aud", "other"}}, "audience"},
           {{{"iss", "https://evil.example/"}}, "trusted issuer"},
           {{{"email", "bob"}}, "name of a Covenant principal"}}) {
    auto r = a.call("GET", "/v1/me", token(bad));
    is_problem(r, 401);
    CHECK(r.header("WWW-Authenticate").rfind("Bearer", 0) == 0);
    CHECK(json::parse(r.body)["detail"].get<std::string>().find(why) != std::string::npos);
  }
  // Without a role the token authenticates but reaches nothing.
  is_problem(a.call("GET", "/v1/approvals", token({{"groups", json::array({"everyone"})}})), 403);
  // Erin decides: the history names her, as any approver.
  auto approval = parked(a, p);
  auto inbox = a.get_json("/v1/approvals", token({}));
  REQUIRE(inbox["items"].size() == 1);
  auto r = a.post("/v1/approvals/" + approval["id"].get<std::string>() + "/decisions", token({}),
                  decision("approve", approval["digest"]));
  REQUIRE(r.status == 201);
  auto h = a.fx.store_->instances.history(covenant::engine::store::Scope::all(),
                                          approval["instance_id"].get<std::string>());
  REQUIRE(h);
  bool named = false;
  for (const auto& e : *h)
    if (e.type == covenant::engine::history::EventType::ApprovalDecided)
      named = named || e.payload.value("approver", "") == "erin@acme.example";
  CHECK(named);
}

TEST_CASE("A shared identity provider's principals act in the namespace their claim names") {
  ApiFixture a;
  auto rsa = covenant::testing::make_rsa_key("idp-1");
  auto keys = covenant::engine::auth::parse_jwks(covenant::testing::jwks_of({rsa}));
  REQUIRE(keys);
  covenant::engine::auth::OidcIssuer idp;
  idp.issuer = "https://login.shared.example/";
  idp.audience = "covenant";
  idp.roles_claim = "groups";
  idp.role_map = {{"auditors", {"auditor"}}};
  idp.namespace_claim = "tenant";
  idp.namespaces = {"acme", "globex"};
  a.principals.trust_issuer(std::make_shared<covenant::engine::auth::OidcVerifier>(idp, *keys));
  std::int64_t now = covenant::engine::to_micros(a.fx.clock.now()) / 1'000'000;
  auto token = [&](const std::string& tenant) {
    return covenant::testing::sign_jwt(rsa, {{"iss", idp.issuer},
                                             {"aud", "covenant"},
                                             {"sub", "ada@shared.example"},
                                             {"tenant", tenant},
                                             {"groups", json::array({"auditors"})},
                                             {"iat", now - 10},
                                             {"exp", now + 300}});
  };
  // Globex's instance, started by a principal of globex.
  auto revops = a.add_in("globex", "globex-revops", {"revops"});
  a.fx.deploy(kGated);  // in default: globex has nothing deployed yet
  CHECK(a.post("/v1/namespaces/globex/instances", revops, {{"workflow", "gated"}}).status == 404);
  // An acme auditor reads acme's (empty) list, and is refused globex's and default's.
  auto me = a.get_json("/v1/namespaces/acme/me", token("acme"));
  CHECK(me["namespace"] == "acme");
  CHECK(me["via"] == "oidc");
  auto listed = a.get_json("/v1/namespaces/acme/instances", token("acme"));
  CHECK(listed["items"].empty());
  is_problem(a.call("GET", "/v1/namespaces/globex/instances", token("acme")), 403);
  is_problem(a.call("GET", "/v1/instances", token("acme")), 403);
  // A tenant the provider does not speak for authenticates nowhere.
  auto r = a.call("GET", "/v1/namespaces/initech/instances", token("initech"));
  is_problem(r, 401);
  CHECK(json::parse(r.body)["detail"].get<std::string>().find("names no namespace") !=
        std::string::npos);
}
