// milestones.schedule: dependent milestones dated from their predecessors' acceptance, the
// dates moving when an acceptance arrives, and graphs that cannot be scheduled refused with
// what is wrong.
#include "activities/own.hpp"

#include <catch2/catch.hpp>

using covenant::activities::milestones_schedule;
using nlohmann::json;

namespace {

// An SOW's phases: design, then build after design's acceptance, then two parallel pieces
// after build (training has a contractual date), then go-live after both.
json phases() {
  return json::array(
      {{{"id", "design"},
        {"name", "Phase 1: design"},
        {"duration_days", 30},
        {"amount", {{"amount_minor", 2000000}, {"currency", "USD"}}}},
       {{"id", "build"}, {"depends_on", {"design"}}, {"duration_days", 60}},
       {{"id", "migrate"}, {"depends_on", {"build"}}, {"duration_days", 10}},
       {{"id", "training"}, {"depends_on", {"build"}}, {"due_date", "2027-06-30"}},
       {{"id", "golive"}, {"depends_on", {"migrate", "training"}}, {"duration_days", 5}}});
}

json by_id(const json& result, const std::string& id) {
  for (const auto& m : result["milestones"])
    if (m["id"] == id) return m;
  FAIL("no milestone " << id);
  return nullptr;
}

std::string refusal(const json& in) {
  auto o = milestones_schedule(in);
  REQUIRE_FALSE(o.ok);
  CHECK(o.code == "InvalidInput");
  return o.message;
}

}  // namespace

TEST_CASE("Milestones start on their predecessors' acceptance, and their dates move with it") {
  auto before = milestones_schedule({{"start", "2027-01-01"}, {"milestones", phases()}});
  REQUIRE(before.ok);
  const json& r = before.result;
  CHECK(r["order"] == json({"design", "build", "migrate", "training", "golive"}));
  CHECK(r["open"] == json({"design"}));
  CHECK(by_id(r, "design")["due_date"] == "2027-01-31");
  CHECK(by_id(r, "design")["amount"]["amount_minor"] == 2000000);  // carried through
  CHECK(by_id(r, "build")["status"] == "waiting");
  CHECK(by_id(r, "build")["due_date"].is_null());
  CHECK(by_id(r, "build")["projected_due"] == "2027-04-01");   // 2027-01-31 + 60 days
  CHECK(by_id(r, "golive")["projected_due"] == "2027-07-05");  // after training's fixed date
  CHECK(by_id(r, "golive")["waiting_for"] == json({"migrate", "training"}));

  // Design accepted ten days late: build starts then, and everything after it moves.
  auto later = milestones_schedule({{"start", "2027-01-01"},
                                    {"milestones", phases()},
                                    {"accepted", {{"design", "2027-02-10"}}}});
  REQUIRE(later.ok);
  CHECK(by_id(later.result, "design")["status"] == "accepted");
  CHECK(by_id(later.result, "build")["status"] == "open");
  CHECK(by_id(later.result, "build")["starts"] == "2027-02-10");
  CHECK(by_id(later.result, "build")["due_date"] == "2027-04-11");
  CHECK(by_id(later.result, "migrate")["projected_due"] == "2027-04-21");
  CHECK(later.result["open"] == json({"build"}));
  CHECK_FALSE(later.result["complete"].get<bool>());

  auto done = milestones_schedule({{"start", "2027-01-01"},
                                   {"milestones", phases()},
                                   {"accepted",
                                    {{"design", "2027-02-10"},
                                     {"build", "2027-04-01"},
                                     {"migrate", "2027-04-09"},
                                     {"training", "2027-06-20"},
                                     {"golive", "2027-06-24"}}}});
  REQUIRE(done.ok);
  CHECK(done.result["complete"].get<bool>());
  CHECK(by_id(done.result, "golive")["starts"] == "2027-06-20");  // the later of the two
}

TEST_CASE("A milestone graph that cannot be scheduled is refused, saying why") {
  auto with = [](json milestones, json accepted = nullptr) {
    json in = {{"start", "2027-01-01"}, {"milestones", milestones}};
    if (!accepted.is_null()) in["accepted"] = accepted;
    return in;
  };
  // A cycle, named.
  auto cycle = refusal(with(json::array({{{"id", "a"}, {"depends_on", {"c"}}},
                                         {{"id", "b"}, {"depends_on", {"a"}}},
                                         {{"id", "c"}, {"depends_on", {"b"}}},
                                         {{"id", "d"}}})));
  CHECK(cycle.find("cycle") != std::string::npos);
  CHECK(cycle.find("a → c → b → a") != std::string::npos);
  CHECK(refusal(with(json::array({{{"id", "a"}, {"depends_on", {"a"}}}}))).find("itself") !=
        std::string::npos);
  CHECK(refusal(with(json::array({{{"id", "a"}, {"depends_on", {"ghost"}}}})))
            .find("'ghost', which is no milestone") != std::string::npos);
  CHECK(refusal(with(json::array({{{"id", "a"}}, {{"id", "a"}}}))).find("two milestones") !=
        std::string::npos);
  // Acceptances out of order, before the start, of nothing, or not a date.
  auto two =
      json::array({{{"id", "a"}, {"duration_days", 5}}, {{"id", "b"}, {"depends_on", {"a"}}}});
  CHECK(refusal(with(two, {{"b", "2027-01-09"}})).find("accepted before what it waits for: a") !=
        std::string::npos);
  CHECK(refusal(with(two, {{"a", "2026-12-31"}})).find("before it started") != std::string::npos);
  CHECK(refusal(with(two, {{"z", "2027-01-09"}})).find("no milestone 'z'") != std::string::npos);
  CHECK(refusal(with(two, {{"a", "soon"}})).find("accepted.a") != std::string::npos);
  // Bounds.
  CHECK(
      refusal(with(json::array({{{"id", "a"}, {"duration_days", 99999}}}))).find("duration_days") !=
      std::string::npos);
  CHECK(refusal(with(json::array({{{"id", "a b"}}}))).find("milestone id") != std::string::npos);
  CHECK(refusal(with(json::array())).find("at least one") != std::string::npos);
  json many = json::array();
  for (int i = 0; i < 501; ++i) many.push_back({{"id", "m" + std::to_string(i)}});
  CHECK(refusal(with(many)).find("at most 500") != std::string::npos);
  // A long chain is scheduled without recursion trouble, in order.
  json chain = json::array({{{"id", "m0"}, {"duration_days", 1}}});
  for (int i = 1; i < 500; ++i)
    chain.push_back({{"id", "m" + std::to_string(i)},
                     {"depends_on", {"m" + std::to_string(i - 1)}},
                     {"duration_days", 1}});
  auto long_chain = milestones_schedule(with(chain));
  REQUIRE(long_chain.ok);
  CHECK(by_id(long_chain.result, "m499")["projected_due"] == "2028-05-15");
}

