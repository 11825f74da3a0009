// The Salesforce CRM and CPQ adapter over real HTTP against the sandbox: OAuth2 client
// credentials, SOQL reads of the seeded accounts, contacts, opportunity and CPQ quote (prices
// as exact minor units), upserts by external id that never duplicate, and errors with
// Salesforce's own message.
#include "activities/runner.hpp"
#include "adapters/http/decimal.hpp"
#include "tests/app/sandbox_fixture.hpp"

using covenant::activities::failed;
using covenant::testing::SandboxServer;
using nlohmann::json;

TEST_CASE("Decimals from other systems become exact minor units, or are refused") {
  namespace h = covenant::adapters::http;
  auto j = h::parse_exact(R"({"a": 43200.10, "b": 7, "c": [0.1, 1e2]})");
  CHECK(j["a"] == "43200.10");
  CHECK(j["b"] == 7);
  CHECK(j["c"][0] == "0.1");
  CHECK(h::to_minor(j["a"], 2) == 4320010);
  CHECK(h::to_minor(json("0.1"), 2) == 10);
  CHECK(h::to_minor(json("-12.5"), 2) == -1250);
  CHECK(h::to_minor(json(7), 2) == 700);
  CHECK(h::to_minor(json("1.005"), 2) == std::nullopt);  // no silent rounding
  CHECK(h::to_minor(json("100.000"), 2) == 10000);
  CHECK(h::to_minor(json("1e2"), 2) == std::nullopt);
  CHECK(h::minor_digits("JPY") == 0);
  CHECK(h::minor_digits("kwd") == 3);
  CHECK(h::parse_exact("{bad").is_discarded());
}

TEST_CASE(
    "Salesforce: accounts are found by name, domain or tax id, contacts and an "
    "opportunity are read") {
  SandboxServer s;
  auto sf = s.salesforce();
  auto by_name = sf->find_account({{"name", "acme"}});
  REQUIRE(by_name);
  CHECK((*by_name)["accounts"].size() == 2);  // Acme Corporation and Acme Widgets Ltd
  auto by_tax = sf->find_account({{"tax_id", "DE123456789"}});
  REQUIRE(by_tax);
  REQUIRE((*by_tax)["accounts"].size() == 1);
  CHECK((*by_tax)["accounts"][0]["name"] == "Globex GmbH");
  auto by_domain = sf->find_account({{"domain", "initech.com"}});
  REQUIRE(by_domain);
  CHECK((*by_domain)["accounts"][0]["external_id"] == "ACC-1003");
  auto quoted = sf->find_account({{"name", "O'Brien & Sons"}});  // a quote in a SOQL literal
  REQUIRE(quoted);
  CHECK((*quoted)["accounts"].empty());
  CHECK_FALSE(sf->find_account(json::object()));

  std::string acme = (*by_name)["accounts"][0]["id"];
  auto contacts = sf->list_contacts({{"account", acme}});
  REQUIRE(contacts);
  CHECK((*contacts)["contacts"].size() == 2);
  auto opps = s.records("salesforce", "Opportunity");
  REQUIRE(opps.size() == 1);
  auto opp = sf->get_opportunity({{"opportunity_id", opps[0]["id"]}});
  REQUIRE(opp);
  CHECK((*opp)["amount"] == json({{"amount_minor", 5220000}, {"currency", "USD"}}));
  CHECK((*opp)["stage"] == "Closed Won");
  auto missing = sf->get_opportunity({{"opportunity_id", "006000000000000AAA"}});
  REQUIRE_FALSE(missing);
  CHECK(failed(missing.error()).code == "NotFound");
}

TEST_CASE("Salesforce CPQ: a quote and its lines with exact prices and discounts") {
  SandboxServer s;
  auto sf = s.salesforce();
  auto quotes = s.records("salesforce", "SBQQ__Quote__c");
  REQUIRE(quotes.size() == 1);
  auto q = sf->get_quote({{"quote_id", quotes[0]["id"]}});
  REQUIRE(q);
  CHECK((*q)["net_amount"] == json({{"amount_minor", 5220000}, {"currency", "USD"}}));
  CHECK((*q)["term_months"] == 12);
  auto lines = sf->list_quote_lines({{"quote_id", quotes[0]["id"]}});
  REQUIRE(lines);
  REQUIRE((*lines)["lines"].size() == 3);
  const auto& platform = (*lines)["lines"][0];
  CHECK(platform["product"] == "platform");
  CHECK(platform["list_price"]["amount_minor"] == 4800000);
  CHECK(platform["net_price"]["amount_minor"] == 4320000);
  CHECK(platform["discount_percent"] == "10.0");
  std::int64_t total = 0;
  for (const auto& l : (*lines)["lines"])
    total += l["net_price"]["amount_minor"].get<std::int64_t>() * l["quantity"].get<std::int64_t>();
  CHECK(total == 5220000);  // the lines sum to the quote, to the cent
}

