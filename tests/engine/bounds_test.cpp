// The depth bound where JSON enters the engine (workflows/json_input.hpp), and what happens
// to data that got past it anyway (a row written before the bound, or by hand): a start, an
// event or an activity result nested past the limit is refused with a clear error; a stored
// instance too deep for jq fails with an ExpressionError, and the process lives on.
#include "engine/scheduler/worker.hpp"
#include "tests/engine/engine_fixture.hpp"
#include "workflows/json_input.hpp"

namespace {

using covenant::testing::EngineFixture;
using nlohmann::json;
namespace ce = covenant::engine;

constexpr const char* kWaitThenTask = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: bounded }
start: pause
states:
  pause: { type: wait, event: go, output: .got, next: call }
  call: { type: task, activity: work.do, output: .call, next: check }
  check:
    type: choice
    choices: [{ when: "${ .call != null }", next: done }]
    default: done
  done: { type: succeed }
)";

constexpr const char* kWaitThenChoice = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: chosen }
start: pause
states:
  pause: { type: wait, event: go, output: .got, next: check }
  check:
    type: choice
    choices: [{ when: "${ .got != null }", next: done }]
    default: done
  done: { type: succeed }
)";

json nested(int depth) {
  json v = json::array();
  for (int i = 1; i < depth; ++i) v = json::array({v});
  return v;
}

// An activity whose answer nests as deep as it is told.
class DeepAnswer final : public ce::ActivityExecutor {
 public:
  explicit DeepAnswer(int depth) : depth_(depth) {}
  ce::ActivityResult execute(const ce::ActivityCall&) override {
    return ce::ActivityResult::success({{"deep", nested(depth_)}});
  }

 private:
  int depth_;
};

}  // namespace

TEST_CASE("json_value_too_deep names the path of the first value past the limit", "[unit]") {
  namespace wf = covenant::workflows;
  CHECK_FALSE(wf::json_value_too_deep(nested(64)));
  auto deep = wf::json_value_too_deep(json{{"a", json::array({1, nested(64)})}});
  REQUIRE(deep);
  std::string path = ".a[1]";
  for (int i = 0; i < 62; ++i) path += "[0]";  // the 65th level: the first past the limit
  CHECK(*deep == "nested more than 64 levels deep at " + path);
  CHECK(wf::parse_json_input("[1e400]").error().kind == wf::JsonRefusal::Kind::NumberOutOfRange);
  CHECK(wf::parse_json_input("[\"\xff\"]").error().kind == wf::JsonRefusal::Kind::Malformed);
  CHECK(wf::parse_json_input(std::string(65, '[')).error().kind == wf::JsonRefusal::Kind::TooDeep);
  CHECK(wf::parse_json_input(R"({"a": "[[[[ not brackets"})"));
}

ENGINE_TEST("A start or an event nested past the limit is refused and changes nothing",
            bounds_start_event) {
  fx.deploy(kWaitThenTask);
  auto r = fx.runtime_->start("bounded", {{"a", nested(300)}}, {});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ce::ErrorCode::InvalidArgument);
  CHECK(r.error().message.find("the limit is 64 levels") != std::string::npos);
  auto id = fx.start("bounded");
  auto s = fx.runtime_->signal(covenant::engine::store::Scope::all(), id, "go", nested(70));
  REQUIRE_FALSE(s);
  CHECK(s.error().code == ce::ErrorCode::InvalidArgument);
  auto all = fx.store_->instances.find(covenant::engine::store::Scope::all(), {});
  REQUIRE(all);
  CHECK(all->size() == 1);
  CHECK(fx.event_names(id).size() == 2);  // started, waiting: the refused event left no trace
}

ENGINE_TEST("An activity result nested past the limit fails the task, without a retry",
            bounds_result) {
  fx.deploy(kWaitThenTask);
  auto id = fx.start("bounded");
  REQUIRE(fx.runtime_->signal(covenant::engine::store::Scope::all(), id, "go", json::object()));
  DeepAnswer deep(300);
  ce::scheduler::Worker w(*fx.runtime_, deep, {"deep-worker", 1});
  CHECK(w.run_due().tasks == 1);
  auto inst = fx.instance(id);
  CHECK(inst.status == "failed");
  CHECK(inst.failure_code == "InvalidResult");
  auto names = fx.event_names(id);
  CHECK(std::count(names.begin(), names.end(), "RetryScheduled") == 0);
}

ENGINE_TEST("A stored instance too deep for jq fails with a clear error, never the process",
            bounds_stored_row) {
  fx.deploy(kWaitThenChoice);
  auto id = fx.start("chosen");
  // Data written past the bound (by hand, or before it existed): 300 levels in the context.
  auto tx = fx.store_->begin(covenant::engine::store::Scope::all());
  REQUIRE(tx);
  std::string runtime_text;
  (*tx)->sql() << "SELECT runtime FROM instances WHERE id = :id", soci::use(id),
      soci::into(runtime_text);
  json rt = json::parse(runtime_text);
  for (auto& f : rt["frames"]) f["context"]["bomb"] = nested(300);
  std::string bombed = rt.dump();
  (*tx)->sql() << "UPDATE instances SET runtime = :rt WHERE id = :id", soci::use(bombed),
      soci::use(id);
  REQUIRE((*tx)->commit());
  REQUIRE(fx.runtime_->signal(covenant::engine::store::Scope::all(), id, "go", json::object()));
  fx.drain();
  auto inst = fx.instance(id);
  CHECK(inst.status == "failed");
  CHECK(inst.failure_code == "ExpressionError");
  CHECK(inst.failure_cause.find("cannot be given to jq") != std::string::npos);
}