TEST_CASE(
    "The schedule says what is left to do: phases to track, tasks to check, invoices to ask") {
  json two = json::array({{{"id", "phase-1"},
                           {"name", "Phase 1"},
                           {"duration_days", 60},
                           {"amount", {{"amount_minor", 480000}, {"currency", "USD"}}}},
                          {{"id", "phase-2"},
                           {"name", "Phase 2"},
                           {"depends_on", {"phase-1"}},
                           {"duration_days", 45},
                           {"amount", {{"amount_minor", 720000}, {"currency", "USD"}}}}});
  json in = {{"start", "2027-03-01"}, {"milestones", two}};
  auto fresh = milestones_schedule(in);
  REQUIRE(fresh.ok);
  REQUIRE(fresh.result["to_track"].size() == 1);
  CHECK(fresh.result["to_track"][0]["id"] == "phase-1");
  CHECK(fresh.result["to_track"][0]["due_date"] == "2027-04-30");
  CHECK(fresh.result["to_poll"].empty());
  CHECK(fresh.result["to_invoice"].empty());
  CHECK(fresh.result["to_invoice_total"].is_null());
  CHECK_FALSE(fresh.result["settled"].get<bool>());

  // Phase 1 tracked: nothing to track, its task to check.
  in["tracked"] = {{"phase-1", {{"system", "jira"}, {"id", "DEL-1"}}}};
  auto tracked = milestones_schedule(in);
  REQUIRE(tracked.ok);
  CHECK(tracked.result["to_track"].empty());
  REQUIRE(tracked.result["to_poll"].size() == 1);
  CHECK(tracked.result["to_poll"][0]["task"]["id"] == "DEL-1");
  CHECK(by_id(tracked.result, "phase-1")["task"]["system"] == "jira");

  // Phase 1 accepted late: phase 2 opens then and is due 45 days on; phase 1 is to invoice.
  in["accepted"] = {{"phase-1", "2027-05-10"}};
  auto accepted = milestones_schedule(in);
  REQUIRE(accepted.ok);
  REQUIRE(accepted.result["to_invoice"].size() == 1);
  CHECK(accepted.result["to_invoice"][0]["accepted_on"] == "2027-05-10");
  CHECK(accepted.result["to_invoice_total"] ==
        json({{"amount_minor", 480000}, {"currency", "USD"}}));
  REQUIRE(accepted.result["to_track"].size() == 1);
  CHECK(accepted.result["to_track"][0]["id"] == "phase-2");
  CHECK(accepted.result["to_track"][0]["due_date"] == "2027-06-24");
  CHECK(accepted.result["accepted"] == json({{"phase-1", "2027-05-10"}}));

  // Both accepted, both invoiced: settled.
  in["tracked"]["phase-2"] = {{"system", "asana"}, {"id", "1200000000000002"}};
  in["accepted"]["phase-2"] = "2027-06-20";
  in["invoiced"] = {{"phase-1", {{"id", "in_1"}}}, {"phase-2", {{"id", "in_2"}}}};
  auto settled = milestones_schedule(in);
  REQUIRE(settled.ok);
  CHECK(settled.result["settled"].get<bool>());
  CHECK(settled.result["to_invoice"].empty());
  CHECK(settled.result["invoiced"]["phase-2"]["id"] == "in_2");

  // The register cannot say what did not happen: a task for a phase still waiting, an
  // invoice before acceptance, bookkeeping of no milestone.
  json bad = {{"start", "2027-03-01"}, {"milestones", two}};
  bad["tracked"] = {{"phase-2", {{"id", "DEL-2"}}}};
  CHECK(refusal(bad).find("has a task but still waits for phase-1") != std::string::npos);
  bad.erase("tracked");
  bad["invoiced"] = {{"phase-1", {{"id", "in_1"}}}};
  CHECK(refusal(bad).find("invoiced but is not accepted") != std::string::npos);
  bad["invoiced"] = {{"phase-9", {{"id", "in_9"}}}};
  CHECK(refusal(bad).find("no milestone 'phase-9'") != std::string::npos);
  // Two currencies cannot make one total.
  json mixed = {{"start", "2027-03-01"}, {"milestones", two}};
  mixed["milestones"][1]["amount"]["currency"] = "EUR";
  mixed["milestones"][1].erase("depends_on");
  mixed["accepted"] = {{"phase-1", "2027-04-01"}, {"phase-2", "2027-04-02"}};
  CHECK(refusal(mixed).find("one invoice run is one currency") != std::string::npos);
}
