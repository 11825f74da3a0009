// The review of extracted terms over the API (GET/POST /v1/instances/{id}/review), without
// sockets: what the reviewer is shown, every refusal with its reason (wrong type, no reason,
// evidence not in the contract, a missing term left missing, a term twice, a term Covenant
// does not extract, the wrong role, no review waiting), and a correction that goes into the
// history and on to the gate under a new digest; a request for changes sends it back.
#include "activities/extract/eval.hpp"
#include "app/commands/commands.hpp"
#include "tests/app/api_fixture.hpp"
#include "tests/support/temp_dir.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

using covenant::testing::ApiFixture;
using covenant::testing::is_problem;
using nlohmann::json;

namespace {

constexpr const char* kReviewed = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: reviewed }
start: review
states:
  review: { type: wait, event: terms.reviewed, output: .terms, next: gate }
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      starts: { from: "${ .terms.effective_date }", type: date }
      net: { from: "${ .terms.payment_terms.net_days }", type: integer }
      customer: { from: "${ .customer }", type: id }
    approvers: [{ role: finance }]
    on_changes_requested: { next: review, output: .change_request }
    next: charge
  charge: { type: task, activity: money.charge, input: { amount: "${ .terms.payment_terms.net_days }", customer: "${ .customer }" }, next: done }
  done: { type: succeed }
)";

constexpr const char* kText =
    "This Agreement is made as of January 20, 2027. It shall commence on the kickoff date "
    "and continue for twelve (12) months. Customer shall pay each invoice net 30 days.";

// What extract.terms gives for kText: the effective date missing, the end read unsurely.
json extracted(const std::string& sha) {
  auto term = [](json value, double confidence, std::size_t start, std::size_t end) {
    return json{{"value", value},
                {"confidence", confidence},
                {"source", "rules"},
                {"evidence",
                 {{"start", start},
                  {"end", end},
                  {"text", std::string(kText).substr(start, end - start)}}}};
  };
  json fields = {{"agreement_date", term("2027-01-20", 0.85, 29, 45)},
                 {"expiration_date", term("2028-01-20", 0.55, 47, 121)},
                 {"payment_terms", term({{"net_days", 30}, {"text", "net 30"}}, 0.85, 122, 166)}};
  json out = {{"document", sha}, {"fields", fields}, {"min_confidence", 0.7}};
  for (const auto& [k, v] : fields.items()) out[k] = v["value"];
  out["review"] = json::array({{{"field", "expiration_date"}, {"reason", "low_confidence"}},
                               {{"field", "effective_date"}, {"reason", "missing"}}});
  out["needs_review"] = true;
  return out;
}

}  // namespace

