// The crash test: 200 instances of a seven-step workflow whose steps write to a recording
// system; the worker process is killed with SIGKILL at random moments at least 20 times and
// restarted each time. At the end every instance has completed, every step's effect exists
// exactly once, and every history chain verifies. Bounded in time; tagged [crash].
#include "engine/history/hash_chain.hpp"
#include "tests/engine/engine_fixture.hpp"

#include <catch2/catch.hpp>
#include <signal.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <thread>

namespace {

pid_t spawn(const std::string& url, const std::string& record) {
  pid_t pid = fork();
  if (pid == 0) {
    execl(CRASH_WORKER_PATH, "crash_worker", url.c_str(), record.c_str(), "1000", nullptr);
    _exit(127);
  }
  return pid;
}

void kill9(pid_t pid) {
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
}

// The recording system's tables: every call, and one effect per idempotency key.
void create_recording(const std::string& record) {
  soci::session s(*soci::factory_sqlite3(), "db=" + record);
  s << "PRAGMA journal_mode=WAL";
  s << "CREATE TABLE calls (n INTEGER PRIMARY KEY AUTOINCREMENT, idempotency_key TEXT NOT NULL)";
  s << "CREATE TABLE effects (idempotency_key TEXT PRIMARY KEY, activity TEXT NOT NULL)";
}

// A workflow of seven tasks in a row, each writing to the recording system.
std::string seven_steps(const std::string& name) {
  std::string yaml = "apiVersion: covenant/v1\nkind: Workflow\nmetadata: { name: " + name +
                     " }\nstart: s1\nstates:\n";
  for (int i = 1; i <= 7; ++i)
    yaml += "  s" + std::to_string(i) + ": { type: task, activity: work.do, next: " +
            (i < 7 ? "s" + std::to_string(i + 1) : std::string("done")) + " }\n";
  return yaml + "  done: { type: succeed }\n";
}

// Every history verifies and records each of the seven steps exactly once.
void check_histories(covenant::testing::EngineFixture& fx, const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
    REQUIRE(h);
    INFO("instance " << id);
    CHECK_FALSE(covenant::engine::history::verify_chain(*h));
    int completed = 0;
    for (const auto& e : *h)
      completed += e.type == covenant::engine::history::EventType::ActivityCompleted;
    CHECK(completed == 7);
  }
}

// Waits (bounded by `deadline`) until `expected` instances have completed; returns how many did.
std::size_t completed_by(covenant::testing::EngineFixture& fx, int expected,
                         std::chrono::steady_clock::time_point deadline) {
  std::size_t done = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    covenant::engine::store::InstanceFilter completed;
    completed.status = "completed";
    completed.limit = expected + 10;
    auto all = fx.store_->instances.find(covenant::engine::store::Scope::all(), completed);
    REQUIRE(all);
    done = all->size();
    if (static_cast<int>(done) == expected) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return done;
}

void crash_test(const std::string& url, covenant::testing::TempDir& dir) {
  constexpr int kInstances = 200, kKills = 20;
  std::string record = (dir.path() / "recording.db").string();
  create_recording(record);
  covenant::testing::EngineFixture fx(url);
  fx.clock.set(covenant::engine::SystemClock().now());  // the worker process uses real time
  fx.deploy(seven_steps("crashy"));
  std::vector<std::string> ids;
  for (int i = 0; i < kInstances; ++i) ids.push_back(fx.start("crashy"));

  std::mt19937 rng(20261123);
  std::uniform_int_distribution<int> pause_ms(30, 400);
  for (int k = 0; k < kKills; ++k) {
    pid_t pid = spawn(url, record);
    REQUIRE(pid > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    kill9(pid);
  }
  // Let one last worker finish the work (bounded), then stop it the hard way too.
  pid_t pid = spawn(url, record);
  auto done =
      completed_by(fx, kInstances, std::chrono::steady_clock::now() + std::chrono::minutes(4));
  kill9(pid);
  REQUIRE(done == kInstances);

  soci::session s(*soci::factory_sqlite3(), "db=" + record);
  int effects = 0, calls = 0, distinct_called = 0;
  s << "SELECT COUNT(*) FROM effects", soci::into(effects);
  s << "SELECT COUNT(*) FROM calls", soci::into(calls);
  s << "SELECT COUNT(DISTINCT idempotency_key) FROM calls", soci::into(distinct_called);
  CHECK(effects == kInstances * 7);  // every step's effect exists exactly once
  CHECK(distinct_called == kInstances * 7);
  INFO("calls " << calls << " for " << effects << " effects (repeats were absorbed by keys)");
  CHECK(calls >= effects);
  check_histories(fx, ids);
}

}  // namespace

