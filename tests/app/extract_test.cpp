// The rule-based term extractor: each field on a small contract written for the test
// (values, confidence, evidence offsets). Its scores on the labelled dev contracts are in
// extract_dev_test.cpp.
#include "activities/extract/eval.hpp"
#include "activities/ingest/read_document.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using covenant::activities::extract::RuleExtractor;
using nlohmann::json;

namespace {

const char* kContract =
    "MASTER SUBSCRIPTION AGREEMENT\n\n"
    "This Master Subscription Agreement is made and entered into as of March 9th, 2027 by and "
    "between Acme Corporation, a Delaware corporation (\"Customer\"), and Globex GmbH "
    "(\"Provider\").\n\n"
    "1. Term. This Agreement shall be effective as of April 1, 2027 and continue for three (3) "
    "years. Thereafter it shall automatically renew for successive one (1) year periods unless "
    "either party gives the other written notice of non-renewal at least sixty (60) days prior "
    "to the end of the then-current term.\n\n"
    "12. Governing Law. This Agreement shall be governed by and construed in accordance with the "
    "laws of the State of New York, without regard to its conflict of laws principles.\n";

}  // namespace

TEST_CASE("The extractor finds each field with its value and the text that supports it") {
  std::string text = kContract;
  auto terms = RuleExtractor().extract(text);
  REQUIRE(terms.count("agreement_date"));
  CHECK(terms["agreement_date"].value == "2027-03-09");
  CHECK(terms["agreement_date"].confidence > 0.8);
  REQUIRE(terms.count("parties"));
  CHECK(terms["parties"].value ==
        json::array({{{"name", "Acme Corporation"}, {"aliases", {"Customer"}}},
                     {{"name", "Globex GmbH"}, {"aliases", {"Provider"}}}}));
  REQUIRE(terms.count("effective_date"));
  CHECK(terms["effective_date"].value == "2027-04-01");
  REQUIRE(terms.count("governing_law"));
  CHECK(terms["governing_law"].value ==
        json({{"jurisdiction", "New York"}, {"country", "United States"}}));
  REQUIRE(terms.count("renewal_term"));
  CHECK(terms["renewal_term"].value["iso8601"] == "P1Y");
  CHECK(terms["renewal_term"].value["successive"] == true);
  REQUIRE(terms.count("notice_period_to_terminate_renewal"));
  CHECK(terms["notice_period_to_terminate_renewal"].value["iso8601"] == "P60D");
  for (const auto& [field, t] : terms) {
    INFO(field);
    // The evidence is where it says it is.
    CHECK(text.substr(t.evidence.start, t.evidence.end - t.evidence.start) == t.evidence.text);
    CHECK(t.confidence > 0);
    CHECK(t.confidence <= 1);
  }
  CHECK(terms["governing_law"].evidence.text.find("laws of the State of New York") !=
        std::string::npos);
  CHECK(RuleExtractor().extract("Nothing to see here.").empty());
}

TEST_CASE("A PDF's lines are joined where the layout broke them, and kept where the writer did") {
  using covenant::activities::ingest::reflow;
  // Widest lines 30 columns: a line whose next word would not fit was broken by the layout.
  std::string text =
      "This Agreement is governed by\n"  // 29 + "the" > 30: joined
      "the laws of the State of New\n"   // joined
      "York. Fees are due net thirty\n"  // joined across the hyphen below
      "(30) days. Tier: 99.9% or cell-\n"
      "based units.\n"
      "\n"
      "1. TERM\n"                        // short: kept
      "2. Renewal. Either party may:\n"  // next starts a list item: kept
      "(a) terminate on sixty (60)\n"
      "days notice before the end of\f"  // a page break inside a paragraph
      "the term.\n";
  CHECK(reflow(text) ==
        "This Agreement is governed by the laws of the State of New York. Fees are due net "
        "thirty (30) days. Tier: 99.9% or cell-based units.\n\n1. TERM\n2. Renewal. Either "
        "party may:\n(a) terminate on sixty (60) days notice before the end of the term.\n");
  // Positions, when given, decide the lengths: a line the text shows short was full.
  CHECK(reflow("a short line\nthat goes on\n", {12, 40}) == "a short line\nthat goes on\n");
  CHECK(reflow("a short line\nthat goes on\n", {40, 12}) == "a short line that goes on\n");
  CHECK(reflow("") == "");
  // Positions that do not match the lines (a page the layout could not measure) are not
  // guessed at: the text's own lengths decide, as with none.
  CHECK(reflow(text, {30, 30, 30}) == reflow(text));
  CHECK(reflow(text, std::vector<std::size_t>(40, 200)) == reflow(text));
  CHECK(reflow("a short line\nthat goes on\n", {40}) == reflow("a short line\nthat goes on\n"));
  // Degenerate measures and pages keep every character and never fail.
  CHECK(reflow("a\nb\n", {0, 0}).find('a') != std::string::npos);
  CHECK(reflow("\f\f\n\f") == "\f\f\n\f");
}

