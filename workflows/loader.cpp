#include "workflows/loader.hpp"

#include "workflows/expressions.hpp"
#include "workflows/subject.hpp"
#include "workflows/summary.hpp"
#include "workflows/yaml_bounds.hpp"
#include "workflows/yaml_reader.hpp"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace covenant::workflows {
namespace {

constexpr std::string_view kApiVersion = "covenant/v1";

using Known = std::vector<std::string_view>;

const Known kTaskFields = {"type",   "description", "activity", "input", "result",
                           "output", "retry",       "timeout",  "catch", "compensate",
                           "next",   "end",         "milestone"};
const Known kChoiceFields = {"type", "description", "choices", "default"};
const Known kApprovalFields = {"type",
                               "description",
                               "authorizes",
                               "subject",
                               "approvers",
                               "quorum",
                               "separation_of_duties",
                               "timeout",
                               "remind_before",
                               "on_timeout",
                               "on_reject",
                               "on_changes_requested",
                               "on_invalid",
                               "summary",
                               "next",
                               "end",
                               "milestone"};
const Known kWaitFields = {"type",    "description", "duration", "until", "event",    "output",
                           "timeout", "on_timeout",  "next",     "end",   "milestone"};
const Known kParallelFields = {"type", "description", "branches", "output", "next", "end"};
const Known kMapFields = {"type",     "description", "items", "max_concurrency",
                          "iterator", "output",      "next",  "end"};
const Known kSucceedFields = {"type", "description", "output"};
const Known kFailFields = {"type", "description", "error", "cause"};
const Known kStateTypes = {"task",     "choice", "approval", "wait",
                           "parallel", "map",    "succeed",  "fail"};

// For an unknown field: which state types do accept it.
std::string field_hint(std::string_view key) {
  std::string types;
  auto add = [&](const Known& fields, const char* type) {
    if (std::find(fields.begin(), fields.end(), key) == fields.end()) return;
    types += types.empty() ? "" : ", ";
    types += type;
  };
  add(kTaskFields, "task");
  add(kChoiceFields, "choice");
  add(kApprovalFields, "approval");
  add(kWaitFields, "wait");
  add(kParallelFields, "parallel");
  add(kMapFields, "map");
  add(kSucceedFields, "succeed");
  add(kFailFields, "fail");
  if (types.empty()) return {};
  return "'" + std::string(key) + "' belongs to " + types + " states";
}

const std::regex& name_pattern() {
  static const std::regex re(R"(^[A-Za-z][A-Za-z0-9_]*$)");
  return re;
}

bool line_mentions_expression(const std::string& text, int line) {
  std::istringstream in(text);
  std::string l;
  for (int i = 0; std::getline(in, l); ++i)
    if (i == line) return l.find("${") != std::string::npos;
  return false;
}

class Loader {
 public:
  explicit Loader(const std::string& file) : r_(file) {}

  LoadResult run(const std::string& text);

 private:
  void read_metadata(const YAML::Node& n, Definition& def);
  void read_scope(const Fields& f, Scope& scope);
  void read_state(const YAML::Node& key, const YAML::Node& body, State& st);
  void read_continuation(const Fields& f, Continuation& c);
  void read_milestone(const YAML::Node& n, const std::string& what, State& st);
  State* current_ = nullptr;  // the state being read, to mark it incomplete
  TaskState read_task(const Fields& f);
  ChoiceState read_choice(const Fields& f);
  ApprovalState read_approval(const Fields& f);
  WaitState read_wait(const Fields& f);
  ParallelState read_parallel(const Fields& f);
  MapState read_map(const Fields& f);
  std::optional<RetryPolicy> read_retry(const YAML::Node& n, const std::string& owner);
  std::vector<SubjectField> read_subject(const YAML::Node& n, const std::string& owner);
  std::optional<GateSummary> read_summary(const YAML::Node& n, const std::string& owner);
  std::optional<SummaryFigure> read_figure(const YAML::Node& n, const std::string& owner,
                                           bool comparison);
  std::vector<CatchRule> read_catch(const YAML::Node& n, const std::string& owner);
  std::optional<ChangesRoute> read_changes_route(const YAML::Node& n, const std::string& owner);
  std::optional<Compensation> read_compensation(const YAML::Node& n, const std::string& owner);
  std::optional<ApprovalTimeout> read_approval_timeout(const YAML::Node& n,
                                                       const std::string& owner);

  template <class T, class Read>
  void opt(const Fields& f, std::string_view key, std::optional<T>& out, Read read) {
    if (auto n = f.get(key)) out = (r_.*read)(*n, f.what(key));
  }