TEST_CASE(
    "A review of extracted terms corrects them with reasons, refuses what it cannot check, "
    "and the gate opens on the corrected terms") {
  ApiFixture a;
  auto rita = a.add("rita", {"revops", "finance"});
  auto bob = a.add("bob", {"finance"});
  auto audrey = a.add("audrey", {"auditor"});
  std::string sha(64, 'a');
  covenant::engine::store::DocumentRow doc{
      sha, "text/plain", static_cast<std::int64_t>(std::strlen(kText)), 1, kText, 0};
  REQUIRE(a.fx.store_->documents.put("default", doc, kText, "C-9", "test", 0));
  a.fx.deploy(kReviewed);
  auto id = a.fx.start("reviewed", {{"terms", extracted(sha)}, {"customer", "acme"}},
                       {"C-9", "sam", "", "default"});
  a.fx.drain();
  const std::string path = "/v1/instances/" + id + "/review";

  // What the reviewer is shown: every term, the flagged ones with why.
  auto shown = a.call("GET", path, audrey);
  REQUIRE(shown.status == 200);
  auto r = json::parse(shown.body);
  CHECK(r["state"] == "review");
  std::string revision = r["revision"];
  CHECK(revision == "review#1");
  CHECK(r["document"] == sha);
  CHECK(r["change_request"].is_null());
  std::map<std::string, json> items;
  for (const auto& i : r["items"]) items[i["field"]] = i;
  CHECK(items.size() == 17);
  CHECK(items["obligations"]["input"] == "obligations");
  CHECK(items["document_kind"]["input"] == "document_kind");
  CHECK(items["referenced_agreement"]["input"] == "agreement_reference");
  CHECK(items["effective_date"]["flagged"] == "missing");
  CHECK(items["effective_date"]["value"].is_null());
  CHECK(items["effective_date"]["input"] == "date");
  CHECK(items["expiration_date"]["flagged"] == "low_confidence");
  CHECK(items["expiration_date"]["confidence"] == 0.55);
  CHECK(items["payment_terms"]["flagged"].is_null());
  CHECK(items["term"]["input"] == "duration");
  // The reviewer's list: this instance, with two terms flagged.
  auto listed = json::parse(a.call("GET", "/v1/reviews", rita).body);
  REQUIRE(listed["items"].size() == 1);
  CHECK(listed["items"][0]["instance_id"] == id);
  CHECK(listed["items"][0]["flagged"] == 2);
  CHECK(listed["truncated"] == false);
  is_problem(a.call("GET", "/v1/reviews", bob), 403);

  auto post = [&](const std::string& token, json corrections) {
    return a.call("POST", path, token,
                  json{{"corrections", corrections}, {"revision", revision}}.dump());
  };
  auto refused = [&](json corrections, const std::string& why) {
    auto res = post(rita, corrections);
    is_problem(res, 422);
    INFO(res.body);
    CHECK(json::parse(res.body)["detail"].get<std::string>().find(why) != std::string::npos);
  };
  json start = {{"field", "effective_date"},
                {"value", "2027-02-01"},
                {"reason", "Kickoff call held February 1 (CRM)"},
                {"evidence", "It shall commence on the kickoff date"}};
  auto with = [](json base, const json& changes) {
    base.update(changes);
    return base;
  };
  // An auditor reads but does not send.
  is_problem(post(audrey, json::array({start})), 403);
  refused(json::array(), "'effective_date' is missing from the contract: enter its value");
  refused(json::array({with(start, {{"value", "2027-02-30"}})}), "a day of the calendar");
  refused(json::array({with(start, {{"value", 20270201}})}), "written YYYY-MM-DD");
  refused(json::array({with(start, {{"reason", "  "}})}), "say why 'effective_date'");
  refused(json::array({with(start, {{"evidence", "commence on March 1"}})}),
          "not a passage of the contract");
  refused(json::array({start, start}), "'effective_date' is corrected twice");
  refused(json::array({start, {{"field", "price"}, {"value", 1}, {"reason", "x"}}}),
          "'price' is not a term Covenant extracts");
  refused(json::array({start, {{"field", "term"}, {"value", "P0M"}, {"reason", "x"}}}),
          "'term': a duration of 0 months");
  refused(json::array({start, {{"field", "payment_terms"}, {"value", -5}, {"reason", "x"}}}),
          "'payment_terms': payment terms are the days to pay");
  refused(
      json::array({start, {{"field", "document_kind"}, {"value", "contract"}, {"reason", "x"}}}),
      "'document_kind': a document is msa, sow, order_form, amendment or agreement");
  refused(json::array({start,
                       {{"field", "referenced_agreement"},
                        {"value", {{"name", "MSA"}, {"date", "2026-13-01"}}},
                        {"reason", "x"}}}),
          "'referenced_agreement': the referred agreement's date is YYYY-MM-DD or null");
  refused(
      json::array(
          {start,
           {{"field", "referenced_agreement"}, {"value", {{"date", nullptr}}}, {"reason", "x"}}}),
      "'referenced_agreement': the agreement referred to is {name, date");
  is_problem(
      a.call("POST", path, rita, R"({"corrections": [{"field": "term"}], "revision": "review#1"})"),
      422);
  is_problem(a.call("POST", path, rita, R"({"corrections": []})"), 422);  // which review?
  CHECK(a.fx.instance(id).status == "running");
  CHECK(a.fx.store_->approvals.of_instance(covenant::engine::store::Scope::all(), id)->empty());

  // The start entered, the end confirmed as read: one ValueCorrected, then the event.
  auto sent = post(rita, json::array({start}));
  INFO(sent.body);
  REQUIRE(sent.status == 200);
  auto answer = json::parse(sent.body);
  CHECK(answer["confirmed"] == json::array({"expiration_date"}));
  a.fx.drain();
  auto history = a.fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE(history);
  const covenant::engine::history::Event* corrected = nullptr;
  for (const auto& e : *history)
    if (e.type == covenant::engine::history::EventType::ValueCorrected) corrected = &e;
  REQUIRE(corrected);
  CHECK(corrected->payload["field"] == "effective_date");
  CHECK(corrected->payload["old"].is_null());
  CHECK(corrected->payload["new"] == "2027-02-01");
  CHECK(corrected->payload["by"] == "rita");
  CHECK(corrected->payload["reason"] == "Kickoff call held February 1 (CRM)");
  CHECK(corrected->payload["evidence"]["start"] == 47);
  // The audit trail names the reviewer as the actor of the correction.
  auto trail = a.call("GET", "/v1/audit/events?instance=" + id + "&type=ValueCorrected", audrey);
  REQUIRE(trail.status == 200);
  auto events = json::parse(trail.body)["events"];
  REQUIRE(events.size() == 1);
  CHECK(events[0]["actor"] == "rita");
  is_problem(a.call("GET", path, rita), 409);  // nothing waits for a review now
  CHECK(json::parse(a.call("GET", "/v1/reviews", rita).body)["items"].empty());
  auto rows = a.fx.store_->approvals.of_instance(covenant::engine::store::Scope::all(), id);
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  auto first = rows->front();
  CHECK(first.subject["starts"] == "2027-02-01");
  CHECK(first.changes_to == "review");

  // The reviewer changed the instance: separation of duties keeps her from approving it.
  auto own = a.call("POST", "/v1/approvals/" + first.id + "/decisions", rita,
                    json{{"decision", "approve"}, {"digest", first.digest}}.dump());
  is_problem(own, 403);
  // Finance sends it back with what to change; the review shows the request.
  auto back = a.call("POST", "/v1/approvals/" + first.id + "/decisions", bob,
                     json{{"decision", "request_changes"},
                          {"digest", first.digest},
                          {"comment", "Kickoff moved to March 1"}}
                         .dump());
  INFO(back.body);
  REQUIRE(back.status == 201);
  CHECK(json::parse(back.body)["status"] == "changes_requested");
  auto asked = json::parse(
      a.call("GET", "/v1/audit/events?instance=" + id + "&type=ApprovalChangesRequested", audrey)
          .body)["events"];
  REQUIRE(asked.size() == 1);
  CHECK(asked[0]["actor"] == "bob");
  a.fx.drain();
  auto again = json::parse(a.call("GET", path, rita).body);
  // The review came round again: corrections made of the first one are refused, not applied
  // to the terms as they are now.
  CHECK(again["revision"] == "review#2");
  auto stale = post(rita, json::array({with(start, {{"value", "2027-04-01"}})}));
  is_problem(stale, 409);
  CHECK(json::parse(stale.body)["detail"].get<std::string>().find("load the review again") !=
        std::string::npos);
  revision = again["revision"];
  CHECK(again["change_request"]["comment"] == "Kickoff moved to March 1");
  CHECK(again["change_request"]["by"] == "bob");
  for (const auto& i : again["items"])
    if (i["field"] == "effective_date") {
      CHECK(i["value"] == "2027-02-01");
      CHECK(i["source"] == "review");
      CHECK(i["flagged"].is_null());
    }
  REQUIRE(post(rita, json::array({with(
                         start, {{"value", "2027-03-01"}, {"reason", "Kickoff moved (finance)"}})}))
              .status == 200);
  a.fx.drain();
  rows = a.fx.store_->approvals.of_instance(covenant::engine::store::Scope::all(), id);
  REQUIRE(rows->size() == 2);
  const auto& second = rows->at(0).id == first.id ? rows->at(1) : rows->at(0);
  CHECK(second.status == "open");
  CHECK(second.subject["starts"] == "2027-03-01");
  CHECK(second.digest != first.digest);
  auto ok = a.call("POST", "/v1/approvals/" + second.id + "/decisions", bob,
                   json{{"decision", "approve"}, {"digest", second.digest}}.dump());
  INFO(ok.body);
  CHECK(ok.status == 201);
  a.fx.drain();
  CHECK(a.fx.system.writes("money.charge") == 1);

  // Corrections become data: the last review of the document, exported as labels, is a gold
  // set `--eval` scores on — only the fields a person looked at.
  covenant::testing::TempDir out;
  auto cli = [&](std::vector<std::string> args) {
    CLI::App app;
    int code = 0;
    covenant::app::add_extract_command(app, code);
    std::reverse(args.begin(), args.end());
    app.parse(args);
    return code;
  };
  auto dir = (out.path() / "gold").string();
  REQUIRE(cli({"extract", "corrections", "export", "--out", dir, "--db", a.db.url()}) == 0);
  auto labels = json::parse(std::ifstream(out.path() / "gold" / (sha + ".labels.json")));
  CHECK(labels["text_file"] == sha + ".txt");
  CHECK(labels["source"]["instance_id"] == id);
  CHECK(labels["source"]["reviewed"]["by"] == "rita");
  REQUIRE(labels["labels"].contains("effective_date"));
  const auto& gold = labels["labels"]["effective_date"];
  CHECK(gold["normalized"] == "2027-03-01");
  CHECK(gold["how"] == "corrected");
  CHECK(gold["by"] == "rita");
  CHECK(gold["reason"] == "Kickoff moved (finance)");
  CHECK(gold["old"] == "2027-02-01");
  CHECK_FALSE(labels["labels"].contains("agreement_date"));  // accepted, never looked at
  std::ifstream text(out.path() / "gold" / (sha + ".txt"));
  CHECK(std::string(std::istreambuf_iterator<char>(text), {}) == kText);
  auto scored = covenant::activities::extract::evaluate(
      covenant::activities::extract::RuleExtractor(), out.path() / "gold");
  CHECK(scored.contracts == 1);
  CHECK(scored.problems.empty());
  CHECK(scored.fields["effective_date"].gold == 1);
  CHECK(scored.fields["effective_date"].correct == 0);  // the rules miss a kickoff date
  CHECK(scored.fields["agreement_date"].gold == 0);
  CHECK(scored.fields["agreement_date"].answered == 0);
  // Only reviews of one workflow, and a malformed time refused with the reason.
  CHECK(cli({"extract", "corrections", "export", "--out", dir + "2", "--db", a.db.url(),
             "--workflow", "another"}) == 0);
  CHECK_FALSE(std::filesystem::exists(out.path() / "gold2" / (sha + ".labels.json")));
  CHECK(cli({"extract", "corrections", "export", "--out", dir, "--db", a.db.url(), "--since",
             "yesterday"}) == 2);
}