TEST_CASE("Commercial terms: payment terms, fees, billing frequency, milestones and SLAs") {
  std::string text =
      "ORDER FORM\n"
      "This Order Form is made as of June 1, 2027 by and between Globex GmbH (\"Provider\") and "
      "Initech LLC (\"Customer\").\n"
      "The Effective Date is July 1, 2027. This Agreement shall continue for a period of two (2) "
      "years.\n"
      "Hosting fee: EUR 2,500.00 per month\n"
      "Implementation services: EUR 12,000.00 one-time\n"
      "10 named users at EUR 15.50 per user per month\n"
      "Hosting fees are invoiced monthly in arrears. Invoices are payable 2/10 net 30.\n"
      "Implementation milestones: 40% upon kickoff, 60% upon acceptance of the migration.\n"
      "Provider guarantees 99.95% availability per month. Severity 1 incidents will be answered "
      "within 30 minutes. If availability falls below 99.95%, Customer receives a credit of 10% "
      "of the monthly hosting fee.\n";
  auto t = RuleExtractor().extract(text);
  REQUIRE(t.count("payment_terms"));
  CHECK(t["payment_terms"].value["net_days"] == 30);
  CHECK(t["payment_terms"].value["discount"] == json({{"basis_points", 200}, {"days", 10}}));
  REQUIRE(t.count("fees"));
  const json& fees = t["fees"].value;
  REQUIRE(fees.size() == 3);
  CHECK(fees[0]["amount"] == json({{"amount_minor", 250000}, {"currency", "EUR"}}));
  CHECK(fees[0]["frequency"] == "month");
  CHECK(fees[0]["description"] == "Hosting fee");
  CHECK(fees[1]["frequency"] == "one_time");
  CHECK(fees[2]["quantity"] == 10);
  CHECK(fees[2]["unit_amount"]["amount_minor"] == 1550);
  CHECK(fees[2]["amount"]["amount_minor"] == 15500);
  REQUIRE(t.count("billing_frequency"));
  CHECK(t["billing_frequency"].value == json({{"every", "month"}, {"timing", "arrears"}}));
  REQUIRE(t.count("milestones"));
  CHECK(t["milestones"].value.size() == 2);
  CHECK(t["milestones"].value[0]["basis_points"] == 4000);
  CHECK(t["milestones"].value[1]["event"] == "acceptance of the migration");
  CHECK(t["milestones"].confidence >= 0.8);  // they add up to 100%
  REQUIRE(t.count("sla"));
  CHECK(t["sla"].value["uptime_percent"] == "99.95");
  CHECK(t["sla"].value["response_times"][0] ==
        json({{"priority", 1}, {"within", {{"value", 30}, {"unit", "minutes"}}}}));
  CHECK(t["sla"].value["service_credits"][0] ==
        json({{"below_percent", "99.95"}, {"credit_basis_points", 1000}}));
  REQUIRE(t.count("expiration_date"));
  CHECK(t["expiration_date"].value == "2029-07-01");
  CHECK(t["term"].value["iso8601"] == "P2Y");
  for (const auto& [field, term] : t) {
    INFO(field);
    CHECK(text.substr(term.evidence.start, term.evidence.end - term.evidence.start) ==
          term.evidence.text);
  }
  // "within thirty (30) days of receipt of the invoice" is net 30 too.
  auto within = RuleExtractor().extract(
      "Customer shall pay all amounts due within thirty (30) days of receipt of the invoice.");
  REQUIRE(within.count("payment_terms"));
  CHECK(within["payment_terms"].value["net_days"] == 30);
}

