// CLM intake over real HTTP: the sandbox's DocuSign and Ironclad send "contract executed"
// webhooks, signed as each vendor signs them, to Covenant's /v1/intake endpoints; an accepted
// delivery starts the workflow, whose first step fetches the signed document from the
// sandbox's vendor API and stores it. Forged, unsigned, stale and replayed deliveries start
// nothing, and every delivery — accepted or not — is on the record. SQLite and PostgreSQL.
#include "app/document_bridge.hpp"
#include "engine/time_format.hpp"
#include "tests/app/api_fixture.hpp"
#include "tests/app/attack_rig.hpp"

namespace {

using covenant::testing::AttackRig;
using nlohmann::json;

constexpr const char* kConnectKey = "connect-hmac-key-5d1e";

// Fetches the signed document, then holds (so a second delivery of the same contract meets a
// running instance).
constexpr const char* kProbe = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: intake-probe, owner: revops }
start: fetch
states:
  fetch:
    type: task
    activity: ingest.signed_document
    input: { source: "${ .document }", contract_id: "${ .contract_id }" }
    output: .contract
    next: hold
  hold:
    type: wait
    event: probe.done
    next: done
  done: { type: succeed }
)";

std::unique_ptr<AttackRig> intake_rig(const std::string& url) {
  auto rig = std::make_unique<AttackRig>(url, [](covenant::activities::Systems& s, AttackRig& r) {
    s.clm["docusign"] = r.sandbox.clm("docusign");
    s.clm["ironclad"] = r.sandbox.clm("ironclad");
    s.documents = std::make_shared<covenant::app::DocumentBridge>(*r.fx.store_, r.fx.clock);
  });
  covenant::app::intake::Source docusign;
  docusign.name = "docusign";
  docusign.vendor = "docusign";
  docusign.hmac_keys = {"an-older-key", kConnectKey};
  docusign.account_id = "acct-7731";
  docusign.workflow = "intake-probe";
  covenant::app::intake::Source ironclad;
  ironclad.name = "ironclad";
  ironclad.vendor = "ironclad";
  ironclad.public_key_pem = rig->sandbox.sandbox->clm().ironclad_public_pem();
  ironclad.workflow = "intake-probe";
  REQUIRE(!ironclad.public_key_pem.empty());
  rig->api.accept_intake({docusign, ironclad});
  return rig;
}

json deliver(AttackRig& rig, const std::string& vendor, const std::string& id,
             const std::string& fault = "", const std::string& event = "") {
  json order = {{"vendor", vendor},
                {"id", id},
                {"url", "http://127.0.0.1:" + std::to_string(rig.port()) + "/v1/intake/" + vendor},
                {"secret", kConnectKey},
                {"at", covenant::engine::format_rfc3339(rig.fx.clock.now())}};
  if (!fault.empty()) order["fault"] = fault;
  if (!event.empty()) order["event"] = event;
  return rig.sandbox.admin("/_sandbox/clm/deliver", order)["deliveries"];
}

std::map<std::string, int> outcomes(AttackRig& rig, const std::string& token) {
  auto r = rig.get("/v1/intake/deliveries?limit=500", token);
  REQUIRE(r.status == 200);
  std::map<std::string, int> n;
  for (const auto& d : r.body["items"])
    ++n[d["outcome"].get<std::string>() +
        (d["reason"].is_null() ? "" : "/" + d["reason"].get<std::string>())];
  return n;
}

json fetched(AttackRig& rig, const std::string& instance_id) {
  for (const auto& e : rig.history(instance_id))
    if (covenant::engine::history::name(e.type) == std::string("ActivityCompleted") &&
        e.payload.value("activity", "") == "ingest.signed_document")
      return e.payload["result"];
  FAIL("no ingest.signed_document result on " << instance_id);
  return nullptr;
}

