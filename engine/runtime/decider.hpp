// Internal to decide(): the state of one transition while it is being decided. Split by
// state type over decide.cpp (dispatch, entering states, ending frames), decide_task.cpp,
// decide_wait.cpp, decide_approval.cpp and decide_parallel.cpp.
#pragma once

#include "engine/runtime/decide.hpp"

#include <map>
#include <optional>

namespace covenant::engine::runtime {

class Decider {
 public:
  Decider(Instance& inst, TimePoint now, const workflows::CompiledWorkflow& wf,
          workflows::JqEvaluator& jq);
  Result<Decision> run(const Input& in);

 private:
  using json = nlohmann::json;
  // decide.cpp
  const workflows::State* find(const std::string& name) const;
  void index(const workflows::Scope& scope);
  void index_financial(const nlohmann::json& scope);
  void emit(history::EventType type, const Frame& f, const std::string& state,
            json payload = json::object());
  json vars() const;
  Result<json> eval(const workflows::Expression& e, const Frame& f);
  Result<json> render(const json& value, const Frame& f);
  static void set_path(json& target, const std::string& path, json value);
  // jq's truth: everything but false and null.
  static bool truthy(const json& v) { return !v.is_null() && !(v.is_boolean() && !v.get<bool>()); }
  void start(const StartInput& in);
  void enter(Frame& f, const std::string& state);
  void follow(Frame& f, const workflows::Continuation& c);
  void finish_frame(Frame& f, json result);
  void fail_frame(Frame& f, const std::string& code, const std::string& cause);
  void fail_instance(const std::string& code, const std::string& cause);
  void drop_frame_work(const Frame& f);
  Result<void> cancel(const CancelInput& in);
  int occurrence(const Frame& f) const;
  std::string key(const Frame& f, const std::string& suffix = "") const;
  // decide_task.cpp
  void enter_task(Frame& f, const workflows::State& st, const workflows::TaskState& t);
  Result<void> on_activity(const ActivityOutcome& o);
  // Marks the grant of `activity` spent by the task `task_key` in `f` and its ancestors.
  void spend_grant(Frame& f, const std::string& activity, const std::string& task_key);
  Result<void> on_compensation(const ActivityOutcome& o);
  void next_compensation();
  // decide_wait.cpp
  void enter_wait(Frame& f, const workflows::State& st, const workflows::WaitState& w);
  void add_timer(Frame& f, const std::string& kind, std::int64_t fire_us);
  Result<void> on_timer(const TimerInput& t);
  Result<void> on_signal(const SignalInput& s);
  // decide_approval.cpp
  void enter_approval(Frame& f, const workflows::State& st, const workflows::ApprovalState& a);
  // The gate's subject computed from the frame's data now: the declared fields' values (or,
  // for a definition from before declared subjects, its one expression).
  Result<json> subject_of(const workflows::ApprovalState& a, const Frame& f);
  Result<void> on_approval(const ApprovalInput& in);
  // The gate open at `f` is granted (by people or a policy): ApprovalGranted with `extra`,
  // the grants for every authorized activity, and on to the gate's next state.
  void grant(Frame& f, const workflows::ApprovalState& a, std::vector<std::string> approvers,
             json extra);
  void on_approval_timeout(Frame& f, const workflows::ApprovalState& a);
  void on_approval_reminder(Frame& f);
  // Whether `who` started or changed the instance (separation of duties).
  bool involved(const std::string& who) const;
  // decide_parallel.cpp
  void enter_parallel(Frame& f, const workflows::State& st, const workflows::ParallelState& p);
  void enter_map(Frame& f, const workflows::State& st, const workflows::MapState& m);
  void fill_map(const std::string& parent_id, const workflows::MapState& m);
  void start_child(Frame& parent, int index, const std::string& start, json context);
  void child_finished(std::string child_id, json result);  // by value: the frame is erased
  void child_failed(std::string child_id, const std::string& code, const std::string& cause);
  // decide_operator.cpp: what operators do to an instance
  Result<void> migrate(const MigrateInput& m);
  Result<void> retry_step(const RetryStepInput& r);

  Instance& inst_;
  TimePoint now_;
  std::int64_t now_us_;
  const workflows::CompiledWorkflow& wf_;
  workflows::JqEvaluator& jq_;
  Decision d_;
  std::map<std::string, const workflows::State*> states_;
  std::map<std::string, bool> financial_;  // task states whose activity writes money
  std::optional<json> input_override_;     // the next task entered runs this input (retry_step)
};

}  // namespace covenant::engine::runtime
