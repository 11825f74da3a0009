// obligations.record: the register a contract's reviewed terms and approved billing plan make —
// extracted reports, certificates, audits and deliverables; the renewal window; payment
// milestones; an SOW's phases — with each due resolved to a day only where the terms give the
// day it counts from. Malformed terms are refused naming where; the writer is the instance.
#include "activities/own.hpp"
#include "tests/activities/memory_book.hpp"

#include <catch2/catch.hpp>

#include <map>

using covenant::activities::Systems;
using nlohmann::json;

namespace {

json terms() {
  return {
      {"effective_date", "2027-02-01"},
      {"expiration_date", "2028-01-31"},
      {"auto_renewal", true},
      {"notice_period_to_terminate_renewal", {{"value", 60}, {"unit", "days"}}},
      {"obligations",
       json::array(
           {{{"id", "certificate-1"},
             {"kind", "certificate"},
             {"description", "Certificate of insurance"},
             {"owner", "Globex"},
             {"due", {{"event", "effective_date"}, {"after", {{"value", 30}, {"unit", "days"}}}}},
             {"acceptance", nullptr},
             {"evidence", {{"start", 10}, {"end", 80}, {"text", "within thirty (30) days"}}}},
            {{"id", "report-1"},
             {"kind", "report"},
             {"description", "Usage report"},
             {"owner", "Globex"},
             {"due",
              {{"event", "end of each quarter"},
               {"every", "quarter"},
               {"after", {{"value", 15}, {"unit", "days"}}}}}},
            {{"id", "report-2"},
             {"kind", "report"},
             {"description", "Security incident report"},
             {"owner", nullptr},
             {"due", {{"event", "effective_date"}, {"after", {{"value", 5}, {"unit", "days"}}}}},
             {"evidence", {{"text", "within five (5) business days"}}}},
            {{"id", "audit-1"},
             {"kind", "audit"},
             {"description", "Records open to audit"},
             {"owner", "Globex"},
             {"due", {{"event", "request"}}}}})}};
}

json plan() {
  return {
      {"milestones", json::array({{{"index", 1},
                                   {"event", "signing"},
                                   {"description", "Setup: milestone 1 (signing)"},
                                   {"amount", {{"amount_minor", 500000}, {"currency", "USD"}}},
                                   {"date", "2027-02-01"}},
                                  {{"index", 2},
                                   {"event", "acceptance of Phase 2"},
                                   {"description", "Setup: milestone 2 (acceptance of Phase 2)"},
                                   {"amount", {{"amount_minor", 500000}, {"currency", "USD"}}},
                                   {"id", "build"},
                                   {"name", "Phase 2: Build"},
                                   {"depends_on", {"design"}},
                                   {"duration_days", 60}}})}};
}

std::map<std::string, json> by_id(const json& list) {
  std::map<std::string, json> out;
  for (const auto& o : list) out[o["id"]] = o;
  return out;
}

Systems with(std::shared_ptr<covenant::testing::MemoryBook> book) {
  Systems s;
  s.book = std::move(book);
  s.ns = "default";
  return s;
}

}  // namespace

