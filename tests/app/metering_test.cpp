// Quotas, rate limits and metering per namespace (issue 21). The usage a billing system reads
// (GET /v1/usage, covenant namespaces usage) is counted from the records and must match the
// work done exactly — checked against the numbers the test chose and against the process's
// own counters on /metrics, which count the same work by another path; a quota refuses the
// start or the document that would cross it, inside the transaction, writing nothing; a rate
// limit answers 429 with Retry-After. On SQLite and PostgreSQL.
#include "engine/audit/usage.hpp"
#include "tests/app/api_fixture.hpp"
#include "tests/app/one_gate_workflow.hpp"
#include "tests/support/postgres.hpp"
#include "workflows/sha256.hpp"

#include <atomic>
#include <thread>

using covenant::testing::ApiFixture;
using covenant::testing::is_problem;
using covenant::testing::kOneGateCharge;
using nlohmann::json;
namespace ce = covenant::engine;
using ce::store::Scope;

namespace {

void metered_deploy(ApiFixture& a, const std::string& ns) {
  covenant::testing::TestCatalog catalog;
  auto c = covenant::workflows::compile(kOneGateCharge, "gate.yaml", catalog);
  REQUIRE(c.workflow);
  REQUIRE(a.fx.store_->definitions.put(ns, "gate-only", c.workflow->digest(), kOneGateCharge,
                                       c.workflow->canonical_text(), 1000));
}

std::string metered_start(ApiFixture& a, const std::string& ns, const std::string& token,
                          const std::string& key, int status = 201) {
  auto r = a.post("/v1/namespaces/" + ns + "/instances", token,
                  {{"workflow", "gate-only"}, {"business_key", key}, {"input", {{"amount", 700}}}});
  INFO(r.body);
  REQUIRE(r.status == status);
  return status == 201 ? json::parse(r.body)["id"].get<std::string>() : "";
}

ce::store::DocumentRow metered_doc(const std::string& bytes) {
  return {covenant::workflows::sha256_hex(bytes),
          "text/plain",
          static_cast<std::int64_t>(bytes.size()),
          1,
          bytes,
          0};
}

std::int64_t metered_rows(ApiFixture& a, const std::string& ns) {
  std::int64_t rows = 0;
  auto tx = a.fx.store_->begin(Scope::of(ns), false);
  REQUIRE(tx);
  long long n = 0;
  (*tx)->sql() << "SELECT COUNT(*) FROM history WHERE namespace = '" + ns + "'", soci::into(n);
  rows = n;
  return rows;
}

void metered_exactly(ApiFixture& a) {
  metered_deploy(a, "acme");
  metered_deploy(a, "globex");
  auto rita = a.add_in("acme", "rita", {"revops"});
  auto bob = a.add_in("acme", "bob", {"finance"});
  auto audrey = a.add_in("acme", "audrey", {"auditor"});
  auto ron = a.add_in("globex", "ron", {"revops"});
  auto ops = a.add("olga", {"operator"});
  auto acme_ops = a.add_in("acme", "otto", {"operator"});
  auto admin = a.add("ada", {"admin"});

  // The work: three contracts started in acme, two approved and charged, one waiting; one
  // started in globex; two documents stored in acme (one given twice), one in globex.
  std::vector<std::string> ids;
  for (const char* key : {"C-1", "C-2", "C-3"}) ids.push_back(metered_start(a, "acme", rita, key));
  metered_start(a, "globex", ron, "G-1");
  a.fx.drain();
  for (int i = 0; i < 2; ++i) {
    auto approvals =
        a.get_json("/v1/namespaces/acme/instances/" + ids[i] + "/approvals", rita)["items"];
    REQUIRE(approvals.size() == 1);
    auto r = a.post(
        "/v1/namespaces/acme/approvals/" + approvals[0]["id"].get<std::string>() + "/decisions",
        bob, {{"decision", "approve"}, {"digest", approvals[0]["digest"]}});
    REQUIRE(r.status == 201);
  }
  a.fx.drain();
  REQUIRE(a.fx.system.writes("money.charge") == 2);
  std::string one(1000, 'a'), two(2345, 'b'), theirs(99, 'c');
  std::int64_t now = ce::to_micros(a.fx.clock.now());
  REQUIRE(a.fx.store_->documents.put("acme", metered_doc(one), one, "C-1", "upload", now));
  REQUIRE(a.fx.store_->documents.put("acme", metered_doc(two), two, "C-2", "upload", now));
  REQUIRE(a.fx.store_->documents.put("acme", metered_doc(one), one, "C-3", "upload", now));
  REQUIRE(a.fx.store_->documents.put("globex", metered_doc(theirs), theirs, "G-1", "upload", now));

  // The month, counted from the records.
  auto u = ce::audit::monthly_usage(*a.fx.store_, "acme", "2027-01");
  INFO((u ? std::string() : u.error().message));
  REQUIRE(u);
  CHECK(u->counts.instances_started == 3);
  CHECK(u->approvals_requested == 3);
  CHECK(u->approval_decisions == 2);
  CHECK(u->activity_calls == std::map<std::string, std::int64_t>{{"money", 2}});
  CHECK(u->counts.documents == 2);  // the same bytes twice are stored once
  CHECK(u->counts.document_bytes == 1000 + 2345);
  CHECK(u->holdings.running_instances == 1);
  CHECK(u->counts.transitions == metered_rows(a, "acme"));
  // The same work counted by another path: the process's counters, committed transition by
  // committed transition.
  auto live = a.metrics.by_namespace();
  REQUIRE(live.count("acme"));
  CHECK(static_cast<std::int64_t>(live["acme"].transitions) == u->counts.transitions);
  CHECK(live["acme"].approval_decisions == 2);
  CHECK(live["acme"].activity_calls == std::map<std::string, std::uint64_t>{{"money", 2}});
  // Other months, other namespaces: none of it.
  for (const char* month : {"2026-12", "2027-02"}) {
    auto other = ce::audit::monthly_usage(*a.fx.store_, "acme", month);
    REQUIRE(other);
    CHECK(other->counts.transitions == 0);
    CHECK(other->counts.instances_started == 0);
    CHECK(other->counts.documents == 0);
    CHECK(other->activity_calls.empty());
  }
  auto globex = ce::audit::monthly_usage(*a.fx.store_, "globex", "2027-01");
  REQUIRE(globex);
  CHECK(globex->counts.instances_started == 1);
  CHECK(globex->counts.document_bytes == 99);
  CHECK(globex->counts.transitions == metered_rows(a, "globex"));
  CHECK(ce::audit::monthly_usage(*a.fx.store_, "acme", "2027-1").error().code ==
        ce::ErrorCode::InvalidArgument);
  CHECK(ce::audit::monthly_usage(*a.fx.store_, "acme", "2027-13").error().code ==
        ce::ErrorCode::InvalidArgument);

  // The API a billing system reads: the same totals, for its own namespace only.
  auto api = a.get_json("/v1/namespaces/acme/usage?month=2027-01", audrey);
  CHECK(api == ce::audit::usage_json(*u));
  CHECK(api["activity_calls"]["money"] == 2);
  CHECK(api["documents"]["bytes"] == 3345);
  is_problem(a.call("GET", "/v1/namespaces/globex/usage?month=2027-01", audrey), 403);
  is_problem(a.call("GET", "/v1/namespaces/acme/usage?month=January", audrey), 422);

  // /metrics (the deployment's): each namespace's counters and holdings, labelled.
  auto metrics = a.call("GET", "/metrics", admin);
  REQUIRE(metrics.status == 200);
  CHECK(metrics.body.find("covenant_namespace_transitions_total{namespace=\"acme\"} " +
                          std::to_string(u->counts.transitions) + "\n") != std::string::npos);
  CHECK(metrics.body.find(
            "covenant_namespace_activity_calls_total{namespace=\"acme\",system=\"money\"} 2\n") !=
        std::string::npos);
  CHECK(metrics.body.find("covenant_namespace_approval_decisions_total{namespace=\"acme\"} 2\n") !=
        std::string::npos);
  CHECK(metrics.body.find("covenant_namespace_running_instances{namespace=\"acme\"} 1\n") !=
        std::string::npos);
  CHECK(metrics.body.find("covenant_namespace_document_bytes{namespace=\"globex\"} 99\n") !=
        std::string::npos);

  // The deployment's operator sees every namespace's counts and none of their data; a
  // namespace's own operator does not.
  auto seen = a.call("GET", "/v1/namespaces", ops);
  INFO(seen.body);
  REQUIRE(seen.status == 200);
  auto items = json::parse(seen.body)["items"];
  std::map<std::string, json> by_ns;
  for (const auto& i : items) by_ns[i["namespace"]] = i;
  REQUIRE(by_ns.count("acme"));
  CHECK(by_ns["acme"]["running_instances"] == 1);
  CHECK(by_ns["acme"]["documents"] == 2);
  CHECK(by_ns["globex"]["running_instances"] == 1);
  for (const char* secret : {"C-1", "G-1", "rita", "inst-", "apr_", "aaaa"})
    CHECK(seen.body.find(secret) == std::string::npos);
  is_problem(a.call("GET", "/v1/namespaces", acme_ops), 403);
  is_problem(a.call("GET", "/v1/namespaces/acme/namespaces", acme_ops), 404);
  is_problem(a.call("GET", "/v1/namespaces", rita), 403);
}

void quotas_hold(ApiFixture& a) {
  metered_deploy(a, "acme");
  auto rita = a.add_in("acme", "rita", {"revops"});
  auto bob = a.add_in("acme", "bob", {"finance"});
  REQUIRE(a.fx.store_->namespaces.set_quota("acme", {2, 3000}, 1000, "ops"));
  metered_start(a, "acme", rita, "C-1");
  auto second = metered_start(a, "acme", rita, "C-2");
  a.fx.drain();
  auto rows_before = metered_rows(a, "acme");
  // The third is refused, and writes nothing.
  auto r = a.post("/v1/namespaces/acme/instances", rita,
                  {{"workflow", "gate-only"}, {"business_key", "C-3"}, {"input", {{"amount", 1}}}});
  is_problem(r, 403);
  CHECK(json::parse(r.body)["code"] == "ResourceExhausted");
  CHECK(r.body.find("may run 2 instances at once") != std::string::npos);
  CHECK(metered_rows(a, "acme") == rows_before);
  auto held = a.fx.store_->namespaces.holdings("acme");
  REQUIRE(held);
  CHECK(held->running_instances == 2);
  // One finishes: there is room again.
  auto approvals =
      a.get_json("/v1/namespaces/acme/instances/" + second + "/approvals", rita)["items"];
  REQUIRE(a.post("/v1/namespaces/acme/approvals/" + approvals[0]["id"].get<std::string>() +
                     "/decisions",
                 bob, {{"decision", "approve"}, {"digest", approvals[0]["digest"]}})
              .status == 201);
  a.fx.drain();
  auto third = metered_start(a, "acme", rita, "C-3");
  // Two at once for the last place: one gets it.
  auto approvals3 =
      a.get_json("/v1/namespaces/acme/instances/" + third + "/approvals", rita)["items"];
  REQUIRE(a.post("/v1/namespaces/acme/approvals/" + approvals3[0]["id"].get<std::string>() +
                     "/decisions",
                 bob, {{"decision", "approve"}, {"digest", approvals3[0]["digest"]}})
              .status == 201);
  a.fx.drain();
  std::atomic<int> won{0}, refused{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 4; ++i)
    racers.emplace_back([&, i] {
      ce::runtime::StartOptions o;
      o.ns = "acme";
      o.business_key = "R-" + std::to_string(i);
      o.started_by = "rita";
      auto s = a.fx.runtime_->start("gate-only", {{"amount", 1}}, o);
      if (s)
        ++won;
      else if (s.error().code == ce::ErrorCode::ResourceExhausted)
        ++refused;
    });
  for (auto& t : racers) t.join();
  CHECK(won == 1);
  CHECK(refused == 3);
  held = a.fx.store_->namespaces.holdings("acme");
  CHECK(held->running_instances == 2);

  // Documents: up to 3000 bytes; the one that would cross it is refused; the same bytes again
  // take no more room.
  std::string one(2000, 'a'), two(1500, 'b'), small(900, 'c');
  std::int64_t now = ce::to_micros(a.fx.clock.now());
  REQUIRE(a.fx.store_->documents.put("acme", metered_doc(one), one, "C-1", "upload", now));
  auto over = a.fx.store_->documents.put("acme", metered_doc(two), two, "C-2", "upload", now);
  REQUIRE_FALSE(over);
  CHECK(over.error().code == ce::ErrorCode::ResourceExhausted);
  CHECK(a.fx.store_->documents.get("acme", metered_doc(two).sha256).value() == std::nullopt);
  REQUIRE(a.fx.store_->documents.put("acme", metered_doc(one), one, "C-2", "upload", now));
  REQUIRE(a.fx.store_->documents.put("acme", metered_doc(small), small, "C-3", "upload", now));
  // Another namespace has no quota.
  REQUIRE(a.fx.store_->documents.put("globex", metered_doc(two), two, "G-1", "upload", now));
  // The quota is in the namespace's log.
  auto log = a.fx.store_->keys.events("acme", 0, 10);
  REQUIRE(log);
  REQUIRE(log->size() == 1);
  CHECK(log->front().kind == "quota.set");
  CHECK(a.fx.store_->namespaces.set_quota("acme", {-1, 0}, 1000, "ops").error().code ==
        ce::ErrorCode::InvalidArgument);
}

}  // namespace

