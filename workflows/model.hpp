// The workflow language's syntax tree: what workflows::load produces from YAML.
// Every node that a diagnostic may point at keeps its SourceSpan. The tree is a plain
// value (copyable, no back-pointers); the validator reads it and the compiler freezes it.
// See docs/language.md for the meaning of every field.
#pragma once

#include "workflows/diagnostics.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace covenant::workflows {

// A jq expression written as "${ ... }" in YAML; `source` is the text between the braces.
struct Expression {
  std::string source;
  SourceSpan span;
};

// A jq path such as ".contract.terms" naming where a result is stored in the context.
struct Path {
  std::string source;
  SourceSpan span;
};

// A duration written as ISO 8601 ("PT48H", "P30D") or shorthand ("48h", "30d").
struct Duration {
  std::int64_t seconds = 0;
  std::string text;
  SourceSpan span;
};

// A reference to another state by name.
struct StateRef {
  std::string name;
  SourceSpan span;
};

// A literal-or-templated value (task input, event payload). Strings of the form "${ … }"
// inside it are expressions, listed in `expressions` with their spans.
struct Template {
  nlohmann::json value;
  std::vector<Expression> expressions;
  SourceSpan span;
  std::map<std::string, SourceSpan> key_spans;  // of a mapping's top-level keys
};

struct RetryPolicy {
  int max_attempts = 3;
  Duration initial_interval{1, "1s", {}};
  Duration max_interval{300, "5m", {}};
  double multiplier = 2.0;
  double jitter = 0.1;              // fraction of the interval, 0..1
  std::vector<std::string> errors;  // empty: every retryable error
  SourceSpan span;
};

struct CatchRule {
  std::vector<std::string> errors;  // "*" matches any error
  StateRef next;
  std::optional<Path> output;  // where the error object is stored
  SourceSpan span;
};

struct Compensation {
  std::string activity;
  SourceSpan activity_span;
  std::optional<Template> input;
  // How a refused or failed compensation is retried; without one, five attempts with
  // backoff on retryable errors. When it gives up the instance ends compensation_failed.
  std::optional<RetryPolicy> retry;
  SourceSpan span;
};

// How a state continues: to a named state, or (end: true) it ends its scope successfully.
struct Continuation {
  std::optional<StateRef> next;
  bool end = false;
};

struct TaskState {
  std::string activity;
  SourceSpan activity_span;
  std::optional<Template> input;
  std::optional<Expression> result;  // transforms the activity's result before storing
  std::optional<Path> output;        // where the (transformed) result is stored
  std::optional<RetryPolicy> retry;
  std::optional<Duration> timeout;
  std::vector<CatchRule> catches;
  std::optional<Compensation> compensate;
  Continuation then;
};

struct ChoiceRule {
  Expression when;
  StateRef next;
  SourceSpan span;
};

struct ChoiceState {
  std::vector<ChoiceRule> choices;
  std::optional<StateRef> default_next;
};

// What a value in a gate's subject must be (docs/approvals.md, "Subjects").
enum class SubjectType { Money, Date, String, Id, Integer, Boolean, List, Object };

// One declared field of a gate's subject: its value is computed by `from` from the instance's
// data; a required field must be present (not null), and any present value must be of `type`.
struct SubjectField {
  std::string name;
  SourceSpan span;  // the field's name
  Expression from;
  SubjectType type = SubjectType::String;
  bool required = true;
};

// Who may decide: people holding `role`, or, for a `policy` rule, nobody: the gate is
// granted automatically when `when` holds on the subject (recorded as decided by policy).
struct ApproverRule {
  std::string role;
  std::string policy;  // the policy's name, for a policy rule (then `role` is empty)
  std::optional<Expression> when;
  int count = 1;  // how many distinct people of this role may count toward the quorum
  SourceSpan span;
};

struct ApprovalTimeout {
  std::optional<std::string> escalate_to_role;  // escalate: the gate stays open, role added
  std::optional<Duration> escalation_timeout;   // how long the escalated gate stays open
  std::optional<StateRef> next;                 // or leave the gate through this state
  SourceSpan span;
};

// How a figure of a gate's summary is shown (docs/approvals.md, "Summaries").
enum class FigureType { Money, Date, Duration, Percent, Party, Link, Text, Number };

// One figure of a gate's summary: a labelled value computed from the subject. With `against`
// it is a comparison: the two values are shown side by side and a difference is flagged.
// `value`, `detail` and `against` are templates: a constant, or an expression on the subject.
struct SummaryFigure {
  std::string label;
  FigureType type = FigureType::Text;
  Template value;
  std::optional<Template> detail;   // a second line (a party's account id)
  std::optional<Template> against;  // what the value should equal (quote, list, standard)
  std::string against_label;        // what `against` is ("CPQ quote", "company standard")
  SourceSpan span;
};