  YamlReader r_;
};

// The first control character YAML does not allow (C0 but tab, line feed and carriage
// return; DEL), or npos. A NUL among the first bytes makes yaml-cpp read the text as UTF-16 or
// UTF-32, and what it then reports is no longer the text's.
std::size_t control_character_at(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return i;
  }
  return std::string_view::npos;
}

// "F0" for the byte 0xF0.
std::string hex_byte(char byte) {
  static const char* hex = "0123456789ABCDEF";
  auto c = static_cast<unsigned char>(byte);
  return {hex[c >> 4], hex[c & 15]};
}

// yaml-cpp's messages may quote a byte of the text: keep them valid UTF-8 for JSON and logs.
std::string printable(const std::string& message) {
  if (valid_utf8(message)) return message;
  std::string out;
  for (std::size_t i = 0; i < message.size();) {
    auto bad = invalid_utf8_at(std::string_view(message).substr(i));
    if (bad == std::string_view::npos) bad = message.size() - i;
    out.append(message, i, bad);
    i += bad;
    if (i < message.size()) out += "\\x" + hex_byte(message[i++]);
  }
  return out;
}

LoadResult Loader::run(const std::string& text) {
  // YAML is Unicode; everything downstream (jq, JSON, hashes) relies on valid UTF-8.
  auto refuse_at = [&](std::size_t at, std::string message) {
    int line = 1, col = 1;
    for (std::size_t i = 0; i < at; ++i) {
      if (text[i] == '\n')
        ++line, col = 1;
      else
        ++col;
    }
    r_.error({r_.file(), line, col}, codes::kBadEncoding, std::move(message));
    return LoadResult{std::nullopt, std::move(r_.diagnostics())};
  };
  if (auto bad = invalid_utf8_at(text); bad != std::string::npos)
    return refuse_at(bad, "the file is not valid UTF-8 here");
  if (auto bad = control_character_at(text); bad != std::string::npos)
    return refuse_at(
        bad, "a control character (U+00" + hex_byte(text[bad]) + ") is not allowed in YAML");
  // A text that may hold aliases is measured from its parse events before it is loaded (an
  // alias bomb is small until expanded); one that cannot is loaded once and its tree walked.
  bool aliases = may_hold_aliases(text);
  auto too_large = [&](const YamlBoundsRefusal& crossed) {
    r_.error({r_.file(), crossed.line, crossed.column}, codes::kTooLarge,
             "the definition is too large: " + crossed.message);
    return LoadResult{std::nullopt, std::move(r_.diagnostics())};
  };
  if (aliases)
    if (auto crossed = check_yaml_bounds(text)) return too_large(*crossed);
  YAML::Node root;
  try {
    root = YAML::Load(text);
    if (!aliases)
      if (auto crossed = check_yaml_bounds(root)) return too_large(*crossed);
  } catch (const YAML::Exception& e) {
    // yaml-cpp gives up on deep nesting with a message of its own ("bad file"): a bound
    // that explains the failure is the better answer.
    if (!aliases)
      if (auto crossed = check_yaml_bounds(text)) return too_large(*crossed);
    std::string msg = "YAML syntax error: " + printable(e.msg);
    if (line_mentions_expression(text, e.mark.line))
      msg +=
          " (an expression containing ': ', '#' or starting with '{' or '[' must be quoted: "
          "\"${ … }\")";
    r_.error(r_.span(e.mark), codes::kYamlSyntax, std::move(msg));
    return {std::nullopt, std::move(r_.diagnostics())};
  }
  if (!root.IsMap()) {
    r_.error({r_.file(), 1, 1}, codes::kWrongType,
             "a workflow definition must be a YAML mapping (apiVersion, kind, metadata, start, "
             "states)");
    return {std::nullopt, std::move(r_.diagnostics())};
  }
  Definition def;
  def.span = r_.span(root);
  Fields f(r_, root, "workflow",
           {"apiVersion", "kind", "metadata", "start", "states", "timeout", "description"});
  if (auto n = f.require("apiVersion")) {
    if (auto v = r_.string(*n, f.what("apiVersion"))) {
      def.api_version = *v;
      if (*v != kApiVersion)
        r_.error(r_.span(*n), codes::kBadValue,
                 "workflow: unsupported apiVersion '" + *v + "' (expected '" +
                     std::string(kApiVersion) + "')");
    }
  }
  if (auto n = f.require("kind")) {
    if (auto v = r_.string(*n, f.what("kind")); v && *v != "Workflow")
      r_.error(r_.span(*n), codes::kBadValue,
               "workflow: kind must be 'Workflow', not '" + *v + "'");
  }
  if (auto n = f.require("metadata")) read_metadata(*n, def);
  if (auto n = f.get("description"))
    def.description = r_.string(*n, f.what("description")).value_or("");
  opt(f, "timeout", def.timeout, &YamlReader::duration);
  read_scope(f, def.root);
  r_.check_expressions();
  return {std::move(def), std::move(r_.diagnostics())};
}

