// decide: the engine's pure transition function. Given an instance (as stored), one input,
// the transition's time and the compiled workflow, it changes the instance and returns what
// to write with it: history events to append, tasks and timers to enqueue or cancel. It does
// no I/O and reads no clock; `Runtime::transact` (runtime.hpp) runs it inside one transaction.
// Inputs that no longer apply (a late duplicate of a completed attempt, a timer for a state
// already left) change nothing and produce no events: at-least-once delivery is safe.
#pragma once

#include "engine/clock.hpp"
#include "engine/error.hpp"
#include "engine/history/event.hpp"
#include "engine/model/decision.hpp"
#include "engine/model/instance.hpp"
#include "workflows/compiler.hpp"
#include "workflows/jq_program.hpp"

#include <string>

namespace covenant::engine::runtime {

// The model's types, as the runtime's code names them.
using model::ActivityOutcome;
using model::ApprovalInput;
using model::CancelInput;
using model::Compensation;
using model::Decision;
using model::Frame;
using model::Gate;
using model::GateDecision;
using model::GateRule;
using model::Grant;
using model::Input;
using model::Instance;
using model::MigrateInput;
using model::RetryStepInput;
using model::SignalInput;
using model::StartInput;
using model::TaskIntent;
using model::TimerInput;
using model::TimerIntent;
namespace frame_status = model::frame_status;

// REQUIRES: `inst.digest` is `wf`'s digest. Errors: InvalidArgument (a signal nobody waits
// for, a bad input), FailedPrecondition (the instance has ended), PermissionDenied (an
// approver who may not decide), Conflict (a second decision by the same approver).
Result<Decision> decide(Instance& inst, const Input& in, TimePoint now,
                        const workflows::CompiledWorkflow& wf, workflows::JqEvaluator& jq);

}  // namespace covenant::engine::runtime