TEST_CASE("Milestones whose event billing cannot read plainly go to review") {
  std::string base =
      "ORDER FORM between Globex GmbH (\"Provider\") and Initech LLC (\"Customer\").\n"
      "Implementation fee: JPY 1,500,000 one-time\n";
  auto clear = RuleExtractor().extract(
      base +
      "Implementation milestones: 50% upon signature of this Agreement, 50% upon "
      "completion of website redesigning.\n");
  REQUIRE(clear.count("milestones"));
  CHECK(clear["milestones"].confidence >= 0.8);
  // JPY has no minor units: 1,500,000 yen is 1,500,000 minor units.
  REQUIRE(clear.count("fees"));
  CHECK(clear["fees"].value[0]["amount"] == json({{"amount_minor", 1500000}, {"currency", "JPY"}}));
  auto unclear = RuleExtractor().extract(
      base +
      "Implementation milestones: 50% upon signature of this Agreement, 50% upon "
      "execution of acceptance tests.\n");
  REQUIRE(unclear.count("milestones"));
  CHECK(unclear["milestones"].value.size() == 2);
  CHECK(unclear["milestones"].confidence < 0.7);  // under min_confidence: a person reads it
}

TEST_CASE(
    "An SOW's phases: which milestone is which phase, what each waits for, how long it takes") {
  std::string sow =
      "STATEMENT OF WORK No. 4 between Northwind Analytics, Inc. (\"Provider\") and Acme "
      "Corporation (\"Customer\").\n"
      "Implementation services: USD 12,000.00 one-time\n"
      "Phase 1 (design) shall be completed within sixty (60) days of the Effective Date. Phase 2 "
      "begins upon the Customer's acceptance of Phase 1 and shall be completed within forty-five "
      "(45) days. Phase Three shall commence upon acceptance of Phase 1 and Phase 2. Upon "
      "acceptance of Phase 2, Phase 3 shall be completed within 30 days.\n"
      "MILESTONES. The implementation fee is payable in three milestones: 20% upon acceptance of "
      "Phase 1, 50% upon acceptance of Phase 2 and 30% upon acceptance of Phase 3.\n";
  auto t = RuleExtractor().extract(sow);
  REQUIRE(t.count("milestones"));
  const json& ms = t["milestones"].value;
  INFO(ms.dump(2));
  REQUIRE(ms.size() == 3);
  CHECK(ms[0]["phase"] == "phase-1");
  CHECK(ms[0]["name"] == "Phase 1");
  CHECK(ms[0]["depends_on"] == json::array());
  CHECK(ms[0]["duration_days"] == 60);
  CHECK(ms[1]["phase"] == "phase-2");
  CHECK(ms[1]["depends_on"] == json({"phase-1"}));
  CHECK(ms[1]["duration_days"] == 45);
  CHECK(ms[2]["phase"] == "phase-3");  // "Phase Three" is Phase 3
  CHECK(ms[2]["depends_on"] == json({"phase-1", "phase-2"}));
  CHECK(ms[2]["duration_days"] == 30);  // Phase 3's, not Phase 2's, though Phase 2 is named first
  CHECK(t["milestones"].confidence >= 0.8);
  // The evidence quotes what the phases wait for as well as what they pay.
  CHECK(t["milestones"].evidence.text.find("begins upon") != std::string::npos);

  // Read but left to a person: a wait on a phase nothing is paid for, a wait on another event
  // than the one the phase is paid on, a duration in business days.
  for (const auto& [wording, why] : std::vector<std::pair<std::string, std::string>>{
           {"Phase 2 begins upon acceptance of Phase 0.", "a phase with no milestone"},
           {"Phase 2 begins upon delivery of Phase 1.", "delivery, but paid on acceptance"},
           {"Phase 1 shall be completed within ten (10) business days.", "business days"}}) {
    auto unsure = RuleExtractor().extract(
        "STATEMENT OF WORK between Provider and Customer.\nImplementation services: USD 1,000.00 "
        "one-time\n" +
        wording +
        "\nMILESTONES. The fee is payable in two milestones: 50% upon acceptance of Phase 1 "
        "and 50% upon acceptance of Phase 2.\n");
    INFO(why);
    REQUIRE(unsure.count("milestones"));
    CHECK(unsure["milestones"].confidence < 0.7);
  }
}