void intake_run(const std::string& url) {
  auto rig_owner = intake_rig(url);
  AttackRig& rig = *rig_owner;
  auto admin = rig.add("ada", {"admin"});
  auto auditor = rig.add("audrey", {"auditor"});
  rig.deployed(admin, kProbe);
  rig.sandbox.admin("/_sandbox/clm/contracts",
                    {{"vendor", "docusign"},
                     {"id", "env-msa-1"},
                     {"account_id", "acct-7731"},
                     {"title", "Master Services Agreement — Acme"},
                     {"text",
                      "MASTER SERVICES AGREEMENT\nThis Agreement is made between Acme "
                      "Corporation and Covenant Example Inc.\n"},
                     {"references", {{"opportunity_id", "006A000001"}, {"quote_id", "Q-7001"}}}},
                    201);

  // Forged, unsigned, stale: refused before anything starts, each on the record.
  auto unsigned_ = deliver(rig, "docusign", "env-msa-1", "unsigned");
  CHECK(unsigned_[0]["status"] == 401);
  CHECK(unsigned_[0]["body"]["reason"] == "unsigned");
  auto forged = deliver(rig, "docusign", "env-msa-1", "bad_signature");
  CHECK(forged[0]["status"] == 401);
  CHECK(forged[0]["body"]["reason"] == "bad_signature");
  auto stale = deliver(rig, "docusign", "env-msa-1", "stale");
  CHECK(stale[0]["status"] == 400);
  CHECK(stale[0]["body"]["reason"] == "stale");
  // An event the source does not take is acknowledged and ignored.
  auto sent = deliver(rig, "docusign", "env-msa-1", "", "envelope-sent");
  CHECK(sent[0]["status"] == 200);
  CHECK(sent[0]["body"]["status"] == "ignored");

  // The real one, then the same event again (Connect redelivers when it missed our answer).
  auto first = deliver(rig, "docusign", "env-msa-1");
  REQUIRE(first[0]["status"] == 202);
  std::string instance = first[0]["body"]["instance_id"];
  auto again = deliver(rig, "docusign", "env-msa-1", "replay");
  REQUIRE(again.size() == 2);
  for (const auto& a : again) {
    CHECK(a["status"] == 200);
    CHECK(a["body"]["status"] == "duplicate");
    CHECK(a["body"]["instance_id"] == instance);
  }
  rig.drain();
  auto i = rig.fx.instance(instance);
  CHECK(i.business_key == "env-msa-1");
  CHECK(i.started_by == "intake:docusign");
  CHECK(i.input["opportunity_id"] == "006A000001");  // from the envelope's custom fields
  CHECK(i.input["document"] ==
        json({{"clm", "docusign"}, {"account_id", "acct-7731"}, {"envelope_id", "env-msa-1"}}));
  json doc = fetched(rig, instance);
  CHECK(doc["media_type"] == "text/plain");
  CHECK(doc["source"] == "docusign:envelope/env-msa-1");
  CHECK(doc["clm"]["references"]["quote_id"] == "Q-7001");
  CHECK(doc["version"] == 1);
  auto stored = rig.fx.store_->documents.get("default", doc["sha256"].get<std::string>());
  REQUIRE(stored);
  REQUIRE(stored->has_value());
  CHECK((*stored)->text.find("MASTER SERVICES AGREEMENT") != std::string::npos);

  // Ironclad: signed by its webhook key pair; a forged or unsigned delivery is refused; the
  // same contract executed again under another event id meets the running instance.
  rig.sandbox.admin("/_sandbox/clm/contracts",
                    {{"vendor", "ironclad"},
                     {"id", "wf-sow-9"},
                     {"title", "SOW 1 under the MSA"},
                     {"text", "STATEMENT OF WORK No. 1\nunder the Master Services Agreement\n"},
                     {"references", {{"contract_id", "SOW-9"}}}},
                    201);
  CHECK(deliver(rig, "ironclad", "wf-sow-9", "bad_signature")[0]["status"] == 401);
  CHECK(deliver(rig, "ironclad", "wf-sow-9", "unsigned")[0]["status"] == 401);
  auto sow = deliver(rig, "ironclad", "wf-sow-9", "replay");
  REQUIRE(sow[0]["status"] == 202);
  CHECK(sow[1]["status"] == 200);
  CHECK(sow[1]["body"]["instance_id"] == sow[0]["body"]["instance_id"]);
  auto twice = deliver(rig, "ironclad", "wf-sow-9");
  CHECK(twice[0]["status"] == 409);
  rig.drain();
  CHECK(fetched(rig, sow[0]["body"]["instance_id"])["clm"]["references"]["contract_id"] == "SOW-9");

  // An unknown source: 404, and nothing to record it under.
  auto unknown = rig.post("/v1/intake/icertis", "", {{"event", "x"}});
  CHECK(unknown.status == 404);

  // Every delivery is on the record, with what became of it.
  auto n = outcomes(rig, auditor);
  CHECK(n["refused/unsigned"] == 2);
  CHECK(n["refused/bad_signature"] == 2);
  CHECK(n["refused/stale"] == 1);
  CHECK(n["ignored/event"] == 1);
  CHECK(n["accepted"] == 2);
  CHECK(n["replayed"] == 3);
  CHECK(n["refused/Conflict"] == 1);
  // Two instances in all, each fetched its document once.
  auto reqs = rig.sandbox.requests();
  CHECK(reqs["GET /restapi/v2.1/accounts/acct-7731/envelopes/env-msa-1/documents/combined"] == 1);
  CHECK(reqs["GET /public/api/v1/workflows/wf-sow-9/document/signedCopy/download"] == 1);
  // A reader without the roles does not see the record.
  auto nobody = rig.add("nora", {"billing_ops"});
  CHECK(rig.get("/v1/intake/deliveries", nobody).status == 403);
}

}  // namespace

TEST_CASE(
    "CLM deliveries start contracts once, and forged, stale or replayed ones nothing [sqlite]",
    "[sqlite][intake]") {
  covenant::testing::SqliteDb db;
  intake_run(db.url());
}