TEST_CASE("Killed 20 times with SIGKILL, the engine loses nothing and repeats nothing [sqlite]",
          "[crash][sqlite]") {
  covenant::testing::TempDir dir;
  crash_test("sqlite:" + (dir.path() / "covenant.db").string(), dir);
}

TEST_CASE("Killed 20 times with SIGKILL, the engine loses nothing and repeats nothing [postgres]",
          "[crash][postgres]") {
  covenant::testing::TempDir dir;
  covenant::testing::TestDatabase db;
  crash_test(db.url(), dir);
}

TEST_CASE("Two worker processes share 1000 instances on PostgreSQL and one is killed mid-run",
          "[crash][postgres]") {
  constexpr int kInstances = 1000, kSteps = 2;
  covenant::testing::TempDir dir;
  covenant::testing::TestDatabase db;
  std::string record = (dir.path() / "recording.db").string();
  create_recording(record);
  covenant::testing::EngineFixture fx(db.url());
  fx.clock.set(covenant::engine::SystemClock().now());
  fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: shared }
start: a
states:
  a: { type: task, activity: work.do, next: b }
  b: { type: task, activity: work.do, next: done }
  done: { type: succeed }
)");
  for (int i = 0; i < kInstances; ++i) fx.start("shared");
  pid_t first = spawn(db.url(), record);
  pid_t second = spawn(db.url(), record);
  soci::session rec(*soci::factory_sqlite3(), "db=" + record + " timeout=60");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  // Kill the first worker once a third of the work is done.
  int effects = 0, calls = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    rec << "SELECT COUNT(*) FROM effects", soci::into(effects);
    if (effects >= kInstances * kSteps / 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  int repeated = -1;
  rec << "SELECT COUNT(*) - COUNT(DISTINCT idempotency_key) FROM calls", soci::into(repeated);
  CHECK(repeated == 0);  // while both ran, no task was executed twice
  kill9(first);
  auto done = completed_by(fx, kInstances, deadline);
  kill9(second);
  REQUIRE(done == kInstances);
  rec << "SELECT COUNT(*) FROM effects", soci::into(effects);
  rec << "SELECT COUNT(*) FROM calls", soci::into(calls);
  CHECK(effects == kInstances * kSteps);
  // Only the tasks the killed worker held (at most its concurrency) ran a second time.
  CHECK(calls - effects <= 4);
  // And the second worker finished what the first had leased.
  auto tx = fx.store_->begin(covenant::engine::store::Scope::all(), false);
  int leftover = -1;
  (*tx)->sql() << "SELECT COUNT(*) FROM tasks WHERE status <> 'done'", soci::into(leftover);
  CHECK(leftover == 0);
}

namespace {

std::vector<std::string> event_names(covenant::testing::EngineFixture& fx, const std::string& id) {
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE(h);
  std::vector<std::string> out;
  for (const auto& e : *h) out.emplace_back(covenant::engine::history::name(e.type));
  return out;
}

// Polls `done` every 20 ms until it holds or `seconds` pass; returns whether it held.
template <class F>
bool within(int seconds, F&& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

// Issue 16, finding 5, with real processes: worker A is frozen (SIGSTOP) in the middle of an
// activity, past its 1 s lease; worker B takes the attempt over, it fails, B schedules the
// retry; A is resumed and reports its late success. That outcome must be dropped, and the
// retry must still run: the instance completes, with one ActivityCompleted.
// SIGSTOPs `pid` at a moment it holds no SQLite write lock. A process frozen inside a write
// transaction (its heartbeat's, a few milliseconds every lease/3) blocks every other writer
// of the file until it resumes — SQLite's nature, and not what this test is about: a worker
// frozen inside an activity, past its lease. Under load that window was hit.
void freeze_outside_transaction(pid_t pid, const std::string& url) {
  REQUIRE(kill(pid, SIGSTOP) == 0);
  if (url.rfind("sqlite:", 0) != 0) return;
  for (int i = 0; i < 200; ++i) {
    try {
      soci::session s(*soci::factory_sqlite3(), "db=" + url.substr(7) + " timeout=0");
      s << "BEGIN IMMEDIATE";
      s << "ROLLBACK";
      return;
    } catch (const soci::soci_error&) {
    }
    kill(pid, SIGCONT);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(kill(pid, SIGSTOP) == 0);
  }
  FAIL("the worker held the database's write lock at every one of 200 tries");
}

void freeze_test(const std::string& url, covenant::testing::TempDir& dir) {
  std::string record = (dir.path() / "recording.db").string();
  create_recording(record);
  covenant::testing::EngineFixture fx(url);
  fx.clock.set(covenant::engine::SystemClock().now());
  fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: frozen }
start: call
states:
  call:
    type: task
    activity: work.flaky
    retry: { max_attempts: 3, initial_interval: 1s, jitter: 0 }
    next: done
  done: { type: succeed }
)");
  auto id = fx.start("frozen");
  soci::session rec(*soci::factory_sqlite3(), "db=" + record + " timeout=60");
  auto calls = [&] {
    int n = 0;
    rec << "SELECT COUNT(*) FROM calls", soci::into(n);
    return n;
  };
  pid_t a = spawn(url, record);
  REQUIRE(within(20, [&] { return calls() >= 1; }));  // A is inside its first call
  freeze_outside_transaction(a, url);
  pid_t b = spawn(url, record);
  bool retried = within(20, [&] {
    auto names = event_names(fx, id);
    return std::count(names.begin(), names.end(), "RetryScheduled") == 1;
  });
  kill(a, SIGCONT);  // A wakes up past its lease and reports attempt 1's success
  bool completed = within(30, [&] { return fx.instance(id).status == "completed"; });
  kill9(a);
  kill9(b);
  REQUIRE(retried);
  CHECK(completed);
  auto names = event_names(fx, id);
  CHECK(std::count(names.begin(), names.end(), "ActivityCompleted") == 1);
  CHECK(calls() == 3);  // A's first (late), B's failure, the retry
}

}  // namespace