TEST_CASE("The scorer compares by value, and a label it cannot use is counted, never a crash") {
  using covenant::activities::extract::Calibration;
  using covenant::activities::extract::same_value;
  // Durations by value; parties by normalised name equality, not containment.
  CHECK(same_value("renewal_term", {{"iso8601", "P12M"}}, {{"iso8601", "P1Y"}}));
  CHECK_FALSE(same_value("renewal_term", {{"iso8601", "P6M"}}, {{"iso8601", "P1Y"}}));
  json gold = json::array({{{"name", "Acme Corp."}}, {{"name", "Globex GmbH"}}});
  CHECK(same_value("parties", json::array({{{"name", "ACME Corp"}}, {{"name", "Globex GmbH"}}}),
                   gold));
  CHECK_FALSE(same_value(
      "parties",
      json::array({{{"name", "Acme Corp., with offices at 1 Main St"}}, {{"name", "Globex GmbH"}}}),
      gold));
  CHECK_THROWS_AS(
      same_value("parties", json::array({{{"name", "Acme"}}}), json::array({{{"name", nullptr}}})),
      std::invalid_argument);
  // A labels file with a nameless party: reported, scored without it.
  covenant::testing::TempDir dir;
  std::ofstream(dir.path() / "c1.txt") << kContract;
  json labels = {
      {"text_file", "c1.txt"},
      {"labels",
       {{"parties", {{"normalized", json::array({{{"name", nullptr}}})}}},
        {"governing_law",
         {{"normalized", {{"jurisdiction", "New York"}, {"country", "United States"}}}}}}}};
  std::ofstream(dir.path() / "c1.labels.json") << labels.dump();
  auto r = covenant::activities::extract::evaluate(RuleExtractor(), dir.path());
  CHECK(r.contracts == 1);
  CHECK(r.fields["parties"].unusable == 1);
  CHECK(r.unusable.size() == 1);
  CHECK(r.fields["governing_law"].correct == 1);
  // A malformed calibration table is refused with the reason.
  CHECK_THROWS_AS(Calibration::from_json(json::object()), std::invalid_argument);
  CHECK_THROWS_AS(
      Calibration::from_json(
          {{"fields", {{"parties", {{"prior", 0.9}, {"rules", {{"x", {{"p", 2}}}}}}}}}}),
      std::invalid_argument);
  // Another table, another digest in the provenance.
  auto other = Calibration::from_json(
      {{"fields", {{"parties", {{"prior", 0.5}, {"rules", json::object()}}}}},
       {"min_confidence", 0.9}});
  RuleExtractor with_other(&other);
  CHECK(with_other.provenance()["calibration"]["sha256"] !=
        RuleExtractor().provenance()["calibration"]["sha256"]);
  CHECK(with_other.default_min_confidence() == 0.9);
  CHECK(with_other.extract(kContract).at("parties").confidence <= 0.5);
}