TEST_CASE(
    "CLM deliveries start contracts once, and forged, stale or replayed ones nothing [postgres]",
    "[postgres][intake]") {
  covenant::testing::TestDatabase db;
  intake_run(db.url());
}

TEST_CASE("A DocuSign delivery is read only when signed, fresh, whole and for its account") {
  namespace in = covenant::app::intake;
  in::Source s;
  s.name = "docusign";
  s.vendor = "docusign";
  s.hmac_keys = {kConnectKey};
  s.account_id = "acct-1";
  const std::int64_t now = 1'800'000'000LL * 1'000'000;  // 2027-01-15T08:00:00Z
  auto body = [](const std::string& at, const json& data) {
    return json{{"event", "envelope-completed"}, {"generatedDateTime", at}, {"data", data}}.dump();
  };
  json data = {{"accountId", "acct-1"}, {"envelopeId", "env-1"}};
  auto read = [&](const std::string& b, const std::string& signature) {
    return in::read_delivery(
        s, b,
        [&](const std::string& h) {
          return h == "x-docusign-signature-1" ? signature : std::string();
        },
        now);
  };
  std::string good = body("2027-01-15T07:59:00Z", data);
  auto ok = read(good, covenant::sandbox::docusign_hmac(kConnectKey, good));
  REQUIRE(ok);
  CHECK(ok->event_id == "envelope-completed:env-1");
  CHECK(ok->contract_id == "env-1");
  // One changed byte after signing.
  std::string changed = good;
  changed[changed.find("env-1")] = 'E';
  CHECK(read(changed, covenant::sandbox::docusign_hmac(kConnectKey, good)).error().reason ==
        "bad_signature");
  CHECK(read(good, "").error().reason == "unsigned");
  CHECK(read(good, "not base64 at all").error().reason == "bad_signature");
  auto signed_read = [&](const std::string& b) {
    return read(b, covenant::sandbox::docusign_hmac(kConnectKey, b));
  };
  CHECK(signed_read(body("2027-01-13T07:59:00Z", data)).error().reason == "stale");  // 48h+
  CHECK(signed_read(body("2027-01-15T08:06:00Z", data)).error().reason == "stale");  // future
  CHECK(signed_read(body("yesterday", data)).error().reason == "malformed");
  CHECK(signed_read("{\"event\": ").error().reason == "malformed");
  CHECK(signed_read(std::string(200, '[') + std::string(200, ']')).error().reason == "malformed");
  CHECK(signed_read(body("2027-01-15T07:59:00Z", {{"accountId", "acct-1"}})).error().reason ==
        "malformed");
  CHECK(signed_read(
            body("2027-01-15T07:59:00Z", {{"accountId", "acct-1"}, {"envelopeId", "../../admin"}}))
            .error()
            .reason == "malformed");
  CHECK(signed_read(body("2027-01-15T07:59:00Z", {{"accountId", "acct-2"}, {"envelopeId", "e"}}))
            .error()
            .reason == "wrong_account");
  auto sent = signed_read(json{
      {"event", "envelope-sent"},
      {"generatedDateTime", "2027-01-15T07:59:00Z"},
      {"data", data}}.dump());
  CHECK(sent.error().outcome == "ignored");
  // A custom field that is not a reference shape is left out, never passed on.
  json with_fields = data;
  with_fields["envelopeSummary"] = {
      {"customFields",
       {{"textCustomFields", json::array({{{"name", "opportunity_id"}, {"value", "006A 'OR 1=1"}},
                                          {{"name", "quote_id"}, {"value", "Q-1"}}})}}}};
  auto refs = signed_read(body("2027-01-15T07:59:00Z", with_fields));
  REQUIRE(refs);
  CHECK_FALSE(refs->input.contains("opportunity_id"));
  CHECK(refs->input["quote_id"] == "Q-1");
}

TEST_CASE("A flood of deliveries past a source's rate is turned away unrecorded") {
  covenant::testing::ApiFixture a;
  covenant::app::intake::Source s;
  s.name = "docusign";
  s.vendor = "docusign";
  s.hmac_keys = {kConnectKey};
  s.per_second = 1;
  s.burst = 2;
  a.api.accept_intake({s});
  auto auditor = a.add("audrey", {"auditor"});
  std::vector<int> statuses;
  for (int i = 0; i < 5; ++i)  // unsigned: each would be a refusal on the record
    statuses.push_back(a.call("POST", "/v1/intake/docusign", "", "{}").status);
  CHECK(statuses == std::vector<int>{401, 401, 429, 429, 429});
  auto r = a.call("GET", "/v1/intake/deliveries", auditor);
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body)["items"].size() == 2);  // the two within the rate
  // A second later the source takes one more.
  a.fx.clock.advance(std::chrono::seconds(1));
  CHECK(a.call("POST", "/v1/intake/docusign", "", "{}").status == 401);
}