TEST_CASE("A worker frozen past its lease cannot strand the instance when it resumes [sqlite]",
          "[crash][sqlite]") {
  covenant::testing::TempDir dir;
  freeze_test("sqlite:" + (dir.path() / "covenant.db").string(), dir);
}

TEST_CASE("A worker frozen past its lease cannot strand the instance when it resumes [postgres]",
          "[crash][postgres]") {
  covenant::testing::TempDir dir;
  covenant::testing::TestDatabase db;
  freeze_test(db.url(), dir);
}

// Issue 16: PostgreSQL restarted under running workers, once with a fast shutdown and once
// with an immediate one (a crash: in-flight transactions are lost, commits may be
// ambiguous). The workers reconnect with backoff; every instance completes, every step's
// effect exists once, every history verifies. Runs under a server of its own (the ctest entry
// "crash: PostgreSQL restarted under running workers"), never the shared one.
TEST_CASE("PostgreSQL restarted twice under two workers: nothing lost, nothing twice",
          "[pg-restart]") {
  const char* restart = std::getenv("COVENANT_TEST_PG_RESTART");
  REQUIRE(restart != nullptr);  // run by scripts/with-test-postgres: never skipped silently
  constexpr int kInstances = 150;
  covenant::testing::TempDir dir;
  covenant::testing::TestDatabase db;
  std::string record = (dir.path() / "recording.db").string();
  create_recording(record);
  covenant::testing::EngineFixture fx(db.url());
  fx.clock.set(covenant::engine::SystemClock().now());
  fx.deploy(seven_steps("restarted"));
  std::vector<std::string> ids;
  for (int i = 0; i < kInstances; ++i) ids.push_back(fx.start("restarted"));
  soci::session rec(*soci::factory_sqlite3(), "db=" + record + " timeout=60");
  auto effects = [&] {
    int n = 0;
    rec << "SELECT COUNT(*) FROM effects", soci::into(n);
    return n;
  };
  pid_t first = spawn(db.url(), record);
  pid_t second = spawn(db.url(), record);
  for (auto [share, mode] : {std::pair{4, "fast"}, std::pair{2, "immediate"}}) {
    REQUIRE(within(120, [&] { return effects() >= kInstances * 7 / share; }));
    INFO("restart " << mode);
    REQUIRE(std::system((std::string(restart) + " " + mode).c_str()) == 0);
  }
  // The fixture's own sessions died with the server too: it reconnects like the workers.
  bool done = within(240, [&] {
    covenant::engine::store::InstanceFilter completed;
    completed.status = "completed";
    completed.limit = kInstances + 10;
    auto all = fx.store_->instances.find(covenant::engine::store::Scope::all(), completed);
    return all && static_cast<int>(all->size()) == kInstances;
  });
  kill9(first);
  kill9(second);
  REQUIRE(done);
  int calls = 0, distinct = 0;
  rec << "SELECT COUNT(*) FROM calls", soci::into(calls);
  rec << "SELECT COUNT(DISTINCT idempotency_key) FROM calls", soci::into(distinct);
  CHECK(effects() == kInstances * 7);
  CHECK(distinct == kInstances * 7);
  check_histories(fx, ids);
}