void Loader::read_metadata(const YAML::Node& n, Definition& def) {
  if (!r_.expect_map(n, "workflow: field 'metadata'")) return;
  Fields f(r_, n, "metadata", {"name", "owner", "description", "labels"});
  if (auto v = f.require("name")) {
    if (auto s = r_.string(*v, f.what("name"))) {
      def.name = *s;
      static const std::regex re(R"(^[a-z][a-z0-9-]*$)");
      if (!std::regex_match(*s, re))
        r_.error(r_.span(*v), codes::kBadName,
                 "metadata: name '" + *s + "' must be lower-case letters, digits and '-'");
    }
  }
  if (auto v = f.get("owner")) def.owner = r_.string(*v, f.what("owner")).value_or("");
  if (auto v = f.get("description"))
    def.description = r_.string(*v, f.what("description")).value_or("");
  if (auto v = f.get("labels"); v && r_.expect_map(*v, f.what("labels"))) {
    for (const auto& kv : *v) {
      auto key = r_.string(kv.first, "metadata: label name");
      auto val = r_.string(kv.second, "metadata: label value");
      if (key && val) def.labels[*key] = *val;
    }
  }
}

void Loader::read_scope(const Fields& f, Scope& scope) {
  scope.span = f.span();
  if (auto n = f.require("start")) scope.start = r_.state_ref(*n, f.what("start"));
  auto states = f.require("states");
  if (!states || !r_.expect_map(*states, f.what("states"))) {
    scope.states_read = false;
    return;
  }
  if (states->size() == 0)
    r_.error(r_.span(*states), codes::kMissingField, f.owner() + ": no states");
  std::set<std::string> names;
  for (const auto& kv : *states) {
    State st;
    read_state(kv.first, kv.second, st);
    if (st.name.empty()) continue;
    if (!names.insert(st.name).second) {
      r_.error(st.span, codes::kDuplicateState, "state '" + st.name + "' is defined twice");
      continue;
    }
    scope.states.push_back(std::move(st));
  }
}

void Loader::read_state(const YAML::Node& key, const YAML::Node& body, State& st) {
  auto name = r_.string(key, "a state name");
  if (!name) return;
  st.name = *name;
  st.span = r_.span(key);
  std::string owner = "state '" + st.name + "'";
  if (!std::regex_match(st.name, name_pattern()))
    r_.error(st.span, codes::kBadName,
             owner +
                 ": a state name must start with a letter and hold only letters, digits "
                 "and '_'");
  st.opaque = true;
  if (!r_.expect_map(body, owner)) return;
  auto type_node = body["type"];
  if (!type_node) {
    r_.error(st.span, codes::kMissingField, owner + ": missing field 'type'");
    return;
  }
  auto type_name = r_.string(type_node, owner + ": field 'type'");
  if (!type_name) return;
  auto type = state_type_from_string(*type_name);
  if (!type) {
    std::string msg = owner + ": unknown state type '" + *type_name + "'";
    if (auto m = closest_match(*type_name, kStateTypes); !m.empty())
      msg += " (did you mean '" + m + "'?)";
    else
      msg += " (expected task, choice, approval, wait, parallel, map, succeed or fail)";
    r_.error(r_.span(type_node), codes::kBadValue, std::move(msg));
    return;
  }
  st.type = *type;
  st.opaque = false;
  static const std::map<StateType, const Known*> fields = {
      {StateType::Task, &kTaskFields},         {StateType::Choice, &kChoiceFields},
      {StateType::Approval, &kApprovalFields}, {StateType::Wait, &kWaitFields},
      {StateType::Parallel, &kParallelFields}, {StateType::Map, &kMapFields},
      {StateType::Succeed, &kSucceedFields},   {StateType::Fail, &kFailFields}};
  Fields f(r_, body, owner, *fields.at(st.type), field_hint, st.span);
  current_ = &st;
  if (auto d = f.get("description"))
    st.description = r_.string(*d, f.what("description")).value_or("");
  if (auto m = f.get("milestone")) read_milestone(*m, f.what("milestone"), st);
  switch (st.type) {
    case StateType::Task:
      st.body = read_task(f);
      break;
    case StateType::Choice:
      st.body = read_choice(f);
      break;
    case StateType::Approval:
      st.body = read_approval(f);
      break;
    case StateType::Wait:
      st.body = read_wait(f);
      break;
    case StateType::Parallel:
      st.body = read_parallel(f);
      break;
    case StateType::Map:
      st.body = read_map(f);
      break;
    case StateType::Succeed: {
      SucceedState s;
      opt(f, "output", s.output, &YamlReader::expression);
      st.body = std::move(s);
      break;
    }
    case StateType::Fail: {
      FailState s;
      if (auto n = f.require("error")) s.error = r_.string(*n, f.what("error")).value_or("");
      if (auto n = f.get("cause")) s.cause = r_.string(*n, f.what("cause")).value_or("");
      st.body = std::move(s);
      break;
    }
  }
}