TEST_CASE("Usage metered per namespace matches the work done exactly [sqlite]") {
  ApiFixture a;
  metered_exactly(a);
}

TEST_CASE("Usage metered per namespace matches the work done exactly [postgres]", "[postgres]") {
  covenant::testing::TestDatabase db(covenant::testing::TestDatabase::Schema::Current);
  ApiFixture a(db.url());
  metered_exactly(a);
}

TEST_CASE("Quotas refuse the start or the document that would cross them [sqlite]") {
  ApiFixture a;
  quotas_hold(a);
}

TEST_CASE("Quotas refuse the start or the document that would cross them [postgres]",
          "[postgres]") {
  covenant::testing::TestDatabase db(covenant::testing::TestDatabase::Schema::Current);
  ApiFixture a(db.url());
  quotas_hold(a);
}

TEST_CASE("A namespace over its rate limit gets 429 with Retry-After, and no other does") {
  ApiFixture a;
  auto acme = a.add_in("acme", "rita", {"revops"});
  auto other = a.add("dora", {"revops"});
  covenant::app::http::RateLimits limits;
  limits.by_ns["acme"] = {1, 2};  // one a second, two at once
  a.api.limit_rates(limits);
  // Requests without a valid token spend nothing of acme's budget.
  for (int i = 0; i < 5; ++i)
    is_problem(a.call("GET", "/v1/namespaces/acme/instances", "cov_" + std::string(64, '0')), 401);
  CHECK(a.call("GET", "/v1/namespaces/acme/instances", acme).status == 200);
  CHECK(a.call("GET", "/v1/namespaces/acme/instances", acme).status == 200);
  auto over = a.call("GET", "/v1/namespaces/acme/instances", acme);
  is_problem(over, 429);
  bool retry_after = false;
  for (const auto& [k, v] : over.headers)
    if (k == "Retry-After") retry_after = v == "1";
  CHECK(retry_after);
  // The default namespace has no limit here.
  for (int i = 0; i < 10; ++i) CHECK(a.call("GET", "/v1/instances", other).status == 200);
  // A second later there is a token again, and only one.
  a.fx.clock.advance(std::chrono::seconds(1));
  CHECK(a.call("GET", "/v1/namespaces/acme/instances", acme).status == 200);
  is_problem(a.call("GET", "/v1/namespaces/acme/instances", acme), 429);
  // A limit for every namespace.
  covenant::app::http::RateLimits all;
  all.fallback = {1, 1};
  a.api.limit_rates(all);
  CHECK(a.call("GET", "/v1/instances", other).status == 200);
  is_problem(a.call("GET", "/v1/instances", other), 429);
}
