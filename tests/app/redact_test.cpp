// What is masked before contract text goes to a model endpoint (activities/extract/redact.hpp):
// each kind of personal data, the things that must stay (amounts, dates, section numbers,
// company names), offsets kept, and placeholders mapped back.
#include "activities/extract/redact.hpp"

#include <catch2/catch.hpp>

using covenant::activities::extract::redact;
using covenant::activities::extract::restore;
using nlohmann::json;

TEST_CASE("Redaction masks people, contacts, addresses and ids, and keeps every offset") {
  const std::string text =
      "Notices to Provider: Attention: Jane Q. Doe, 1200 Harbor View Road, Suite 400, Oakland, "
      "CA 94612; e-mail jane.doe@globex.example; telephone (510) 555-0142 or +1 510 555 0199. "
      "Notices to Customer: Mr. Hans Gruber, P.O. Box 4471. Provider's EIN: 94-3219876; VAT "
      "number DE 123456789. Payments to IBAN DE89 3704 0044 0532 0130 00, account number "
      "0012-3456-7890. Card 4111 1111 1111 1111. SSN 078-05-1120.\n"
      "By: /s/ Maria Lopez\nName: Maria Lopez\nBy: ACME CORPORATION\n"
      "The fee is USD 1,250,000.00 payable within 30 days of March 9, 2027 under Section "
      "12.3.4 of this Agreement between Acme Corporation and Globex GmbH.";
  auto r = redact(text);
  REQUIRE(r.text.size() == text.size());
  for (const char* secret : {"Jane", "Doe", "Harbor View", "94612", "jane.doe", "555-0142",
                             "555 0199", "Gruber", "4471", "94-3219876", "123456789", "3704 0044",
                             "3456-7890", "4111 1111", "078-05-1120", "Maria", "Lopez"}) {
    INFO(secret);
    CHECK(r.text.find(secret) == std::string::npos);
  }
  for (const char* kept : {"USD 1,250,000.00", "30 days", "March 9, 2027", "Section 12.3.4",
                           "Acme Corporation", "Globex GmbH", "ACME CORPORATION", "Oakland"}) {
    INFO(kept);
    CHECK(r.text.find(kept) != std::string::npos);
  }
  for (const char* kind :
       {"person", "address", "email", "phone", "tax_id", "iban", "account", "card", "ssn"}) {
    INFO(kind);
    CHECK(r.counts[kind] >= 1);
  }
  // Every byte outside a masked span is the original's.
  for (std::size_t i = 0; i < text.size(); ++i)
    if (r.text[i] != text[i]) {
      bool masking = r.text[i] == '_' || r.text[i] == '#' || r.text[i] == '[' || r.text[i] == ']' ||
                     r.text[i] == '-' || std::isalnum(r.text[i]);
      CHECK(masking);
    }
  // The same name gets the same placeholder, and placeholders map back, padded or bare.
  CHECK(r.originals.at("[person-2]") == "Hans Gruber");
  auto at = r.text.find("[person-");
  REQUIRE(at != std::string::npos);
  CHECK(restore(r, json("Attention: [person-1]")) == "Attention: Jane Q. Doe");
  json value = {{"name", r.text.substr(at, std::string("Jane Q. Doe").size())}, {"n", 3}};
  CHECK(restore(r, value) == json({{"name", "Jane Q. Doe"}, {"n", 3}}));
  CHECK(std::count(r.text.begin(), r.text.end(), '\n') ==
        std::count(text.begin(), text.end(), '\n'));
}

TEST_CASE("Redaction leaves a contract without personal data as it was") {
  const std::string text =
      "This Agreement is made as of May 1, 2027 between Acme Corporation, a Delaware "
      "corporation, and Northwind Inc. Customer shall pay each invoice net 45. The annual fee "
      "is EUR 125,000.00. Either party may terminate on ninety (90) days' notice (Section 14.2).";
  auto r = redact(text);
  CHECK(r.text == text);
  CHECK(r.counts.empty());
  CHECK(restore(r, json("unchanged [person-1]")) == "unchanged [person-1]");
}