// What an approver reads first: a title, key figures, comparisons and, for each financial
// activity the gate authorizes, the amount it writes. Computed from the subject only, so it
// shows nothing the digest does not cover.
struct GateSummary {
  Template title;
  std::vector<SummaryFigure> figures;
  std::vector<SummaryFigure> comparisons;
  std::vector<std::pair<std::string, Template>> writes;  // activity -> amount (money)
  SourceSpan span;
};

// Where an approver's request for changes goes: back to the state that prepares the data
// (a review, a person's task), with the request ({approval_id, by, comment, at}) at `output`.
struct ChangesRoute {
  StateRef next;
  std::optional<Path> output;
  SourceSpan span;
};

struct ApprovalState {
  std::vector<std::string> authorizes;
  std::vector<SourceSpan> authorizes_spans;
  // The subject, declared field by field (`subject_fields`), or, in definitions written
  // before declared subjects, one expression (`subject`; deploying one is refused, but a
  // stored version still runs).
  std::optional<Expression> subject;
  std::vector<SubjectField> subject_fields;
  SourceSpan subject_span;
  std::optional<StateRef> on_invalid;  // where a subject that does not conform goes
  std::optional<GateSummary> summary;  // what approvers read first
  std::vector<ApproverRule> approvers;
  int quorum = 1;
  SourceSpan quorum_span;
  bool separation_of_duties = true;
  std::optional<Duration> timeout;
  std::optional<Duration> remind_before;  // a reminder this long before the deadline
  std::optional<ApprovalTimeout> on_timeout;
  std::optional<StateRef> on_reject;
  std::optional<ChangesRoute> on_changes_requested;  // without it, nobody may request changes
  Continuation then;
};

enum class WaitKind { Duration, Until, Event };

struct WaitState {
  WaitKind kind = WaitKind::Duration;
  std::optional<Duration> duration;
  std::optional<Expression> until;
  std::string event;
  std::optional<Path> output;       // where an event's payload is stored
  std::optional<Duration> timeout;  // only for events
  std::optional<StateRef> on_timeout;
  Continuation then;
};

struct State;

// A list of states with its own start: the workflow itself, a parallel branch, a map
// iterator. States keep the order in which they were written.
struct Scope {
  std::optional<StateRef> start;
  std::vector<State> states;
  SourceSpan span;
  bool states_read = true;  // false when `states` was missing or not a mapping (reported)
};

struct Branch {
  std::string name;
  Scope scope;
  SourceSpan span;
};

struct ParallelState {
  std::vector<Branch> branches;
  std::optional<Path> output;
  Continuation then;
};

struct MapState {
  Expression items;
  int max_concurrency = 0;  // 0: no limit
  Scope iterator;
  std::optional<Path> output;
  Continuation then;
};

struct SucceedState {
  std::optional<Expression> output;
};

struct FailState {
  std::string error;
  std::string cause;
};

// The handoffs of contract-to-cash, in order: the signed contract received, its terms
// extracted, the finance approval granted, the service provisioned, the first invoice (or
// subscription) created. A state names one with `milestone:`; the engine records the first
// time each is reached (engine/runtime/side_records), and the handoff view measures between
// them.
inline constexpr std::array<std::string_view, 5> kMilestones = {"signed", "extracted", "approved",
                                                                "provisioned", "invoiced"};
inline bool is_milestone(std::string_view m) {
  for (auto k : kMilestones)
    if (k == m) return true;
  return false;
}

enum class StateType { Task, Choice, Approval, Wait, Parallel, Map, Succeed, Fail };

const char* to_string(StateType t);
std::optional<StateType> state_type_from_string(std::string_view s);

struct State {
  std::string name;
  SourceSpan span;  // the state's name in the `states:` mapping
  StateType type = StateType::Succeed;
  // True when the state could not be read (e.g. an unknown type): the validator then treats
  // it as a dead end without complaining again about what it cannot know.
  bool opaque = false;
  // True when a transition field was missing or wrong (already reported): reachability in
  // its scope is then unknown, so the validator does not guess which states are unreachable.
  bool incomplete = false;
  std::string description;
  // The handoff milestone this state's completion marks (a task completes, a wait receives
  // its event, an approval is granted), "" for none: see kMilestones.
  std::string milestone;
  std::variant<TaskState, ChoiceState, ApprovalState, WaitState, ParallelState, MapState,
               SucceedState, FailState>
      body;
};

struct Definition {
  std::string api_version;
  std::string name;
  std::string owner;
  std::string description;
  std::map<std::string, std::string> labels;
  std::optional<Duration> timeout;  // the whole instance
  Scope root;
  SourceSpan span;
};

}  // namespace covenant::workflows
