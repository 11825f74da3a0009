// Namespaces in the store (issue 21): two tenants on one database share nothing. Each test
// fills namespaces "acme" and "globex" with the same workflow, start key, business key,
// document and principal names, then reads and acts across them: every read carries its
// scope, so the other's rows are not there; every action by id outside its scope is NotFound
// and changes nothing. On SQLite and PostgreSQL; on PostgreSQL the row-level security of
// migration 018 is tested on its own, through a raw session as the application role.
#include "engine/approvals/desk.hpp"
#include "engine/audit/checkpoint.hpp"
#include "engine/audit/verify.hpp"
#include "engine/auth/principals.hpp"
#include "engine/store/database_url.hpp"
#include "engine/store/session.hpp"
#include "tests/engine/engine_fixture.hpp"
#include "tests/support/postgres.hpp"
#include "workflows/sha256.hpp"

namespace {

using covenant::testing::EngineFixture;
using nlohmann::json;
namespace ce = covenant::engine;
using ce::store::Scope;

constexpr const char* kWaits = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: deal }
start: wait_here
states:
  wait_here: { type: wait, event: go, next: done }
  done: { type: succeed }
)";

std::string deploy_in(EngineFixture& fx, const std::string& ns) {
  covenant::testing::TestCatalog catalog;
  auto c = covenant::workflows::compile(kWaits, "deal.yaml", catalog);
  REQUIRE(c.workflow);
  auto rec =
      fx.store_->definitions.put(ns, c.workflow->name(), c.workflow->digest(), kWaits,
                                 c.workflow->canonical_text(), ce::to_micros(fx.clock.now()));
  REQUIRE(rec);
  CHECK(rec->created);  // the same YAML in another namespace is a definition of its own
  CHECK(rec->version == 1);
  return rec->digest;
}

std::string start_in(EngineFixture& fx, const std::string& ns) {
  ce::runtime::StartOptions o;
  o.ns = ns;
  o.business_key = "C-1042";  // the same business key and start key in both
  o.start_key = "crm-opportunity-7";
  o.started_by = "rita";
  auto started = fx.runtime_->start("deal", json::object(), o);
  REQUIRE(started);
  CHECK_FALSE(started->replayed);  // not the other namespace's instance
  return started->id;
}

}  // namespace

ENGINE_TEST("Two namespaces on one store share no definition, instance, history or action",
            tenancy_store) {
  auto acme_digest = deploy_in(fx, "acme");
  auto globex_digest = deploy_in(fx, "globex");
  CHECK(acme_digest == globex_digest);
  auto acme = start_in(fx, "acme");
  auto globex = start_in(fx, "globex");
  CHECK(acme != globex);
  // A namespace with nothing deployed starts nothing.
  ce::runtime::StartOptions nowhere;
  nowhere.ns = "initech";
  CHECK(fx.runtime_->start("deal", json::object(), nowhere).error().code ==
        ce::ErrorCode::NotFound);
  nowhere.ns = "Not A Namespace";
  CHECK(fx.runtime_->start("deal", json::object(), nowhere).error().code ==
        ce::ErrorCode::InvalidArgument);

  auto in_acme = Scope::of("acme");
  auto in_globex = Scope::of("globex");
  // Reads by id.
  auto own = fx.store_->instances.get(in_acme, acme);
  REQUIRE(own);
  REQUIRE(*own);
  CHECK((*own)->ns == "acme");
  auto theirs = fx.store_->instances.get(in_acme, globex);
  REQUIRE(theirs);
  CHECK_FALSE(*theirs);
  auto history = fx.store_->instances.history(in_acme, globex);
  REQUIRE(history);
  CHECK(history->empty());
  // Lists.
  auto listed = fx.store_->instances.find(in_globex, {});
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().id == globex);
  auto everyone = fx.store_->instances.find(Scope::all(), {});
  REQUIRE(everyone);
  CHECK(everyone->size() == 2);
  auto defs = fx.store_->definitions.all("acme");
  REQUIRE(defs);
  CHECK(defs->size() == 1);
  CHECK(fx.store_->definitions.get("initech", acme_digest).error().code == ce::ErrorCode::NotFound);
  // Actions by id outside the scope: not found, and nothing changes.
  auto signal = fx.runtime_->signal(in_acme, globex, "go", json::object(), "rita");
  REQUIRE_FALSE(signal);
  CHECK(signal.error().code == ce::ErrorCode::NotFound);
  auto cancel = fx.runtime_->cancel(in_acme, globex, "crossing over", "rita");
  REQUIRE_FALSE(cancel);
  CHECK(cancel.error().code == ce::ErrorCode::NotFound);
  CHECK(fx.instance(globex).status == "running");
  CHECK(fx.event_names(globex).size() == fx.event_names(acme).size());
  // In its own namespace the same signal goes through.
  REQUIRE(fx.runtime_->signal(in_globex, globex, "go", json::object(), "rita"));
  fx.drain();
  CHECK(fx.instance(globex).status == "completed");
  CHECK(fx.instance(acme).status == "running");
  // The audit trail and the chain heads of a namespace are its own.
  ce::store::HistoryCursor from_start;
  auto page = fx.store_->audit.page(in_acme, {}, from_start, 100);
  REQUIRE(page);
  REQUIRE_FALSE(page->empty());
  for (const auto& row : *page) CHECK(row.instance_id == acme);
  auto heads = fx.store_->audit.chain_heads(in_globex, "", 100);
  REQUIRE(heads);
  REQUIRE(heads->size() == 1);
  CHECK(heads->front().instance_id == globex);
  auto verified = ce::audit::verify(*fx.store_, in_acme);
  REQUIRE(verified);
  CHECK(verified->instances == 1);
  CHECK(verified->intact());
}

