// A stored document extracted again (`covenant extract --document SHA`): the difference from
// its last recorded extraction — provenance, each changed field with its old and new value and
// confidence — and an exit code a script can act on; nothing recorded, nothing stored.
#include "activities/extract/compare.hpp"
#include "activities/extract/extractor.hpp"
#include "app/commands/commands.hpp"
#include "engine/history/hash_chain.hpp"
#include "engine/store/store.hpp"
#include "tests/engine/engine_fixture.hpp"

#include <CLI/CLI.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

using nlohmann::json;
using namespace covenant;

namespace {

const char* kText =
    "MASTER SUBSCRIPTION AGREEMENT\n\nThis Master Subscription Agreement is made and entered "
    "into as of March 9th, 2027 by and between Acme Corporation, a Delaware corporation "
    "(\"Customer\"), and Globex GmbH (\"Provider\").\n\n12. Governing Law. This Agreement shall "
    "be governed by the laws of the State of New York.\n";

// An instance whose history records `result` as extract.terms' outcome.
void record(engine::store::Store& s, const std::string& id, const json& result) {
  REQUIRE(s.definitions.put("default", "c2c", std::string(64, 'c'), "kind: Workflow", "{}", 1));
  auto tx = s.begin(covenant::engine::store::Scope::all());
  REQUIRE(tx);
  engine::model::Instance inst;
  inst.id = id;
  inst.workflow = "c2c";
  inst.digest = std::string(64, 'c');
  inst.business_key = "C-1";
  inst.status = "completed";
  inst.started_by = "sam";
  inst.input = json::object();
  std::vector<engine::history::Event> events;
  for (int k = 1; k <= 2; ++k) {
    engine::history::Event e;
    e.instance_id = id;
    e.seq = k;
    e.type = k == 1 ? engine::history::EventType::WorkflowStarted
                    : engine::history::EventType::ActivityCompleted;
    e.at_us = 1'800'000'000'000'000LL + k;
    e.frame = "root";
    e.state = "extract";
    e.payload = k == 1 ? json{{"started_by", "sam"}}
                       : json{{"activity", "extract.terms"},
                              {"idempotency_key", id + "/extract#1"},
                              {"result", result}};
    e.prev_hash = events.empty() ? "" : events.back().hash;
    e.hash = engine::history::event_hash(e);
    events.push_back(e);
  }
  inst.next_seq = 3;
  inst.last_hash = events.back().hash;
  engine::store::WriteBatch rows;
  rows.insert_instance(inst, "");
  rows.append(events);
  REQUIRE(s.flush(**tx, rows));
  REQUIRE((*tx)->commit());
}

// Runs `covenant extract …` in-process; the exit code and what it printed.
std::pair<int, std::string> cli(std::vector<std::string> args) {
  CLI::App app;
  int code = 0;
  app::add_extract_command(app, code);
  std::reverse(args.begin(), args.end());
  std::ostringstream out;
  auto* old = std::cout.rdbuf(out.rdbuf());
  try {
    app.parse(args);
  } catch (...) {
    std::cout.rdbuf(old);
    throw;
  }
  std::cout.rdbuf(old);
  return {code, out.str()};
}

}  // namespace

TEST_CASE("A stored document extracted again shows what differs from its recorded extraction") {
  testing::SqliteDb db;
  auto store = engine::store::Store::open(db.url(), 1);
  REQUIRE(store);
  std::string sha(64, 'd');
  engine::store::DocumentRow doc{sha, "text/plain", static_cast<std::int64_t>(std::strlen(kText)),
                                 1,   kText,        0};
  REQUIRE((*store)->documents.put("default", doc, kText, "C-1", "test", 0));
  activities::extract::RuleExtractor rules;
  json now = {{"document", sha},
              {"fields", activities::extract::to_json(rules.extract(kText))},
              {"provenance", rules.provenance()}};

  SECTION("older rules: the provenance, a corrected date and a new field") {
    json old = now;
    old["provenance"] = {
        {"extractor", "rules"}, {"version", "rules-2026.11.1"}, {"calibration", nullptr}};
    old["fields"]["agreement_date"]["value"] = "2027-03-08";
    old["fields"]["parties"]["confidence"] = 0.7;
    old["fields"].erase("document_kind");
    record(**store, "inst-1", old);
    auto [code, out] = cli({"extract", "--document", sha, "--db", db.url(), "--format", "json"});
    CHECK(code == 1);
    auto r = json::parse(out);
    CHECK(r["recorded"]["instance_id"] == "inst-1");
    CHECK(r["recorded"]["seq"] == 2);
    const auto& d = r["difference"];
    CHECK(d["provenance"]["changed"] == true);
    CHECK(d["provenance"]["before"]["version"] == "rules-2026.11.1");
    CHECK(d["provenance"]["after"]["version"] == activities::extract::kRulesVersion);
    std::map<std::string, json> by;
    for (const auto& f : d["fields"]) by[f["field"]] = f;
    REQUIRE(by.size() == 3);
    CHECK(by["agreement_date"]["change"] == "value");
    CHECK(by["agreement_date"]["before"] == "2027-03-08");
    CHECK(by["agreement_date"]["after"] == "2027-03-09");
    CHECK(by["parties"]["change"] == "confidence");
    CHECK(by["parties"]["confidence_before"] == 0.7);
    CHECK(by["document_kind"]["change"] == "added");
    CHECK(by["document_kind"]["before"].is_null());
    CHECK(by["document_kind"]["after"] == "msa");
    CHECK(d["same"] == now["fields"].size() - 3);
    // The text form says the same for a person.
    auto [tcode, text] = cli({"extract", "--document", sha, "--db", db.url()});
    CHECK(tcode == 1);
    CHECK(text.find("agreement_date (value): \"2027-03-08\" [") != std::string::npos);
    CHECK(text.find("] -> \"2027-03-09\" [") != std::string::npos);
    CHECK(text.find("document_kind (added): (none)") != std::string::npos);
    CHECK(text.find("rules-2026.11.1") != std::string::npos);
  }
  SECTION("the same rules and table: no difference, exit 0") {
    record(**store, "inst-2", now);
    auto [code, out] = cli({"extract", "--document", sha, "--db", db.url(), "--format", "json"});
    CHECK(code == 0);
    auto r = json::parse(out);
    CHECK(r["difference"]["fields"].empty());
    CHECK(r["difference"]["provenance"]["changed"] == false);
  }
  SECTION("no recorded extraction, or no such document") {
    auto [code, out] = cli({"extract", "--document", sha, "--db", db.url(), "--format", "json"});
    CHECK(code == 0);
    CHECK(json::parse(out)["recorded"].is_null());
    CHECK(cli({"extract", "--document", std::string(64, 'e'), "--db", db.url()}).first == 2);
  }
}

TEST_CASE("Comparing extractions never throws on partial or malformed results") {
  using activities::extract::compare_extractions;
  auto d = compare_extractions(json(), json::array());
  CHECK(d["fields"].empty());
  CHECK(d["same"] == 0);
  d = compare_extractions({{"fields", {{"x", 1}}}}, {{"fields", {{"x", {{"value", 2}}}}}});
  REQUIRE(d["fields"].size() == 1);
  CHECK(d["fields"][0]["change"] == "value");
  CHECK(d["fields"][0]["before"].is_null());
}
