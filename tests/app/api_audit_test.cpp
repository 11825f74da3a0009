// /v1/audit over the socket-free API: events across instances with filters and keyset paging,
// the streamed export, verification, checkpoints, and who may read them.
#include "tests/app/api_fixture.hpp"

using nlohmann::json;

namespace {

const char* kSteps = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: steps }
start: a
states:
  a: { type: choice, choices: [{ when: "${ .x == 0 }", next: b }], default: b }
  b: { type: succeed }
)";

}  // namespace

TEST_CASE("The audit API lists, pages, filters and streams the trail to auditors only") {
  covenant::testing::ApiFixture t;
  auto auditor = t.add("audrey", {"auditor"});
  auto revops = t.add("rita", {"revops"});
  t.fx.deploy(kSteps);
  for (int i = 0; i < 3; ++i)
    t.fx.start("steps", {{"x", i}}, {"C-" + std::to_string(i), "alice", "", "default"});
  t.fx.drain();

  auto all = t.get_json("/v1/audit/events", auditor);
  const auto total = all["events"].size();
  CHECK(total == 12);  // 4 events each
  CHECK(all["next_cursor"].is_null());
  CHECK(all["events"][0]["event_type"] == "WorkflowStarted");
  CHECK(all["events"][0]["actor"] == "alice");
  CHECK(all["events"][0]["seq"] == 1);

  // Pages of 5 cover everything once, in the same order.
  std::vector<std::string> seen;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = t.get_json("/v1/audit/events?limit=5" + (cursor.empty() ? "" : "&cursor=" + cursor),
                           auditor);
    for (const auto& e : page["events"]) seen.push_back(e["hash"]);
    if (page["next_cursor"].is_null()) break;
    cursor = page["next_cursor"];
  }
  REQUIRE(seen.size() == total);
  for (std::size_t i = 0; i < total; ++i) CHECK(seen[i] == all["events"][i]["hash"]);

  auto one = t.get_json("/v1/audit/events?contract=C-1", auditor);
  CHECK(one["events"].size() == 4);
  for (const auto& e : one["events"]) CHECK(e["contract"] == "C-1");
  auto started = t.get_json("/v1/audit/events?type=WorkflowStarted&actor=alice", auditor);
  CHECK(started["events"].size() == 3);
  auto none = t.get_json("/v1/audit/events?from=2100-01-01", auditor);
  CHECK(none["events"].empty());

  covenant::testing::is_problem(t.call("GET", "/v1/audit/events?from=yesterday", auditor), 400);
  covenant::testing::is_problem(
      t.call("GET", "/v1/audit/events?from=2027-02-01&to=2027-01-01", auditor), 400);
  covenant::testing::is_problem(t.call("GET", "/v1/audit/events?cursor=zz", auditor), 400);
  covenant::testing::is_problem(t.call("GET", "/v1/audit/events", revops), 403);
  covenant::testing::is_problem(t.call("GET", "/v1/audit/export", revops), 403);

  // The export streams: the body comes from the stream, one chunk per page.
  auto r = t.call("GET", "/v1/audit/export?format=csv&contract=C-2", auditor);
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "text/csv; charset=utf-8");
  REQUIRE(r.stream);
  std::string csv;
  CHECK(r.stream([&csv](std::string_view s) {
    csv += s;
    return true;
  }));
  CHECK(csv.rfind("event_time,instance,contract,workflow,seq,event_type,actor", 0) == 0);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 5);  // header and 4 events
  auto jl = t.call("GET", "/v1/audit/export?format=jsonl", auditor);
  std::string lines;
  jl.stream([&lines](std::string_view s) {
    lines += s;
    return true;
  });
  CHECK(std::count(lines.begin(), lines.end(), '\n') == static_cast<long>(total));
  // A client that goes away stops the export.
  auto gone = t.call("GET", "/v1/audit/export", auditor);
  CHECK_FALSE(gone.stream([](std::string_view) { return false; }));
  covenant::testing::is_problem(t.call("GET", "/v1/audit/export?format=xlsx", auditor), 400);

  auto v = t.get_json("/v1/audit/verify", auditor);
  CHECK(v["intact"] == true);
  CHECK(v["instances"] == 3);
  CHECK(v["events"] == 12);
  CHECK(t.get_json("/v1/audit/checkpoints", auditor)["checkpoints"].empty());
}