ENGINE_TEST("Each namespace keeps its own documents, principals, delegations and checkpoints",
            tenancy_records) {
  auto& store = *fx.store_;
  // The same bytes for the same contract id in two namespaces: two documents, each version 1.
  std::string bytes = "Master Services Agreement between Acme and its customer";
  ce::store::DocumentRow doc{covenant::workflows::sha256_hex(bytes),
                             "text/plain",
                             static_cast<std::int64_t>(bytes.size()),
                             1,
                             bytes,
                             0};
  auto a = store.documents.put("acme", doc, bytes, "C-1042", "upload", 1000);
  REQUIRE(a);
  CHECK(a->version == 1);
  CHECK(a->added);
  auto g = store.documents.put("globex", doc, bytes, "C-1042", "upload", 2000);
  REQUIRE(g);
  CHECK(g->version == 1);
  CHECK(g->added);
  auto none = store.documents.get("initech", doc.sha256);
  REQUIRE(none);
  CHECK_FALSE(*none);
  auto content = store.documents.content("initech", doc.sha256);
  REQUIRE(content);
  CHECK_FALSE(*content);
  auto versions = store.documents.versions("initech", "C-1042");
  REQUIRE(versions);
  CHECK(versions->empty());

  // Principal names are unique across namespaces; each is read and changed in its own only.
  ce::RandomIds ids;
  ce::auth::Principals principals(store, fx.clock, ids);
  auto alice = principals.add("acme", "alice", {"finance"});
  REQUIRE(alice);
  REQUIRE(principals.add("acme", "bob", {"finance"}));
  CHECK(principals.add("globex", "alice", {"finance"}).error().code == ce::ErrorCode::Conflict);
  auto who = principals.authenticate(*alice);
  REQUIRE(who);
  CHECK(who->ns == "acme");
  auto listed = principals.list(Scope::of("globex"));
  REQUIRE(listed);
  CHECK(listed->empty());
  CHECK(principals.revoke(Scope::of("globex"), "alice").error().code == ce::ErrorCode::NotFound);
  CHECK(principals.rotate(Scope::of("globex"), "alice", std::chrono::seconds(0)).error().code ==
        ce::ErrorCode::NotFound);
  REQUIRE(principals.authenticate(*alice));  // untouched

  // Delegations: both principals of the namespace; another's are not read or revoked.
  ce::approvals::ApprovalDesk desk(*fx.runtime_, principals, fx.clock, ids);
  std::int64_t now = ce::to_micros(fx.clock.now());
  CHECK(desk.delegate("globex", {"alice", "bob", now, now + 1'000'000}, "alice", false)
            .error()
            .code == ce::ErrorCode::InvalidArgument);
  auto d = desk.delegate("acme", {"alice", "bob", now, now + 1'000'000}, "alice", false);
  REQUIRE(d);
  auto theirs = store.approvals.delegations(Scope::of("globex"), "");
  REQUIRE(theirs);
  CHECK(theirs->empty());
  CHECK(store.approvals.revoke_delegation(Scope::of("globex"), *d, now).error().code ==
        ce::ErrorCode::NotFound);
  auto mine = store.approvals.active_delegations(Scope::of("acme"), "bob", now);
  REQUIRE(mine);
  CHECK(mine->size() == 1);

  // Checkpoints: a namespace's heads only, signed with its name, checked as its own.
  deploy_in(fx, "acme");
  deploy_in(fx, "globex");
  auto acme = start_in(fx, "acme");
  auto globex = start_in(fx, "globex");
  auto key = ce::audit::generate_ed25519();
  REQUIRE(key);
  std::string day = ce::format_rfc3339(fx.clock.now()).substr(0, 10);
  std::int64_t later = ce::to_micros(fx.clock.now()) + 2 * 86'400LL * 1'000'000;
  auto cp = ce::audit::make_checkpoint(store, "acme", day, key->private_pem, later);
  REQUIRE(cp);
  CHECK(cp->document.find(acme) != std::string::npos);
  CHECK(cp->document.find(globex) == std::string::npos);
  CHECK(json::parse(cp->document).value("namespace", "") == "acme");
  auto globex_cps = store.audit.checkpoints("globex");
  REQUIRE(globex_cps);
  CHECK(globex_cps->empty());
  auto acme_cps = store.audit.checkpoints("acme");
  REQUIRE(acme_cps);
  REQUIRE(acme_cps->size() == 1);
  auto fine = ce::audit::check_checkpoints(store, "acme", *acme_cps, {key->public_pem});
  REQUIRE(fine);
  CHECK(fine->empty());
  // Passed off as another namespace's, it does not check.
  auto passed_off = ce::audit::check_checkpoints(store, "globex", *acme_cps, {key->public_pem});
  REQUIRE(passed_off);
  REQUIRE(passed_off->size() == 1);
  CHECK(passed_off->front().reason.find("namespace") != std::string::npos);
}

