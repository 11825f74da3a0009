// Upgrading in place. Engine core v2 changed what the store keeps (migration 011: the work
// tables hold only live work; 012: one history row per transition; 013: effects kept in the
// history; 014: work keyed by instance; 015: no second copy of the root context; and 016, a
// business key held by one running instance; 017, tokens with expiry and rotation). A database
// written by the version before — kept in tests/fixtures/store-v10, three contract-to-cash
// instances with 182 events, open and closed approvals, live and finished work — opens, is
// migrated, still verifies event by event, and its instances go on: a parked gate is approved and a
// running instance cancelled, and the new events continue the old chains.
#include "engine/audit/verify.hpp"
#include "tests/engine/engine_fixture.hpp"
#include "tests/support/paths.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

using covenant::testing::EngineFixture;
namespace ce = covenant::engine;

const std::string kParked = "1606e8b3-03aa-4cbc-9cd8-f6791517d5e9";   // at finance_approval
const std::string kRunning = "af70f8c7-a9f7-40d0-9b7e-20896ccd41ca";  // at its monitors

std::string fixture(const std::string& name) {
  auto path = covenant::testing::source_dir() / "tests/fixtures/store-v10" / name;
  REQUIRE(std::filesystem::exists(path));
  return path.string();
}

// What an older version could leave behind besides the fixture: a call's result recorded under
// a task that is still live (recorded, then the process stopped before the outcome was written):
// the fixture's task 5 made live again, its recorded result marked.
const char* kLegacyEffect = R"(
UPDATE tasks SET status = 'ready', lease_owner = '', lease_until_us = 0, due_us = 0 WHERE id = 5;
UPDATE effects SET result = '{"terms":"recorded before the stop"}'
  WHERE idempotency_key = (SELECT task_key FROM tasks WHERE id = 5);
)";

std::string legacy_effect_file(const covenant::testing::TempDir& dir) {
  auto path = dir.path() / "legacy-effect.sql";
  std::ofstream(path) << kLegacyEffect;
  return path.string();
}

// Runs a shell command; fails the test with what it printed when it fails.
void run(const std::string& cmd, const covenant::testing::TempDir& dir) {
  std::string log = (dir.path() / "command.log").string();
  int rc = std::system((cmd + " >" + log + " 2>&1").c_str());
  if (rc != 0) {
    std::ifstream in(log);
    std::stringstream out;
    out << in.rdbuf();
    FAIL(cmd << " failed (" << rc << "):\n" << out.str());
  }
}

std::int64_t count(ce::store::Store& store, const std::string& sql) {
  auto tx = store.begin(covenant::engine::store::Scope::all(), false);
  REQUIRE(tx);
  long long n = -1;
  (*tx)->sql() << sql, soci::into(n);
  return n;
}