void Loader::read_milestone(const YAML::Node& n, const std::string& what, State& st) {
  auto v = r_.string(n, what);
  if (!v) return;
  if (!is_milestone(*v)) {
    std::string known;
    for (auto m : kMilestones) known += (known.empty() ? "" : ", ") + std::string(m);
    r_.error(r_.span(n), codes::kBadValue,
             what + ": '" + *v + "' is not a handoff milestone (one of " + known + ")");
    return;
  }
  st.milestone = *v;
}

void Loader::read_continuation(const Fields& f, Continuation& c) {
  auto next = f.get("next");
  auto end = f.get("end");
  if (next) c.next = r_.state_ref(*next, f.what("next"));
  if (end) {
    auto v = r_.boolean(*end, f.what("end"));
    if (v && !*v)
      r_.error(r_.span(*end), codes::kBadValue, f.owner() + ": 'end' may only be true; use 'next'");
    c.end = v.value_or(false);
  }
  if (next && end)
    r_.error(f.key_span("end"), codes::kConflictingFields,
             f.owner() + ": give either 'next' or 'end: true', not both");
  if (!next && !end && !f.suggested("next") && !f.suggested("end"))
    r_.error(f.span(), codes::kMissingField, f.owner() + ": missing field 'next' (or 'end: true')");
  if (!c.next && !c.end) {
    // Already reported: later checks treat the state as an end rather than a dead end.
    c.end = true;
    if (current_) current_->incomplete = true;
  }
}

TaskState Loader::read_task(const Fields& f) {
  TaskState t;
  if (auto n = f.require("activity")) {
    t.activity = r_.string(*n, f.what("activity")).value_or("");
    t.activity_span = r_.span(*n);
  }
  opt(f, "input", t.input, &YamlReader::templ);
  opt(f, "result", t.result, &YamlReader::expression);
  opt(f, "output", t.output, &YamlReader::path);
  opt(f, "timeout", t.timeout, &YamlReader::duration);
  if (auto n = f.get("retry")) t.retry = read_retry(*n, f.owner());
  if (auto n = f.get("catch")) t.catches = read_catch(*n, f.owner());
  if (auto n = f.get("compensate")) t.compensate = read_compensation(*n, f.owner());
  read_continuation(f, t.then);
  return t;
}

std::optional<RetryPolicy> Loader::read_retry(const YAML::Node& n, const std::string& owner) {
  std::string o = owner + ": retry";
  if (!r_.expect_map(n, o)) return std::nullopt;
  Fields f(r_, n, o,
           {"max_attempts", "initial_interval", "max_interval", "multiplier", "jitter", "errors"});
  RetryPolicy p;
  p.span = r_.span(n);
  if (auto v = f.get("max_attempts"))
    p.max_attempts = static_cast<int>(r_.integer(*v, f.what("max_attempts"), 1, 100).value_or(1));
  if (auto v = f.get("initial_interval"))
    if (auto d = r_.duration(*v, f.what("initial_interval"))) p.initial_interval = *d;
  if (auto v = f.get("max_interval"))
    if (auto d = r_.duration(*v, f.what("max_interval"))) p.max_interval = *d;
  if (auto v = f.get("multiplier"))
    p.multiplier = r_.number(*v, f.what("multiplier"), 1, 10).value_or(2);
  if (auto v = f.get("jitter")) p.jitter = r_.number(*v, f.what("jitter"), 0, 1).value_or(0);
  if (auto v = f.get("errors"))
    p.errors = r_.string_list(*v, f.what("errors")).value_or(std::vector<std::string>{});
  if (p.max_interval.seconds < p.initial_interval.seconds)
    r_.error(f.key_span("max_interval"), codes::kBadValue,
             o + ": max_interval (" + p.max_interval.text + ") is shorter than initial_interval (" +
                 p.initial_interval.text + ")");
  return p;
}