TEST_CASE("PostgreSQL's row-level security shows a session only its namespace's rows",
          "[postgres]") {
  covenant::testing::TestDatabase db(covenant::testing::TestDatabase::Schema::Current);
  {
    EngineFixture fx(db.url());
    deploy_in(fx, "acme");
    deploy_in(fx, "globex");
    start_in(fx, "acme");
    start_in(fx, "globex");
    std::string bytes = "an agreement";
    ce::store::DocumentRow doc{
        covenant::workflows::sha256_hex(bytes), "text/plain", 12, 1, bytes, 0};
    REQUIRE(fx.store_->documents.put("acme", doc, bytes, "C-1042", "upload", 1000));
    ce::RandomIds ids;
    ce::auth::Principals principals(*fx.store_, fx.clock, ids);
    REQUIRE(principals.add("acme", "alice", {"finance"}));
    // Keys and the namespace log: one rotation in each namespace.
    for (const char* ns : {"acme", "globex"})
      REQUIRE(fx.store_->keys.rotate(ns, ce::store::kWebhookKey, "erp", "whsec-1", "", 1, 1, 1,
                                     "test"));
    REQUIRE(fx.store_->namespaces.set_quota("acme", {10, 0}, 1, "test"));
    REQUIRE(fx.store_->namespaces.set_quota("globex", {20, 0}, 1, "test"));
  }
  // A raw session of the application role (an ordinary role that owns the tables).
  auto url = ce::store::parse_database_url(db.url());
  REQUIRE(url);
  auto opened = ce::store::open_session(*url);
  REQUIRE(opened);
  soci::session& s = **opened;
  auto count = [&](const std::string& table, const std::string& where = "") {
    int n = -1;
    s << "SELECT COUNT(*) FROM " + table + (where.empty() ? "" : " WHERE " + where), soci::into(n);
    return n;
  };
  const std::vector<std::string> tables = {"definitions",
                                           "instances",
                                           "history",
                                           "tasks",
                                           "timers",
                                           "principals",
                                           "principal_tokens",
                                           "approvals",
                                           "approval_roles",
                                           "approval_tokens",
                                           "approval_decisions",
                                           "delegations",
                                           "outbox",
                                           "documents",
                                           "document_versions",
                                           "checkpoints",
                                           "signing_keys",
                                           "namespace_events",
                                           "intake_deliveries",
                                           "usage_records",
                                           "contracts",
                                           "obligations",
                                           "obligation_registers",
                                           "book_index",
                                           "book_months",
                                           "book_month_totals",
                                           "contract_findings",
                                           "handoffs"};
  // A session that never named its namespace reads nothing: it gets an error.
  CHECK_THROWS_AS(count("instances"), soci::soci_error);
  s << "ROLLBACK";
  // A namespace with nothing in it: every table is empty to it.
  s << "SET covenant.namespace = 'initech'";
  for (const auto& t : tables) {
    INFO(t);
    CHECK(count(t) == 0);
  }
  // Acme's session sees acme's rows and none of globex's, even asking for them.
  s << "SET covenant.namespace = 'acme'";
  CHECK(count("instances") == 1);
  CHECK(count("definitions") == 1);
  CHECK(count("history") >= 1);
  CHECK(count("documents") == 1);
  CHECK(count("principals") == 1);
  CHECK(count("signing_keys") == 1);
  CHECK(count("namespace_events") == 2);  // its key, its quota
  CHECK(count("namespace_quotas") == 1);
  for (const auto& t : tables) {
    INFO(t);
    CHECK(count(t, "namespace = 'globex'") == 0);
  }
  // Nor can it write a row into another namespace, or move one there.
  CHECK_THROWS_AS(
      (s << "INSERT INTO definitions (namespace, digest, name, version, source, canonical, "
            "created_us) VALUES ('globex', 'x', 'planted', 1, '', '{}', 0)"),
      soci::soci_error);
  s << "ROLLBACK";
  s << "SET covenant.namespace = 'acme'";
  CHECK_THROWS_AS((s << "UPDATE instances SET namespace = 'globex'"), soci::soci_error);
  s << "ROLLBACK";
  // The engine's own scope sees every namespace.
  s << "SET covenant.namespace = '*'";
  CHECK(count("instances") == 2);
  CHECK(count("definitions") == 2);
  CHECK(count("namespace_events") == 4);
  CHECK(count("namespace_quotas") == 2);
}