void upgrade_and_continue(const std::string& url) {
  EngineFixture fx(url);  // opening the store applies the pending migrations
  auto& store = *fx.store_;
  CHECK(store.schema_version() == 27);
  // 017: every principal's token became its first row of principal_tokens, without expiry, so
  // callers keep working.
  CHECK(count(store, "SELECT COUNT(*) FROM principal_tokens") ==
        count(store, "SELECT COUNT(*) FROM principals"));
  CHECK(count(store,
              "SELECT COUNT(*) FROM principal_tokens t JOIN principals p ON "
              "p.token_hash = t.token_hash AND p.name = t.principal "
              "WHERE t.expires_us = 0 AND t.retired_us = 0") ==
        count(store, "SELECT COUNT(*) FROM principals"));
  // Instances started before the business-key rule are left as they were (key_unique 0), and a
  // new start under a key one of them holds while running is refused, naming it.
  CHECK(count(store, "SELECT COUNT(*) FROM instances WHERE key_unique <> 0") == 0);
  {
    auto held = store.instances.get(covenant::engine::store::Scope::all(), kParked);
    REQUIRE(held);
    REQUIRE(*held);
    REQUIRE_FALSE((*held)->business_key.empty());
    ce::runtime::StartOptions o;
    o.business_key = (*held)->business_key;
    auto again = fx.runtime_->start((*held)->workflow, nlohmann::json::object(), o);
    REQUIRE_FALSE(again);
    // The fixture's two running instances share their key, started before the rule: the
    // migration kept both (no unique index could be built over them), and either is named.
    CHECK((again.error().where == kParked || again.error().where == kRunning));
  }

  // Nothing the audit reads was lost or changed by the migration.
  auto before = ce::audit::verify(store, covenant::engine::store::Scope::all());
  REQUIRE(before);
  CHECK(before->intact());
  CHECK(before->instances == 3);
  CHECK(before->events == 182);
  // Only live work is left: the finished and cancelled tasks and fired timers went, the
  // pending ones stayed.
  CHECK(count(store, "SELECT COUNT(*) FROM tasks WHERE status NOT IN ('ready', 'leased')") == 0);
  CHECK(count(store, "SELECT COUNT(*) FROM timers WHERE status <> 'pending'") == 0);
  CHECK(count(store, "SELECT COUNT(*) FROM timers") == 4);
  // Effects are kept in the history: the table is gone, and the result recorded for a live task
  // rides on the task, so the claim hands it to the worker instead of a second call.
  CHECK(count(store, "SELECT COUNT(*) FROM tasks WHERE recorded IS NOT NULL") == 1);
  {
    auto claimed = store.work.claim("upgrade-test", 1, 60'000'000, 10);
    REQUIRE(claimed);
    REQUIRE(claimed->size() == 1);
    CHECK(claimed->front().id == 5);
    CHECK(claimed->front().instance_id == kRunning);
    CHECK(claimed->front().frame == "root");
    CHECK(claimed->front().state == "extract");
    REQUIRE(claimed->front().recorded);
    CHECK(*claimed->front().recorded == nlohmann::json{{"terms", "recorded before the stop"}});
  }
  {
    auto tx = store.begin(covenant::engine::store::Scope::all(), false);
    REQUIRE(tx);
    bool gone = false;
    try {
      long long n = 0;
      (*tx)->sql() << "SELECT COUNT(*) FROM effects", soci::into(n);
    } catch (const std::exception&) {
      gone = true;
    }
    CHECK(gone);
  }

  // The parked gate, read from the upgraded row, is approved by a finance approver.
  auto parked = store.instances.get(covenant::engine::store::Scope::all(), kParked);
  REQUIRE(parked);
  REQUIRE(*parked);
  const auto& root = (*parked)->frames.at("root");
  REQUIRE(root.gate);
  CHECK(root.gate->quorum == 1);
  auto last_hash = (*parked)->last_hash;
  auto next_seq = (*parked)->next_seq;
  ce::model::ApprovalInput in{"finance_approval",           "fiona",           {"finance"},   true,
                              "approved after the upgrade", root.gate->digest, root.gate->id, ""};
  auto decided = fx.runtime_->decide_approval(covenant::engine::store::Scope::all(), kParked, in);
  REQUIRE(decided);
  auto approvals = store.approvals.of_instance(covenant::engine::store::Scope::all(), kParked);
  REQUIRE(approvals);
  REQUIRE(approvals->size() == 1);
  CHECK(approvals->front().status == "granted");
  auto history = store.instances.history(covenant::engine::store::Scope::all(), kParked,
                                         next_seq - 2);  // from the last old event
  REQUIRE(history);
  REQUIRE(history->size() >= 3);
  CHECK(history->at(0).seq == next_seq - 1);
  CHECK(history->at(1).prev_hash == last_hash);  // the first new event links to the old chain
  bool granted = false, scheduled = false;
  for (const auto& e : *history) {
    granted = granted || e.type == ce::history::EventType::ApprovalGranted;
    scheduled = scheduled || e.type == ce::history::EventType::ActivityScheduled;
  }
  CHECK(granted);
  CHECK(scheduled);  // the financial step it authorizes is on its way
  // Task ids are never given twice, across the rebuild of the work tables too (the fixture's
  // tasks had ids up to 35, all finished; the legacy one, 5, is the only live one left):
  // fencing tells attempts apart by them.
  CHECK(count(store, "SELECT MIN(id) FROM tasks WHERE instance_id = '" + kParked + "'") > 35);

  // The instance at its monitors is cancelled: its pending timers go with it.
  REQUIRE(
      fx.runtime_->cancel(covenant::engine::store::Scope::all(), kRunning, "upgrade test", "ops"));
  auto running = store.instances.get(covenant::engine::store::Scope::all(), kRunning);
  REQUIRE(running);
  CHECK((*running)->status == "cancelled");
  CHECK(count(store, "SELECT COUNT(*) FROM timers WHERE instance_id = '" + kRunning + "'") == 0);

  // A change made by hand moves the version on too (the engine's decoded copies are trusted
  // only while the stored version is theirs).
  auto v = count(store, "SELECT version FROM instances WHERE id = '" + kParked + "'");
  {
    auto tx = store.begin(covenant::engine::store::Scope::all());
    REQUIRE(tx);
    (*tx)->sql() << "UPDATE instances SET business_key = business_key WHERE id = :id",
        soci::use(kParked);
    REQUIRE((*tx)->commit());
  }
  CHECK(count(store, "SELECT version FROM instances WHERE id = '" + kParked + "'") == v + 1);

  // Old chains verify and the new events continue them.
  auto after = ce::audit::verify(store, covenant::engine::store::Scope::all());
  REQUIRE(after);
  CHECK(after->intact());
  CHECK(after->instances == 3);
  CHECK(after->events > before->events);
}

}  // namespace

TEST_CASE("A database written before engine core v2 is upgraded in place and goes on",
          "[upgrade][sqlite]") {
  covenant::testing::TempDir dir;
  auto db = dir.path() / "covenant.db";
  run("sqlite3 '" + db.string() + "' < '" + fixture("sqlite.sql") + "'", dir);
  run("sqlite3 '" + db.string() + "' < '" + legacy_effect_file(dir) + "'", dir);
  upgrade_and_continue("sqlite:" + db.string());
}

TEST_CASE("A PostgreSQL database written before engine core v2 is upgraded in place and goes on",
          "[upgrade][postgres]") {
  covenant::testing::TempDir dir;
  covenant::testing::TestDatabase db;
  run("psql -q -v ON_ERROR_STOP=1 '" + db.url() + "' -f '" + fixture("postgres.sql") + "'", dir);
  run("psql -q -v ON_ERROR_STOP=1 '" + db.url() + "' -f '" + legacy_effect_file(dir) + "'", dir);
  upgrade_and_continue(db.url());
}