std::vector<CatchRule> Loader::read_catch(const YAML::Node& n, const std::string& owner) {
  std::vector<CatchRule> out;
  std::string o = owner + ": catch";
  if (!r_.expect_list(n, o)) return out;
  for (const auto& item : n) {
    if (!r_.expect_map(item, o + " rule")) continue;
    Fields f(r_, item, o + " rule", {"errors", "next", "output"});
    CatchRule c;
    c.span = r_.span(item);
    if (auto v = f.require("errors")) {
      c.errors = r_.string_list(*v, f.what("errors")).value_or(std::vector<std::string>{});
      if (v->IsSequence() && v->size() == 0)
        r_.error(r_.span(*v), codes::kBadValue,
                 o + " rule: 'errors' is empty (use [\"*\"] for any)");
    }
    if (auto v = f.require("next")) {
      if (auto ref = r_.state_ref(*v, f.what("next"))) c.next = *ref;
    }
    opt(f, "output", c.output, &YamlReader::path);
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<Compensation> Loader::read_compensation(const YAML::Node& n,
                                                      const std::string& owner) {
  std::string o = owner + ": compensate";
  if (!r_.expect_map(n, o)) return std::nullopt;
  Fields f(r_, n, o, {"activity", "input", "retry"});
  Compensation c;
  c.span = r_.span(n);
  if (auto v = f.require("activity")) {
    c.activity = r_.string(*v, f.what("activity")).value_or("");
    c.activity_span = r_.span(*v);
  }
  opt(f, "input", c.input, &YamlReader::templ);
  if (auto r = f.get("retry")) c.retry = read_retry(*r, o);
  return c;
}

ChoiceState Loader::read_choice(const Fields& f) {
  ChoiceState c;
  if (auto n = f.require("choices"); n && r_.expect_list(*n, f.what("choices"))) {
    if (n->size() == 0) r_.error(r_.span(*n), codes::kBadValue, f.owner() + ": 'choices' is empty");
    for (const auto& item : *n) {
      if (!r_.expect_map(item, f.owner() + ": choice")) continue;
      Fields cf(r_, item, f.owner() + ": choice", {"when", "next"});
      ChoiceRule rule;
      rule.span = r_.span(item);
      auto when = cf.require("when");
      auto next = cf.require("next");
      std::optional<Expression> e;
      std::optional<StateRef> ref;
      if (when) e = r_.expression(*when, cf.what("when"));
      if (next) ref = r_.state_ref(*next, cf.what("next"));
      if (!e || !ref) continue;
      rule.when = *e;
      rule.next = *ref;
      c.choices.push_back(std::move(rule));
    }
  }
  if (auto n = f.get("default")) c.default_next = r_.state_ref(*n, f.what("default"));
  return c;
}

std::optional<ApprovalTimeout> Loader::read_approval_timeout(const YAML::Node& n,
                                                             const std::string& owner) {
  std::string o = owner + ": on_timeout";
  if (!r_.expect_map(n, o)) return std::nullopt;
  Fields f(r_, n, o, {"escalate_to", "next"});
  ApprovalTimeout t;
  t.span = r_.span(n);
  auto esc = f.get("escalate_to");
  auto next = f.get("next");
  if (esc && next)
    r_.error(f.key_span("next"), codes::kConflictingFields,
             o + ": give either 'escalate_to' or 'next', not both");
  if (!esc && !next) r_.error(t.span, codes::kMissingField, o + ": needs 'escalate_to' or 'next'");
  if (next) t.next = r_.state_ref(*next, f.what("next"));
  if (esc && r_.expect_map(*esc, f.what("escalate_to"))) {
    Fields ef(r_, *esc, o + ": escalate_to", {"role", "timeout"});
    if (auto role = ef.require("role")) t.escalate_to_role = r_.string(*role, ef.what("role"));
    opt(ef, "timeout", t.escalation_timeout, &YamlReader::duration);
  }
  return t;
}

ApprovalState Loader::read_approval(const Fields& f) {
  ApprovalState a;
  if (auto n = f.require("authorizes")) {
    a.authorizes = r_.string_list(*n, f.what("authorizes"), &a.authorizes_spans)
                       .value_or(std::vector<std::string>{});
    if (n->IsSequence() && n->size() == 0)
      r_.error(r_.span(*n), codes::kBadValue,
               f.owner() + ": 'authorizes' is empty; list the financial activities it allows");
  }
  if (auto n = f.require("subject")) {
    a.subject_span = r_.span(*n);
    if (n->IsMap())
      a.subject_fields = read_subject(*n, f.owner());
    else
      a.subject = r_.expression(*n, f.what("subject"));
  }
  if (auto n = f.require("approvers"); n && r_.expect_list(*n, f.what("approvers"))) {
    if (n->size() == 0)
      r_.error(r_.span(*n), codes::kBadValue, f.owner() + ": 'approvers' is empty");
    for (const auto& item : *n) {
      if (!r_.expect_map(item, f.owner() + ": approver")) continue;
      Fields af(r_, item, f.owner() + ": approver", {"role", "policy", "when", "count"});
      ApproverRule rule;
      rule.span = r_.span(item);
      if (af.has("policy")) {
        rule.policy = r_.string(*af.get("policy"), af.what("policy")).value_or("");
        if (af.has("role"))
          r_.error(af.key_span("role"), codes::kConflictingFields,
                   f.owner() + ": an approver rule names a 'role' or a 'policy', not both");
        if (!af.has("when"))
          r_.error(rule.span, codes::kMissingField,
                   f.owner() + ": policy '" + rule.policy +
                       "' needs a 'when': the condition on the subject under which it grants");
      } else if (auto role = af.require("role")) {
        rule.role = r_.string(*role, af.what("role")).value_or("");
      }
      opt(af, "when", rule.when, &YamlReader::expression);
      if (auto c = af.get("count"))
        rule.count = static_cast<int>(r_.integer(*c, af.what("count"), 1, 1000).value_or(1));
      a.approvers.push_back(std::move(rule));
    }
  }
  if (auto n = f.get("quorum")) {
    a.quorum = static_cast<int>(r_.integer(*n, f.what("quorum"), 1, 1000).value_or(1));
    a.quorum_span = r_.span(*n);
  } else {
    a.quorum_span = f.span();
  }
  if (auto n = f.get("separation_of_duties"))
    a.separation_of_duties = r_.boolean(*n, f.what("separation_of_duties")).value_or(true);
  opt(f, "timeout", a.timeout, &YamlReader::duration);
  opt(f, "remind_before", a.remind_before, &YamlReader::duration);
  if (a.remind_before && !f.has("timeout"))
    r_.error(f.key_span("remind_before"), codes::kMissingField,
             f.owner() + ": 'remind_before' needs a 'timeout' (the deadline it counts back from)");
  else if (a.remind_before && a.timeout && a.remind_before->seconds >= a.timeout->seconds)
    r_.error(f.key_span("remind_before"), codes::kBadValue,
             f.owner() + ": 'remind_before' must be shorter than 'timeout'");
  if (auto n = f.get("on_timeout")) {
    a.on_timeout = read_approval_timeout(*n, f.owner());
    if (!f.has("timeout"))
      r_.error(f.key_span("on_timeout"), codes::kMissingField,
               f.owner() + ": 'on_timeout' needs a 'timeout'");
  }
  if (auto n = f.get("on_reject")) a.on_reject = r_.state_ref(*n, f.what("on_reject"));
  if (auto n = f.get("on_changes_requested"))
    a.on_changes_requested = read_changes_route(*n, f.owner());
  if (auto n = f.get("on_invalid")) a.on_invalid = r_.state_ref(*n, f.what("on_invalid"));
  if (auto n = f.get("summary")) a.summary = read_summary(*n, f.owner());
  read_continuation(f, a.then);
  return a;
}

std::optional<ChangesRoute> Loader::read_changes_route(const YAML::Node& n,
                                                       const std::string& owner) {
  std::string o = owner + ": on_changes_requested";
  ChangesRoute c;
  c.span = r_.span(n);
  if (n.IsScalar()) {  // the state's name alone
    auto ref = r_.state_ref(n, o);
    if (!ref) return std::nullopt;
    c.next = *ref;
    return c;
  }
  if (!r_.expect_map(n, o)) return std::nullopt;
  Fields f(r_, n, o, {"next", "output"});
  auto v = f.require("next");
  if (!v) return std::nullopt;
  auto ref = r_.state_ref(*v, f.what("next"));
  if (!ref) return std::nullopt;
  c.next = *ref;
  opt(f, "output", c.output, &YamlReader::path);
  return c;
}

std::optional<GateSummary> Loader::read_summary(const YAML::Node& n, const std::string& owner) {
  std::string o = owner + ": summary";
  if (!r_.expect_map(n, o)) return std::nullopt;
  GateSummary s;
  s.span = r_.span(n);
  Fields sf(r_, n, o, {"title", "figures", "compare", "writes"});
  if (auto t = sf.require("title"))
    if (auto v = r_.templ(*t, sf.what("title"))) s.title = std::move(*v);
  std::set<std::string> labels;
  auto add = [&](const YAML::Node& list, const char* key, bool comparison,
                 std::vector<SummaryFigure>& into) {
    if (!r_.expect_list(list, sf.what(key))) return;
    for (const auto& item : list) {
      auto fig = read_figure(item, o, comparison);
      if (!fig) continue;
      if (!labels.insert(fig->label).second)
        r_.error(fig->span, codes::kDuplicateKey,
                 o + ": the label '" + fig->label + "' is given twice; each line says one thing");
      into.push_back(std::move(*fig));
    }
  };
  if (auto list = sf.get("figures")) add(*list, "figures", false, s.figures);
  if (auto list = sf.get("compare")) add(*list, "compare", true, s.comparisons);
  if (auto w = sf.get("writes"); w && r_.expect_map(*w, sf.what("writes"))) {
    for (const auto& kv : *w) {
      std::string activity = kv.first.Scalar();
      if (auto amount = r_.templ(kv.second, o + ": writes '" + activity + "'"))
        s.writes.emplace_back(activity, std::move(*amount));
    }
  }
  if (s.figures.empty() && s.comparisons.empty())
    r_.error(s.span, codes::kBadValue,
             o + " has no figure: list what the approver must see first under 'figures'");
  return s;
}

std::optional<SummaryFigure> Loader::read_figure(const YAML::Node& n, const std::string& owner,
                                                 bool comparison) {
  std::string o = owner + (comparison ? ": comparison" : ": figure");
  if (!r_.expect_map(n, o)) return std::nullopt;
  SummaryFigure fig;
  fig.span = r_.span(n);
  std::vector<std::string_view> known = {"label", "type", "value", "detail"};
  if (comparison) known = {"label", "type", "value", "against", "against_label"};
  Fields ff(r_, n, o, known);
  if (auto l = ff.require("label")) fig.label = r_.string(*l, ff.what("label")).value_or("");
  if (!fig.label.empty()) o += " '" + fig.label + "'";
  if (auto t = ff.require("type")) {
    std::string text = r_.string(*t, ff.what("type")).value_or("");
    if (auto type = figure_type_from_string(text))
      fig.type = *type;
    else if (t->IsScalar())
      r_.error(r_.span(*t), codes::kBadValue,
               o + ": unknown type '" + text + "' (one of " + figure_type_names() + ")");
  }
  if (auto v = ff.require("value"))
    if (auto t = r_.templ(*v, o + ": field 'value'")) fig.value = std::move(*t);
  if (auto d = ff.get("detail")) fig.detail = r_.templ(*d, o + ": field 'detail'");
  if (comparison) {
    if (auto a = ff.require("against")) fig.against = r_.templ(*a, o + ": field 'against'");
    if (auto al = ff.require("against_label"))
      fig.against_label = r_.string(*al, ff.what("against_label")).value_or("");
  }
  return fig;
}

std::vector<SubjectField> Loader::read_subject(const YAML::Node& n, const std::string& owner) {
  std::vector<SubjectField> out;
  for (const auto& kv : n) {
    SubjectField field;
    field.name = kv.first.Scalar();
    field.span = r_.span(kv.first);
    std::string o = owner + ": subject field '" + field.name + "'";
    static const std::regex name_re(R"(^[A-Za-z_][A-Za-z0-9_]*$)");
    if (!std::regex_match(field.name, name_re))
      r_.error(field.span, codes::kBadName,
               o + ": a field name is a letter or '_' followed by letters, digits or '_'");
    if (!r_.expect_map(kv.second, o)) continue;
    Fields ff(r_, kv.second, o, {"from", "type", "required"});
    if (auto from = ff.require("from"))
      if (auto e = r_.expression(*from, ff.what("from"))) field.from = *e;
    if (auto t = ff.require("type")) {
      std::string text = r_.string(*t, ff.what("type")).value_or("");
      if (auto type = subject_type_from_string(text))
        field.type = *type;
      else if (t->IsScalar())
        r_.error(r_.span(*t), codes::kBadValue,
                 o + ": unknown type '" + text +
                     "' (one of money, date, string, id, integer, boolean, list, object)");
    }
    if (auto req = ff.get("required"))
      field.required = r_.boolean(*req, ff.what("required")).value_or(true);
    out.push_back(std::move(field));
  }
  if (out.empty())
    r_.error(r_.span(n), codes::kBadValue,
             owner + ": 'subject' declares no field; declare what approvers approve");
  return out;
}

WaitState Loader::read_wait(const Fields& f) {
  WaitState w;
  int kinds = 0;
  if (auto n = f.get("duration")) {
    ++kinds;
    w.kind = WaitKind::Duration;
    w.duration = r_.duration(*n, f.what("duration"));
  }
  if (auto n = f.get("until")) {
    ++kinds;
    w.kind = WaitKind::Until;
    w.until = r_.expression(*n, f.what("until"));
  }
  if (auto n = f.get("event")) {
    ++kinds;
    w.kind = WaitKind::Event;
    w.event = r_.string(*n, f.what("event")).value_or("");
    static const std::regex re(R"(^[A-Za-z][A-Za-z0-9_.-]*$)");
    if (n->IsScalar() && !std::regex_match(w.event, re))
      r_.error(r_.span(*n), codes::kBadName,
               f.owner() + ": event name '" + w.event +
                   "' must start with a letter and hold "
                   "only letters, digits, '_', '.' and '-'");
  }
  if (kinds == 0)
    r_.error(f.span(), codes::kMissingField,
             f.owner() + ": a wait needs one of 'duration', 'until' or 'event'");
  if (kinds > 1)
    r_.error(f.span(), codes::kConflictingFields,
             f.owner() + ": a wait takes only one of 'duration', 'until' or 'event'");
  opt(f, "output", w.output, &YamlReader::path);
  opt(f, "timeout", w.timeout, &YamlReader::duration);
  opt(f, "on_timeout", w.on_timeout, &YamlReader::state_ref);
  bool event = kinds == 1 && w.kind == WaitKind::Event;
  for (const char* key : {"output", "timeout", "on_timeout"})
    if (f.has(key) && !event && kinds == 1)
      r_.error(f.key_span(key), codes::kConflictingFields,
               f.owner() + ": '" + key + "' applies only to a wait for an 'event'");
  if (event && f.has("on_timeout") && !f.has("timeout"))
    r_.error(f.key_span("on_timeout"), codes::kMissingField,
             f.owner() + ": 'on_timeout' needs a 'timeout'");
  read_continuation(f, w.then);
  return w;
}

ParallelState Loader::read_parallel(const Fields& f) {
  ParallelState p;
  if (auto n = f.require("branches"); n && r_.expect_list(*n, f.what("branches"))) {
    if (n->size() == 0)
      r_.error(r_.span(*n), codes::kBadValue, f.owner() + ": 'branches' is empty");
    int index = 0;
    for (const auto& item : *n) {
      std::string o = f.owner() + ": branch " + std::to_string(index++);
      if (!r_.expect_map(item, o)) continue;
      Fields bf(r_, item, o, {"name", "start", "states"});
      Branch b;
      b.span = r_.span(item);
      if (auto nm = bf.get("name")) b.name = r_.string(*nm, bf.what("name")).value_or("");
      read_scope(bf, b.scope);
      p.branches.push_back(std::move(b));
    }
  }
  opt(f, "output", p.output, &YamlReader::path);
  read_continuation(f, p.then);
  return p;
}

MapState Loader::read_map(const Fields& f) {
  MapState m;
  if (auto n = f.require("items"))
    if (auto e = r_.expression(*n, f.what("items"))) m.items = *e;
  if (auto n = f.get("max_concurrency"))
    m.max_concurrency =
        static_cast<int>(r_.integer(*n, f.what("max_concurrency"), 0, 10000).value_or(0));
  if (auto n = f.require("iterator"); n && r_.expect_map(*n, f.what("iterator"))) {
    Fields itf(r_, *n, f.owner() + ": iterator", {"start", "states"});
    read_scope(itf, m.iterator);
  }
  opt(f, "output", m.output, &YamlReader::path);
  read_continuation(f, m.then);
  return m;
}

}  // namespace

const char* to_string(StateType t) {
  switch (t) {
    case StateType::Task:
      return "task";
    case StateType::Choice:
      return "choice";
    case StateType::Approval:
      return "approval";
    case StateType::Wait:
      return "wait";
    case StateType::Parallel:
      return "parallel";
    case StateType::Map:
      return "map";
    case StateType::Succeed:
      return "succeed";
    case StateType::Fail:
      return "fail";
  }
  return "?";
}

std::optional<StateType> state_type_from_string(std::string_view s) {
  for (auto t : {StateType::Task, StateType::Choice, StateType::Approval, StateType::Wait,
                 StateType::Parallel, StateType::Map, StateType::Succeed, StateType::Fail})
    if (s == to_string(t)) return t;
  return std::nullopt;
}

LoadResult load(const std::string& yaml_text, const std::string& file) {
  Loader loader(file);
  return loader.run(yaml_text);
}

LoadResult load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.diagnostics.push_back(
        {{path, 0, 0}, codes::kIoError, "cannot read the file", Severity::Error});
    return r;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load(text.str(), path);
}

}  // namespace covenant::workflows
