// contract.merge_terms: an SOW inherits what it does not state from its agreement; an amendment
// supersedes what it states from its effective date; every value says where it came from; what
// would need a guess goes to review.
#include "activities/own.hpp"

#include <catch2/catch.hpp>

using covenant::activities::contract_merge_terms;
using nlohmann::json;

namespace {

json msa_terms() {
  return {{"parties", json::array({{{"name", "Acme Corporation"}}, {{"name", "Northwind"}}})},
          {"effective_date", "2027-01-01"},
          {"expiration_date", "2030-01-01"},
          {"governing_law", "New York"},
          {"payment_terms", {{"net_days", 45}}},
          {"liability_cap", {{"amount_minor", 100000000}, {"currency", "USD"}}},
          {"rate_card", {{"engineer_day", {{"amount_minor", 120000}, {"currency", "USD"}}}}},
          {"billing_frequency", {{"every", "month"}, {"timing", "advance"}}},
          {"document_kind", "msa"},
          {"fields",
           {{"governing_law",
             {{"value", "New York"}, {"confidence", 0.93}, {"evidence", {{"start", 4100}}}}}}}};
}

json merged(const json& document, const json& extra = json::object()) {
  json in = {{"parent", {{"contract_id", "MSA-1"}, {"terms", msa_terms()}}},
             {"document", document}};
  in.update(extra);
  auto o = contract_merge_terms(in);
  INFO(o.message);
  REQUIRE(o.ok);
  return o.result;
}

}  // namespace

TEST_CASE("An SOW inherits from its agreement what it does not state, and keeps its own scope") {
  json sow = {{"contract_id", "SOW-1"},
              {"kind", "sow"},
              {"terms",
               {{"effective_date", "2027-03-01"},
                {"expiration_date", "2027-12-01"},
                {"payment_terms", {{"net_days", 30}}},  // overrides the MSA's net 45
                {"fees", json::array({{{"product", "impl"}, {"amount_minor", 5000000}}})},
                {"document_kind", "sow"},
                {"referenced_agreement", {{"name", "Master Services Agreement"}}}}}};
  json t = merged(sow);
  CHECK(t["governing_law"] == "New York");
  CHECK(t["fields"]["governing_law"]["contract_id"] == "MSA-1");
  CHECK(t["fields"]["governing_law"]["evidence"]["start"] == 4100);  // the MSA's own evidence
  CHECK(t["payment_terms"]["net_days"] == 30);
  CHECK(t["fields"]["payment_terms"]["contract_id"] == "SOW-1");
  CHECK(t["liability_cap"]["amount_minor"] == 100000000);
  CHECK(t["rate_card"]["engineer_day"]["amount_minor"] == 120000);
  CHECK(t["effective_date"] == "2027-03-01");  // its own dates, never the MSA's
  CHECK(t["expiration_date"] == "2027-12-01");
  CHECK(t["document_kind"] == "sow");  // what it is, and names, stays its own
  CHECK(t["referenced_agreement"]["name"] == "Master Services Agreement");
  CHECK(t["merged"]["inherited"] ==
        json({"billing_frequency", "governing_law", "liability_cap", "parties", "rate_card"}));
  CHECK_FALSE(t["needs_review"].get<bool>());

  // An SOW that outlasts its agreement: to review, not silently cut or extended.
  sow["terms"]["expiration_date"] = "2031-01-01";
  json late = merged(sow);
  CHECK(late["needs_review"].get<bool>());
  CHECK(late["review"][0]["reason"] == "sow_outlasts_agreement");
}

TEST_CASE("An amendment supersedes what it states from its effective date") {
  json amendment = {
      {"contract_id", "AMD-1"},
      {"kind", "amendment"},
      {"terms",
       {{"effective_date", "2028-07-01"},
        {"rate_card", {{"engineer_day", {{"amount_minor", 135000}, {"currency", "USD"}}}}},
        {"governing_law", "New York"},  // restated, unchanged: not a change
        {"document_kind", "amendment"}}}};
  json t = merged(amendment);
  CHECK(t["effective_date"] == "2028-07-01");   // the remainder of the term, amended
  CHECK(t["expiration_date"] == "2030-01-01");  // the agreement's
  CHECK(t["rate_card"]["engineer_day"]["amount_minor"] == 135000);
  CHECK(t["payment_terms"]["net_days"] == 45);
  REQUIRE(t["merged"]["superseded"].size() == 1);
  CHECK(t["merged"]["superseded"][0]["field"] == "rate_card");
  CHECK(t["merged"]["superseded"][0]["before"]["engineer_day"]["amount_minor"] == 120000);
  CHECK(t["merged"]["superseded"][0]["from"] == "2028-07-01");
  CHECK(t["fields"]["rate_card"]["contract_id"] == "AMD-1");
  CHECK(t["fields"]["payment_terms"]["contract_id"] == "MSA-1");

  // Effective outside the agreement's term, or never said: to review.
  amendment["terms"]["effective_date"] = "2031-01-01";
  CHECK(merged(amendment)["review"][0]["reason"] == "amendment_outside_term");
  amendment["terms"].erase("effective_date");
  CHECK(merged(amendment)["review"][0]["reason"] == "missing");
  // Given by the workflow instead (a reviewer's date).
  CHECK(merged(amendment, {{"effective_date", "2029-01-01"}})["effective_date"] == "2029-01-01");
}

TEST_CASE("Merging refuses what is not a parent and a document") {
  auto refused = [](const json& in) {
    auto o = contract_merge_terms(in);
    REQUIRE_FALSE(o.ok);
    CHECK(o.code == "InvalidInput");
    return o.message;
  };
  json doc = {{"contract_id", "X"}, {"kind", "sow"}, {"terms", json::object()}};
  CHECK(refused({{"document", doc}}).find("parent") != std::string::npos);
  CHECK(refused({{"parent", {{"contract_id", "X"}, {"terms", json::object()}}}, {"document", doc}})
            .find("its own parent") != std::string::npos);
  doc["kind"] = "order_form";
  CHECK(refused({{"parent", {{"contract_id", "M"}, {"terms", json::object()}}}, {"document", doc}})
            .find("kind") != std::string::npos);
}

TEST_CASE("What an SOW's extraction left for review stays, unless its agreement supplied it") {
  json sow = {
      {"contract_id", "SOW-7"},
      {"kind", "sow"},
      {"terms",
       {{"effective_date", "2027-03-01"},
        {"expiration_date", "2027-12-01"},
        {"document", "sha-of-the-sow"},
        {"document_kind", "sow"},
        {"review",
         json::array(
             {{{"field", "payment_terms"}, {"reason", "missing"}},
              {{"field", "fees"}, {"reason", "missing"}},
              {{"field", "document_kind"}, {"reason", "low_confidence"}, {"confidence", 0.5}}})},
        {"needs_review", true}}}};
  json t = merged(sow);
  // Payment terms came from the agreement; fees did not (an SOW's fees are its own); the kind's
  // doubt stays.
  REQUIRE(t["review"].size() == 2);
  CHECK(t["review"][0]["field"] == "fees");
  CHECK(t["review"][1]["field"] == "document_kind");
  CHECK(t["needs_review"] == true);
  // The merged terms are the SOW's document's; an inherited field names the document its
  // evidence quotes.
  CHECK(t["document"] == "sha-of-the-sow");
  CHECK_FALSE(t["fields"]["governing_law"].contains("document"));  // the MSA's terms name none
}