TEST_CASE(
    "Salesforce: upserts by external id never duplicate, even after a dropped "
    "connection, errors carry Salesforce's message") {
  SandboxServer s;
  auto sf = s.salesforce();
  auto a1 = sf->upsert_account({{"external_id", "ACC-2001"}, {"name", "Hooli Inc"}}, "k1");
  REQUIRE(a1);
  CHECK((*a1)["created"] == true);
  auto a2 = sf->upsert_account(
      {{"external_id", "ACC-2001"}, {"name", "Hooli, Inc."}, {"domain", "hooli.xyz"}}, "k2");
  REQUIRE(a2);
  CHECK((*a2)["created"] == false);
  CHECK((*a1)["id"] == (*a2)["id"]);
  auto accounts = s.records("salesforce", "Account");
  CHECK(accounts.size() == 5);  // four seeded, one upserted

  std::string acme = s.records("salesforce", "Account")[0]["id"];
  s.fault({{"method", "PATCH"},
           {"path_prefix", "/services/data/v60.0/sobjects/Task"},
           {"drop_after_commit", 1}});
  auto task = sf->create_task({{"account", acme}, {"subject", "Renewal notice due 2027-11-02"}},
                              "inst-1/root/renewal#1");
  REQUIRE(task);
  CHECK(s.records("salesforce", "Task").size() == 1);
  int task_writes = 0;
  json seen = s.requests();
  for (const auto& [k, v] : seen.items())
    if (k.find("PATCH /services/data/v60.0/sobjects/Task/Covenant_Key__c/") == 0)
      task_writes += v.get<int>();
  CHECK(task_writes == 2);  // the retry after the drop found the task by its key

  auto kase = sf->create_case({{"account", acme},
                               {"subject", "SLA breach: 99.9% uptime missed in March"},
                               {"priority", "High"}},
                              "case-1");
  REQUIRE(kase);
  auto bad = sf->create_case({{"account", "001000000000000XYZ"}, {"subject", "x"}}, "case-2");
  REQUIRE_FALSE(bad);
  CHECK(failed(bad.error()).code == "Invalid");
  CHECK(bad.error().message ==
        "salesforce: AccountId: id value of incorrect type: 001000000000000XYZ");

  auto wrong = s.salesforce("");  // no client secret: the token endpoint refuses
  auto denied = wrong->find_account({{"name", "acme"}});
  REQUIRE_FALSE(denied);
  CHECK(denied.error().message.find("refused the client credentials") != std::string::npos);
  CHECK(denied.error().kind == covenant::adapters::http::Failure::Permanent);
  // A busy token endpoint (429, found by scripts/torture) is a reason to wait, not a refusal:
  // the request is retried and goes through.
  s.fault({{"path_prefix", "/services/oauth2/token"}, {"fail_next", 1}, {"status", 429}});
  auto fresh = s.salesforce();
  auto after_busy = fresh->find_account({{"name", "acme"}});
  REQUIRE(after_busy);
  s.fault({{"path_prefix", "/services/oauth2/token"}, {"fail_next", 9}, {"status", 503}});
  auto unavailable = s.salesforce()->find_account({{"name", "acme"}});
  REQUIRE_FALSE(unavailable);
  CHECK(unavailable.error().kind == covenant::adapters::http::Failure::Transient);
  CHECK(failed(unavailable.error()).code == "Unavailable");
  auto leaked = s.salesforce("sf_secret_should_not_leak")
                    ->upsert_account({{"external_id", "bad id with spaces"}, {"name", "x"}}, "k");
  REQUIRE_FALSE(leaked);
  CHECK(leaked.error().message.find("sf_secret_should_not_leak") == std::string::npos);
}
