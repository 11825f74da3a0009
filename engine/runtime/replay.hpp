// replay: re-decides a recorded history against a (new) workflow definition, the check to run
// before deploying a change. Every transition starts with an input the history records first
// (WorkflowStarted, ActivityCompleted/ActivityFailed, a compensation's retry, TimerFired,
// ValueCorrected…EventReceived, ApprovalDecided, WorkflowCancelled); replay rebuilds that
// input, runs decide() at the recorded time on an instance rebuilt the same way, and compares
// what it decides with what was recorded, event by event (type, frame, state and payload;
// WorkflowStarted's `version` is left out, since it is the definition's digest). The first
// difference is the divergence: the new definition would have written a different history
// for that instance from that event on. Pure: no store, no clock.
#pragma once

#include "engine/error.hpp"
#include "engine/history/event.hpp"
#include "engine/model/instance.hpp"
#include "workflows/compiler.hpp"
#include "workflows/jq_program.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace covenant::engine::runtime {

struct Divergence {
  std::int64_t seq = 0;  // the recorded event where the histories part (last seq + 1: past it)
  std::string recorded;  // "ActivityScheduled at bill (frame root)", or "(end of history)"
  std::string decided;   // what the new definition decides there, or "(nothing)"
  std::string reason;    // why they differ: a payload path, a refused input
};

struct ReplayResult {
  std::string instance_id;
  std::int64_t events = 0;  // recorded events replayed and matched
  int transitions = 0;      // inputs re-decided
  std::optional<Divergence> divergence;
  // Not compared, and why (a history that spans versions: the instance was migrated).
  std::string skipped;
};

// `recorded`: one instance's whole history, in seq order. `stored`, when given, is the
// instance as the store holds it now: once every event matches, what it waits for (each
// frame's state, status, awaited event, task, gate and data) must match what the new
// definition leaves it waiting for, or it diverges past the last event (a running instance
// parked at a wait whose event the new definition renamed has recorded nothing different
// yet, but would never move again). Never throws.
ReplayResult replay(const std::vector<history::Event>& recorded,
                    const workflows::CompiledWorkflow& wf, workflows::JqEvaluator& jq,
                    const model::Instance* stored = nullptr);

// The instance as it was just before the transition that failed it, rebuilt by replaying its
// own history on its own version: what a failed step runs again from (fix and retry).
// Errors: FailedPrecondition (it did not fail at a step, or its writes were compensated),
// Internal (the history does not replay on its own version).
Result<model::Instance> rebuild_before_failure(const std::vector<history::Event>& recorded,
                                               const workflows::CompiledWorkflow& wf,
                                               workflows::JqEvaluator& jq);

// Each activity an instance ran, with the input it was given, each attempt's result or error:
// re-decided from the history on its own version (the history keeps an input's digest, not
// the input; deciding again gives the same input). For the instance page and operators.
struct StepRun {
  std::string key;  // the idempotency key
  std::string frame, state, activity;
  bool compensation = false;
  nlohmann::json input;
  std::int64_t scheduled_us = 0;
  struct Attempt {
    int attempt = 1;
    std::int64_t at_us = 0;
    bool ok = false;
    nlohmann::json result;
    std::string error, message;
  };
  std::vector<Attempt> attempts;  // none yet: it is running
};
// Errors: FailedPrecondition (the history spans versions), Internal (it does not replay).
Result<std::vector<StepRun>> steps(const std::vector<history::Event>& recorded,
                                   const workflows::CompiledWorkflow& wf,
                                   workflows::JqEvaluator& jq);

}  // namespace covenant::engine::runtime
