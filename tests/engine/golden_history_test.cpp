// Golden histories: with a ManualClock and sequential ids a run's history is reproducible
// byte for byte, hashes included. A change to the events, their payloads or the hash chain
// shows up here as a reviewed diff, not a silent drift. To accept an intended change, run
// with COVENANT_UPDATE_GOLDEN=1 and review the diff of tests/golden/.
#include "engine/time_format.hpp"
#include "tests/engine/engine_fixture.hpp"
#include "tests/support/paths.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace std::chrono_literals;

namespace {

std::string history_jsonl(covenant::testing::EngineFixture& fx, const std::string& id) {
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE(h);
  std::string out;
  for (const auto& e : *h)
    out +=
        nlohmann::json{
            {"seq", e.seq},
            {"type", covenant::engine::history::name(e.type)},
            {"at", covenant::engine::format_rfc3339(covenant::engine::from_micros(e.at_us))},
            {"frame", e.frame},
            {"state", e.state},
            {"payload", e.payload},
            {"hash", e.hash}}
            .dump() +
        "\n";
  return out;
}

void compare_golden(const std::string& name, const std::string& actual) {
  auto path = covenant::testing::source_dir() / "tests/golden" / (name + ".jsonl");
  const char* update = std::getenv("COVENANT_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::ofstream(path) << actual;
    WARN("updated " << path.string());
    return;
  }
  std::ifstream in(path);
  REQUIRE(in);
  std::stringstream expected;
  expected << in.rdbuf();
  std::istringstream a(actual), b(expected.str());
  std::string la, lb;
  for (int line = 1; std::getline(b, lb); ++line) {
    INFO(path.string() << ":" << line);
    REQUIRE(std::getline(a, la));
    CHECK(la == lb);
  }
  CHECK_FALSE(std::getline(a, la));  // no extra events
}

}  // namespace

TEST_CASE("The history of an approved, retried, branching run matches its golden file",
          "[sqlite]") {
  covenant::testing::SqliteDb db;
  covenant::testing::EngineFixture fx(db.url());
  fx.serial();
  fx.deploy(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: golden }
start: fetch
states:
  fetch:
    type: parallel
    branches:
      - start: left
        states: { left: { type: task, activity: work.do, input: { what: left }, end: true } }
      - start: right
        states: { right: { type: task, activity: work.do, input: { what: right }, end: true } }
    output: .sources
    next: gate
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: integer }
    approvers: [{ role: finance }]
    timeout: 48h
    next: charge
  charge:
    type: task
    activity: money.charge
    input: { amount: "${ .amount }", customer: acme }
    retry: { max_attempts: 3, initial_interval: 5s, jitter: 0.5 }
    next: pause
  pause: { type: wait, duration: 1d, next: done }
  done: { type: succeed }
)");
  auto id = fx.start("golden", {{"amount", 125000}}, {"C-9", "alice", "", "default"});
  fx.drain();
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  std::string digest;
  for (const auto& e : *h)
    if (e.type == covenant::engine::history::EventType::ApprovalRequested)
      digest = e.payload["digest"];
  fx.clock.advance(2h);
  REQUIRE(
      fx.runtime_->decide_approval(covenant::engine::store::Scope::all(), id,
                                   covenant::engine::model::ApprovalInput{
                                       "gate", "bob", {"finance"}, true, "ok", digest, "", ""}));
  fx.system.fail_next("money.charge", 1, "Unavailable", true);
  fx.drain();
  fx.clock.advance(10s);
  fx.drain();
  fx.clock.advance(24h);
  fx.drain();
  REQUIRE(fx.instance(id).status == "completed");
  compare_golden("approved-retried-branching", history_jsonl(fx, id));
}