TEST_CASE("The obligations register: who owes what, by when, resolved only where the terms say") {
  auto book = std::make_shared<covenant::testing::MemoryBook>();
  json in = {{"contract_id", "C-7"},
             {"terms", terms()},
             {"plan", plan()},
             {"customer", "Acme Corp"},
             {"provider", "Globex"}};
  auto o = covenant::activities::obligations_record(with(book), in, "inst-000009/root/register#1");
  INFO(o.message);
  REQUIRE(o.ok);
  auto r = by_id(o.result["obligations"]);
  REQUIRE(r.size() == 8);
  CHECK(o.result["recorded"] == 8);
  // Thirty days after the effective date is a day; a quarter's end is not one yet.
  CHECK(r["certificate-1"]["due_date"] == "2027-03-03");
  CHECK(r["certificate-1"]["evidence"]["text"] == "within thirty (30) days");
  CHECK(r["certificate-1"]["source"] == "extracted");
  CHECK(r["report-1"]["due_date"].is_null());
  CHECK(r["report-1"]["due"]["every"] == "quarter");
  // Business days are the parties' to count: left relative, and its owner nobody named.
  CHECK(r["report-2"]["due_date"].is_null());
  CHECK(r["report-2"]["owner"] == "unassigned");
  CHECK(o.result["unassigned"] == json::array({"report-2"}));
  CHECK(r["audit-1"]["due_date"].is_null());
  // Sixty days' notice before 2028-01-31, or the contract renews.
  CHECK(r["renewal_window-1"]["kind"] == "renewal_window");
  CHECK(r["renewal_window-1"]["owner"] == "each party");
  CHECK(r["renewal_window-1"]["due_date"] == "2027-12-02");
  // The plan's milestones are the customer's to pay; the SOW phase is the provider's to deliver.
  CHECK(r["payment_milestone-1"]["owner"] == "Acme Corp");
  CHECK(r["payment_milestone-1"]["due_date"] == "2027-02-01");
  CHECK(r["payment_milestone-1"]["amount"]["amount_minor"] == 500000);
  CHECK(r["payment_milestone-2"]["due"] == json{{"event", "acceptance of Phase 2"}});
  CHECK(r["phase-build"]["kind"] == "deliverable");
  CHECK(r["phase-build"]["owner"] == "Globex");
  CHECK(r["phase-build"]["due"]["event"] == "acceptance of design");
  CHECK(r["phase-build"]["due"]["after"] == json{{"value", 60}, {"unit", "days"}});
  CHECK(r["phase-build"]["acceptance"] == "accepted by Acme Corp");
  // What the book keeps: the same, with the instance the key names as its writer.
  REQUIRE(book->register_of("C-7").size() == 8);
  // A retry of the same instance replaces it; another instance is refused.
  CHECK(covenant::activities::obligations_record(with(book), in, "inst-000009/root/register#2").ok);
  auto other =
      covenant::activities::obligations_record(with(book), in, "inst-000010/root/register#1");
  CHECK(!other.ok);
  CHECK(other.code == "Conflict");

  SECTION("without a plan, the terms' milestones are the payments; no renewal, no window") {
    json t = terms();
    t["auto_renewal"] = false;
    t["milestones"] = json::array({{{"basis_points", 1250}, {"event", "signing"}},
                                   {{"basis_points", 8750}, {"event", "go-live"}}});
    auto reg = by_id(covenant::activities::obligations_register({{"terms", t}}));
    CHECK(!reg.count("renewal_window-1"));
    CHECK(reg["payment_milestone-1"]["description"] == "12.5% of the one-time fees on signing");
    CHECK(reg["payment_milestone-2"]["owner"] == "customer");
    CHECK(reg["payment_milestone-2"]["due"] == json{{"event", "go-live"}});
  }
  SECTION("the provider is the other of two parties than the customer's, when not named") {
    json t = terms();
    t["parties"] = json::array({{{"name", "Globex LLC"}}, {{"name", "Acme Corporation"}}});
    auto named = [&](const json& extra) {
      json in = {{"terms", t}, {"plan", plan()}};
      in.update(extra);
      return by_id(covenant::activities::obligations_register(in))["phase-build"]["owner"];
    };
    CHECK(named({{"customer_party", "Acme Corporation"}}) == "Globex LLC");
    CHECK(named({{"customer_party", "Initech"}}) == "provider");  // not one of them: no guess
    CHECK(named(json::object()) == "provider");
    CHECK(named({{"customer_party", "Acme Corporation"}, {"provider", "Globex"}}) == "Globex");
  }
}

TEST_CASE("A malformed register is refused, naming where, and nothing is written") {
  auto book = std::make_shared<covenant::testing::MemoryBook>();
  auto refused = [&](const json& t, const std::string& key = "inst-1/root/r#1") {
    auto o = covenant::activities::obligations_record(with(book),
                                                      {{"contract_id", "C-8"}, {"terms", t}}, key);
    CHECK(!o.ok);
    CHECK(o.code == "InvalidInput");
    return o.message;
  };
  auto with_obligation = [](json change) {
    json t = terms();
    t["obligations"][0].update(change);
    return t;
  };
  CHECK(refused(json{{"obligations", "report quarterly"}}).find("obligations") !=
        std::string::npos);
  CHECK(refused(with_obligation({{"id", "Report 1"}})).find("obligations[0].id") !=
        std::string::npos);
  CHECK(refused(with_obligation({{"kind", "promise"}})).find("obligations[0].kind") !=
        std::string::npos);
  CHECK(refused(with_obligation({{"description", ""}})).find("description") != std::string::npos);
  CHECK(refused(with_obligation({{"due",
                                  {{"event", "effective_date"},
                                   {"after", {{"value", 99999999999LL}, {"unit", "days"}}}}}}))
            .find("obligations[0].due.after.value") != std::string::npos);
  CHECK(refused(with_obligation({{"due", {{"after", {{"value", 3}, {"unit", "days"}}}}}}))
            .find("event") != std::string::npos);
  CHECK(refused(with_obligation({{"due", {{"date", "2027-02-30"}}}})).find("due.date") !=
        std::string::npos);
  CHECK(refused(with_obligation({{"id", "report-1"}})).find("twice") != std::string::npos);
  // Outside an instance there is nobody to write it.
  CHECK(refused(terms(), "").find("instance") != std::string::npos);
  CHECK(book->registers() == 0);
}