TEST_CASE("The kind of a document, and the agreement an amendment or SOW works under") {
  RuleExtractor x;
  auto kind_of = [&](const std::string& text) {
    auto terms = x.extract(text);
    return terms.count("document_kind") ? terms.at("document_kind").value : json();
  };
  SECTION("a master agreement, by its title; the title is the evidence") {
    auto terms = x.extract(kContract);
    REQUIRE(terms.count("document_kind"));
    CHECK(terms["document_kind"].value == "msa");
    CHECK(terms["document_kind"].evidence.text == "MASTER SUBSCRIPTION AGREEMENT");
    CHECK(terms["document_kind"].calibrated);
    CHECK_FALSE(terms.count("referenced_agreement"));  // an MSA refers to nothing above it
  }
  SECTION("a statement of work under its MSA, with the MSA's name and date") {
    std::string sow =
        "STATEMENT OF WORK No. 3\n\n"
        "This Statement of Work (\"SOW\") is made as of March 1, 2027 under the Master Services "
        "Agreement dated January 15, 2026 (the \"MSA\") between Acme Corporation (\"Customer\") "
        "and Globex GmbH (\"Provider\").\n";
    auto terms = x.extract(sow);
    CHECK(terms.at("document_kind").value == "sow");
    REQUIRE(terms.count("referenced_agreement"));
    const auto& ref = terms.at("referenced_agreement");
    CHECK(ref.value == json({{"name", "Master Services Agreement"}, {"date", "2026-01-15"}}));
    CHECK(ref.evidence.text == "Master Services Agreement dated January 15, 2026");
    // Its own date is not its parent's.
    CHECK(terms.at("agreement_date").value == "2027-03-01");
  }
  SECTION(
      "an amendment names the agreement it amends; without that agreement's date, a person "
      "reviews it") {
    std::string dated =
        "FIRST AMENDMENT TO MASTER SUBSCRIPTION AGREEMENT\n\n"
        "This First Amendment (the \"Amendment\") to the Master Subscription Agreement dated as "
        "of March 9, 2027 between Acme Corporation (\"Customer\") and Globex GmbH (\"Provider\") "
        "is made as of June 1, 2028.\n";
    auto terms = x.extract(dated);
    CHECK(terms.at("document_kind").value == "amendment");
    CHECK(terms.at("referenced_agreement").value ==
          json({{"name", "Master Subscription Agreement"}, {"date", "2027-03-09"}}));
    CHECK(terms.at("agreement_date").value == "2028-06-01");  // the amendment's, not the MSA's
    std::string undated =
        "ADDENDUM NO. 2\n\nThis Addendum supplements the Reseller Agreement between Acme "
        "Corporation and Globex GmbH.\n";
    auto u = x.extract(undated);
    CHECK(u.at("document_kind").value == "amendment");
    REQUIRE(u.count("referenced_agreement"));
    CHECK(u.at("referenced_agreement").value["date"].is_null());
    CHECK(u.at("referenced_agreement").confidence < x.default_min_confidence());
  }
  SECTION("an order form; a title after a page header or a letterhead") {
    CHECK(kind_of("ORDER FORM\n\nThis Order Form is governed by the Terms of Service.\n") ==
          "order_form");
    CHECK(kind_of("EXHIBIT 99.2 Page 1 of 3 DISTRIBUTOR AGREEMENT Agreement made this 19th day "
                  "of March, 2020") == "agreement");
    auto t = x.extract(
        "CORIO INC.     LICENSE AND HOSTING AGREEMENT\n\nThis License and Hosting "
        "Agreement is made as of October 29, 1999.");
    CHECK(t.at("document_kind").evidence.text == "LICENSE AND HOSTING AGREEMENT");
  }
  SECTION(
      "an agreement that only mentions another is not that other one, and no title is no "
      "kind, never a guess") {
    auto t = x.extract(
        "services agreement\n\nWHEREAS the parties entered into a Global Maintenance Agreement "
        "dated March 9, 2015; and WHEREAS they wish to continue.\n");
    CHECK_FALSE(t.count("document_kind"));
    CHECK_FALSE(t.count("referenced_agreement"));
    CHECK(kind_of("THIS AGREEMENT is made on 1 April 2020 between the parties.") == json());
    CHECK(kind_of("") == json());
  }
  SECTION("what a title names") {
    using covenant::activities::extract::document_kind_of;
    CHECK(document_kind_of("Amendment No. 2 to Manufacturing and Supply Agreement") == "amendment");
    CHECK(document_kind_of("GLOBAL MASTER SUPPLY AGREEMENT") == "msa");
    CHECK(document_kind_of("Statement of Work #4") == "sow");
    CHECK(document_kind_of("SOW 12 under the MSA") == "sow");
    CHECK(document_kind_of("Service Order Form") == "order_form");
    CHECK(document_kind_of("Reseller Agreement") == "agreement");
  }
}

TEST_CASE("Obligations: who owes what by when, with the sentence, and a person for the unclear") {
  std::string msa =
      "MASTER SERVICES AGREEMENT between Acme Corporation (\"Customer\") and Globex GmbH "
      "(\"Provider\").\n\n"
      "7. Reports. Within thirty (30) days after the end of each calendar quarter, Provider shall "
      "deliver to Customer a written service report.\n\n"
      "8. Insurance. Provider shall furnish certificates of insurance to Customer within ten (10) "
      "days of the Effective Date.\n\n"
      "9. Records. Customer may audit Provider's books and records relating to the fees upon "
      "thirty (30) days' prior written notice.\n\n"
      "10. Manuals. Licensee shall provide the Documentation.\n";
  auto t = RuleExtractor().extract(msa);
  REQUIRE(t.count("obligations"));
  const json& os = t["obligations"].value;
  INFO(os.dump(2));
  REQUIRE(os.size() == 4);
  CHECK(os[0]["id"] == "report-1");
  CHECK(os[0]["owner"] == "Globex GmbH");
  CHECK(os[0]["due"] == json({{"event", "end of each quarter"},
                              {"every", "quarter"},
                              {"after", {{"value", 30}, {"unit", "days"}}}}));
  CHECK(os[0]["confidence"] == 0.85);
  CHECK(os[0]["evidence"]["text"].get<std::string>().find("Within thirty (30) days") == 0);
  CHECK(os[1]["id"] == "certificate-1");
  CHECK(os[1]["description"] == "Certificate of insurance");
  CHECK(os[1]["due"] ==
        json({{"event", "effective_date"}, {"after", {{"value", 10}, {"unit", "days"}}}}));
  // Customer may audit: the records, and the duty to open them, are the Provider's.
  CHECK(os[2]["id"] == "audit-1");
  CHECK(os[2]["owner"] == "Globex GmbH");
  CHECK(os[2]["due"] == json({{"event", "request"}, {"after", {{"value", 30}, {"unit", "days"}}}}));
  // An owner the parties do not name, and no time: a person completes it.
  CHECK(os[3]["kind"] == "deliverable");
  CHECK(os[3]["owner"] == "Licensee");
  CHECK(os[3]["due"].is_null());
  CHECK(os[3]["confidence"].get<double>() < 0.8);
  CHECK(t["obligations"].confidence < 0.8);  // the field goes to review

  // What accepts a deliverable is kept; business days are a person's to date.
  auto d = RuleExtractor().extract(
      "AGREEMENT between Acme Corporation (\"Customer\") and Globex GmbH (\"Provider\").\n"
      "Provider shall deliver the migration plan within five (5) business days of the Effective "
      "Date, subject to Customer's written acceptance.\n");
  REQUIRE(d.count("obligations"));
  const json& o = d["obligations"].value[0];
  INFO(o.dump(2));
  CHECK(o["kind"] == "deliverable");
  CHECK(o["description"] == "Deliver migration plan");
  CHECK(o["acceptance"] == "subject to Customer's written acceptance");
  CHECK(o["confidence"].get<double>() < 0.8);

  // Nothing owed, nothing listed: a mention of a report is not an obligation.
  auto none = RuleExtractor().extract(kContract);
  CHECK_FALSE(none.count("obligations"));
}
