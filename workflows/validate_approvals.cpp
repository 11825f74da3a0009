// The financial control, checked at deploy time: every path from `start` to a task that runs
// a financial activity (or compensates with one) must leave an approval state through its
// `next` (approved) transition, and that approval must list the activity in `authorizes`.
// Reject and timeout transitions authorize nothing. Approvals inside a parallel branch or a
// map iteration authorize only within that branch. A grant pays for one write of each
// activity, so a cycle that reaches a financial task again without passing its gate is
// refused; and every value a financial task sends must come from the authorizing gate's
// subject (or be a constant), so the digest check at dispatch sees any change to it. Also
// checks each gate's quorum, and that its summary shows only its subject.
#include "workflows/read_paths.hpp"
#include "workflows/state_graph.hpp"
#include "workflows/subject.hpp"
#include "workflows/summary.hpp"
#include "workflows/validator.hpp"

#include <algorithm>
#include <deque>
#include <memory>
#include <set>

namespace covenant::workflows::detail {
namespace {

struct Use {
  int node;
  const SourceSpan* at;
};

bool authorizes(const State& st, const std::string& activity) {
  const auto* a = std::get_if<ApprovalState>(&st.body);
  return a &&
         std::find(a->authorizes.begin(), a->authorizes.end(), activity) != a->authorizes.end();
}

// Breadth-first search from the workflow's start, never crossing an approved transition of a
// gate that authorizes `activity`; returns the predecessor of each node reached.
std::map<int, int> reach_without_approval(const StateGraph& g, const std::string& activity) {
  std::map<int, int> parent;
  int start = g.scopes[0].start;
  if (start < 0) return parent;
  std::deque<int> todo{start};
  parent[start] = -1;
  while (!todo.empty()) {
    int v = todo.front();
    todo.pop_front();
    const Node& node = g.nodes[v];
    auto visit = [&](int w) {
      if (w >= 0 && parent.emplace(w, v).second) todo.push_back(w);
    };
    bool gate = authorizes(*node.state, activity);
    for (const auto& e : node.edges)
      if (!(gate && e.kind == EdgeKind::Next)) visit(e.target);
    for (int scope : node.enters) visit(g.scopes[scope].start);
  }
  return parent;
}

std::string path_to(const StateGraph& g, const std::map<int, int>& parent, int node) {
  std::vector<int> path;
  for (int v = node; v >= 0; v = parent.at(v)) path.push_back(v);
  std::string s;
  for (auto it = path.rbegin(); it != path.rend(); ++it)
    s += (s.empty() ? "" : " -> ") + g.nodes[*it].state->name;
  return s;
}

void check_dominance(const StateGraph& g, const ActivityCatalog& catalog, Diagnostics& out) {
  std::map<std::string, std::vector<Use>> uses;  // financial activity -> tasks that run it
  for (int n = 0; n < static_cast<int>(g.nodes.size()); ++n) {
    const auto* t = std::get_if<TaskState>(&g.nodes[n].state->body);
    if (!t || g.nodes[n].state->opaque) continue;
    if (const auto* a = catalog.find(t->activity); a && a->financial)
      uses[a->name].push_back({n, &t->activity_span});
    if (t->compensate)
      if (const auto* a = catalog.find(t->compensate->activity); a && a->financial)
        uses[a->name].push_back({n, &t->compensate->activity_span});
  }
  for (const auto& [activity, list] : uses) {
    auto parent = reach_without_approval(g, activity);
    for (const auto& use : list) {
      if (!parent.count(use.node)) continue;
      const State& st = *g.nodes[use.node].state;
      out.push_back({*use.at, codes::kUnapprovedWriteback,
                     "state '" + st.name + "': financial activity '" + activity +
                         "' is reachable without an approval that authorizes it, along " +
                         path_to(g, parent, use.node),
                     Severity::Error});
    }
  }
}

// From the financial task `task`, following transitions within its scope and never crossing
// an approved transition of a gate that authorizes `activity`: the way to a task that runs
// `activity` again (itself, around a cycle, or another one further on), if there is one:
// "invoice -> wait -> again -> invoice".
std::string again_from(const StateGraph& g, int task, const std::string& activity) {
  auto runs = [&](int n) {
    const auto* t = std::get_if<TaskState>(&g.nodes[n].state->body);
    return t && !g.nodes[n].state->opaque && t->activity == activity;
  };
  std::map<int, int> parent;
  std::deque<int> todo;
  auto visit = [&](int w, int from) {
    if (w >= 0 && parent.emplace(w, from).second) todo.push_back(w);
  };
  for (const auto& e : g.nodes[task].edges) visit(e.target, task);
  int found = -1;
  while (!todo.empty() && found < 0) {
    int v = todo.front();
    todo.pop_front();
    if (runs(v)) {
      found = v;
      break;
    }
    bool gate = authorizes(*g.nodes[v].state, activity);
    for (const auto& e : g.nodes[v].edges)
      if (!(gate && e.kind == EdgeKind::Next)) visit(e.target, v);
  }
  if (found < 0) return "";
  std::vector<int> path{found};
  for (int v = parent.at(found); v != task; v = parent.at(v)) path.push_back(v);
  std::string s = g.nodes[task].state->name;
  for (auto it = path.rbegin(); it != path.rend(); ++it) s += " -> " + g.nodes[*it].state->name;
  return s;
}

void check_cycles(const StateGraph& g, const ActivityCatalog& catalog, Diagnostics& out) {
  for (int n = 0; n < static_cast<int>(g.nodes.size()); ++n) {
    const auto* t = std::get_if<TaskState>(&g.nodes[n].state->body);
    if (!t || g.nodes[n].state->opaque) continue;
    const auto* a = catalog.find(t->activity);
    if (!a || !a->financial) continue;
    auto path = again_from(g, n, t->activity);
    if (path.empty()) continue;
    out.push_back({t->activity_span, codes::kFinancialCycle,
                   "state '" + g.nodes[n].state->name + "': financial activity '" + t->activity +
                       "' is run again without passing its approval, along " + path +
                       " (a grant pays for one write of each activity: route the second write "
                       "through a gate that authorizes it)",
                   Severity::Error});
  }
}

// The states reachable from `from` (itself excluded unless on a cycle), following
// transitions and into branches and iterations, except the transitions `blocked` names.
template <typename Blocked>
std::set<int> reach(const StateGraph& g, const std::vector<int>& from, Blocked blocked) {
  std::set<int> seen;
  std::vector<int> todo(from.begin(), from.end());
  while (!todo.empty()) {
    int v = todo.back();
    todo.pop_back();
    if (v < 0 || !seen.insert(v).second) continue;
    for (const auto& e : g.nodes[v].edges)
      if (!blocked(v, e)) todo.push_back(e.target);
    for (int s : g.nodes[v].enters) todo.push_back(g.scopes[s].start);
  }
  return seen;
}

std::set<int> downstream(const StateGraph& g, const std::vector<int>& from) {
  return reach(g, from, [](int, const auto&) { return false; });
}

// Where a grant of `activity` given on entering `from` is still the frame's grant: the states
// reachable from `from` (branches and iterations start with a copy of their parent's grants),
// never through the approved transition of a gate that authorizes `activity` — passing one
// replaces the grant (engine/runtime/decide_approval.cpp).
std::set<int> reach_keeping_grant(const StateGraph& g, const std::vector<int>& from,
                                  const std::string& activity) {
  return reach(g, from, [&](int v, const auto& e) {
    return e.kind == EdgeKind::Next && authorizes(*g.nodes[v].state, activity);
  });
}

std::vector<int> approved_targets(const StateGraph& g, int gate) {
  std::vector<int> out;
  for (const auto& e : g.nodes[gate].edges)
    if (e.kind == EdgeKind::Next) out.push_back(e.target);
  return out;
}

// The gates that may authorize a task at `node`: approvals listing `activity` in the task's
// scope or in a scope enclosing it, whose grant can still be the frame's when the task runs
// (a gate every way from it to the task passes another gate for `activity` cannot: the later
// gate's grant replaced it).
std::vector<int> gates_for(const StateGraph& g, int node, const std::string& activity) {
  std::set<int> scopes;
  for (int s = g.nodes[node].scope; s >= 0;) {
    scopes.insert(s);
    int owner = g.scopes[s].parent_node;
    s = owner < 0 ? -1 : g.nodes[owner].scope;
  }
  std::vector<int> out;
  for (int n = 0; n < static_cast<int>(g.nodes.size()); ++n)
    if (scopes.count(g.nodes[n].scope) && authorizes(*g.nodes[n].state, activity) &&
        reach_keeping_grant(g, approved_targets(g, n), activity).count(node))
      out.push_back(n);
  return out;
}

// Whether the values a financial task sends are what one gate's approvers saw. A path read
// by the task is covered when it lies within a path the gate's subject reads; when some
// state writes it and every state that does is a task whose own input is covered (or a
// write the gate authorizes), so the value is what a system gave back for approved data (a
// customer or invoice id); or, in a map iteration, when it is `.item…` of a map whose items
// are covered, or `.index`. The instance's input is not covered by itself: approvers see
// only the subject. Constants in the input template read nothing and need no cover.
class Coverage {
 public:
  Coverage(const StateGraph& g, const ApprovalState& gate) : g_(g), gate_(gate) {
    subject_ = subject_covers(gate);
    for (int n = 0; n < static_cast<int>(g.nodes.size()); ++n) {
      const State& st = *g.nodes[n].state;
      if (st.opaque) continue;
      auto add = [&](const std::optional<Path>& p) {
        if (p) writers_.push_back({read_paths(p->source), n});
      };
      if (const auto* t = std::get_if<TaskState>(&st.body)) {
        add(t->output);
        for (const auto& c : t->catches)
          if (c.output) writers_.push_back({read_paths(c.output->source), n, true});
      } else if (const auto* w = std::get_if<WaitState>(&st.body)) {
        add(w->output);
      } else if (const auto* p = std::get_if<ParallelState>(&st.body)) {
        add(p->output);
      } else if (const auto* m = std::get_if<MapState>(&st.body)) {
        add(m->output);
      }
    }
    // Derived values: grow until nothing changes (a task's input may read another's output).
    for (bool grew = true; grew;) {
      grew = false;
      for (int n = 0; n < static_cast<int>(g.nodes.size()); ++n)
        if (!derived_.count(n) && produces_derived(n)) derived_.insert(n), grew = true;
    }
  }

  // The first path `e` reads that is not covered at `node`, if any.
  std::optional<ReadPath> uncovered(const Expression& e, int node) const {
    for (const auto& p : read_paths(e.source, ReadMode::Any))
      if (!covered(p, node)) return p;
    return std::nullopt;
  }

 private:
  struct Writer {
    std::vector<ReadPath> paths;
    int node;
    bool error = false;  // a catch rule's error object: never derived
  };

  bool covered(const ReadPath& p, int node) const {
    for (const auto& c : subject_)
      if (p.within(c)) return true;
    // In a map iteration: the item and its index.
    if (!p.segments.empty() && (p.segments[0] == "item" || p.segments[0] == "index"))
      if (int map = enclosing_map(node); map >= 0) {
        if (p.segments[0] == "index") return true;
        const auto& m = std::get<MapState>(g_.nodes[map].state->body);
        auto items = read_paths(m.items.source, ReadMode::Any);
        return std::all_of(items.begin(), items.end(),
                           [&](const ReadPath& i) { return covered(i, map); });
      }
    // Otherwise only a value some state wrote, every writer of it a derived value. A value
    // no state writes (the instance's input) is not covered: approvers never saw it.
    bool written = false;
    for (const auto& w : writers_)
      for (const auto& path : w.paths)
        if (p.within(path) || path.within(p)) {
          if (w.error || !derived_.count(w.node)) return false;
          written = true;
        }
    return written;
  }

  int enclosing_map(int node) const {
    for (int s = g_.nodes[node].scope; s >= 0;) {
      int owner = g_.scopes[s].parent_node;
      if (owner < 0) return -1;
      if (std::holds_alternative<MapState>(g_.nodes[owner].state->body)) return owner;
      s = g_.nodes[owner].scope;
    }
    return -1;
  }

  bool authorized(const std::string& activity) const {
    return std::find(gate_.authorizes.begin(), gate_.authorizes.end(), activity) !=
           gate_.authorizes.end();
  }

  // Whether what the state at `n` writes is derived from covered data.
  bool produces_derived(int n) const {
    const State& st = *g_.nodes[n].state;
    if (const auto* t = std::get_if<TaskState>(&st.body)) {
      if (!t->input) return false;  // it would read the whole context
      if (authorized(t->activity)) return true;
      for (const auto& e : t->input->expressions)
        if (uncovered(e, n)) return false;
      return true;
    }
    if (std::holds_alternative<ParallelState>(st.body) ||
        std::holds_alternative<MapState>(st.body)) {
      // Its output is its children's last results: derived when every task in them is.
      for (int scope : g_.nodes[n].enters)
        for (int child : g_.scopes[scope].nodes) {
          const State& cs = *g_.nodes[child].state;
          bool task_or_group = std::holds_alternative<TaskState>(cs.body) ||
                               std::holds_alternative<ParallelState>(cs.body) ||
                               std::holds_alternative<MapState>(cs.body);
          if (task_or_group && !derived_.count(child)) return false;
        }
      if (const auto* m = std::get_if<MapState>(&st.body))
        if (uncovered(m->items, n)) return false;
      return true;
    }
    return false;
  }

  const StateGraph& g_;
  const ApprovalState& gate_;
  std::vector<ReadPath> subject_;
  std::vector<Writer> writers_;
  std::set<int> derived_;
};

// A choice between a gate and the writes it authorizes decides which money moves: its
// conditions may read only what the gate's approvers saw (or what systems returned for
// approved data), like the writes themselves.
void check_money_choices(const StateGraph& g, const ActivityCatalog& catalog, Diagnostics& out) {
  for (int gate = 0; gate < static_cast<int>(g.nodes.size()); ++gate) {
    const auto* ap = std::get_if<ApprovalState>(&g.nodes[gate].state->body);
    if (!ap || g.nodes[gate].state->opaque || (!ap->subject && ap->subject_fields.empty()))
      continue;
    std::vector<int> approved = approved_targets(g, gate);
    auto after = downstream(g, approved);
    std::unique_ptr<Coverage> cov;
    for (int c : after) {
      const auto* ch = std::get_if<ChoiceState>(&g.nodes[c].state->body);
      if (!ch || g.nodes[c].state->opaque) continue;
      // It decides when, with this gate's grant still the frame's, it leads to a write the
      // grant pays for (past a later gate for the activity, that gate's subject rules).
      bool decides = false;
      for (const auto& activity : ap->authorizes) {
        const auto* a = catalog.find(activity);
        if (!a || !a->financial || !reach_keeping_grant(g, approved, activity).count(c)) continue;
        for (int w : reach_keeping_grant(g, {c}, activity)) {
          const auto* t = std::get_if<TaskState>(&g.nodes[w].state->body);
          if (t && t->activity == activity) decides = true;
        }
      }
      if (!decides) continue;
      if (!cov) cov = std::make_unique<Coverage>(g, *ap);
      for (const auto& r : ch->choices)
        if (auto p = cov->uncovered(r.when, c))
          out.push_back({r.when.span, codes::kSubjectCoverage,
                         "state '" + g.nodes[c].state->name +
                             "': this choice decides which writes gate '" +
                             g.nodes[gate].state->name + "' authorizes happen, and reads " +
                             p->text() + ", which its subject does not cover (add " + p->text() +
                             " to the gate's subject, or decide before the gate)",
                         Severity::Error});
    }
  }
}

void check_coverage(const StateGraph& g, const ActivityCatalog& catalog, Diagnostics& out) {
  std::map<int, std::unique_ptr<Coverage>> by_gate;
  for (int n = 0; n < static_cast<int>(g.nodes.size()); ++n) {
    const State& st = *g.nodes[n].state;
    const auto* t = std::get_if<TaskState>(&st.body);
    if (!t || st.opaque) continue;
    const auto* a = catalog.find(t->activity);
    if (!a || !a->financial) continue;
    for (int gate : gates_for(g, n, t->activity)) {
      const auto& ap = std::get<ApprovalState>(g.nodes[gate].state->body);
      if (!ap.subject && ap.subject_fields.empty()) continue;  // reported by check_subjects
      auto& cov = by_gate[gate];
      if (!cov) cov = std::make_unique<Coverage>(g, ap);
      const std::string& gate_name = g.nodes[gate].state->name;
      if (!t->input) {
        out.push_back({t->activity_span, codes::kSubjectCoverage,
                       "state '" + st.name + "': financial activity '" + t->activity +
                           "' has no 'input', so it would send the whole context, which the "
                           "subject of gate '" +
                           gate_name +
                           "' does not cover (list the input, each value from the subject)",
                       Severity::Error});
        continue;
      }
      for (const auto& e : t->input->expressions)
        if (auto p = cov->uncovered(e, n))
          out.push_back({e.span, codes::kSubjectCoverage,
                         "state '" + st.name + "': financial activity '" + t->activity +
                             "' sends " + p->text() + ", which the subject of gate '" + gate_name +
                             "' does not cover, so a change after approval would go unseen "
                             "(add " +
                             p->text() + " to the gate's subject)",
                         Severity::Error});
    }
  }
}

// Subjects are declared field by field, and approver conditions read only declared fields:
// what approvers see, rules decide on, and the digest covers are the same thing.
void check_subjects(const StateGraph& g, Diagnostics& out) {
  for (const auto& node : g.nodes) {
    const auto* a = std::get_if<ApprovalState>(&node.state->body);
    if (!a || node.state->opaque) continue;
    const std::string& name = node.state->name;
    if (a->subject) {
      out.push_back({a->subject_span, codes::kSubjectUndeclared,
                     "state '" + name +
                         "': declare the subject field by field, each with where it comes from "
                         "and its type, e.g. subject: { total: { from: \"${ .plan.total }\", "
                         "type: money }, customer: { from: \"${ .customer.id }\", type: id } } "
                         "(types: money, date, string, id, integer, boolean, list, object)",
                     Severity::Error});
      continue;
    }
    for (const auto& r : a->approvers) {
      if (!r.when) continue;
      for (const auto& p : read_paths(r.when->source))
        if (auto why = subject_read_problem(a->subject_fields, p))
          out.push_back({r.when->span, codes::kConditionReadsUndeclared,
                         "state '" + name + "': the " +
                             (r.policy.empty() ? "rule for role '" + r.role + "'"
                                               : "policy '" + r.policy + "'") +
                             " " + *why +
                             "; conditions read the subject, so declare what they decide on "
                             "as a subject field",
                         Severity::Error});
    }
  }
}

// Whether a subject field of type `field` may be shown whole as a figure of type `figure`.
bool shows_as(SubjectType field, FigureType figure) {
  switch (figure) {
    case FigureType::Money:
      return field == SubjectType::Money;
    case FigureType::Date:
      return field == SubjectType::Date;
    case FigureType::Number:
    case FigureType::Percent:
      return field == SubjectType::Integer;
    case FigureType::Duration:
    case FigureType::Party:
    case FigureType::Link:
      return field == SubjectType::String || field == SubjectType::Id;
    case FigureType::Text:
      return field != SubjectType::Money && field != SubjectType::List &&
             field != SubjectType::Object;
  }
  return false;
}

// A summary reads the subject only — its declared fields, as conditions do, except that it
// may read below an object or a list — and shows each value as something it can be.
void check_summary(const std::string& name, const ApprovalState& a, Diagnostics& out) {
  const GateSummary& s = *a.summary;
  auto check = [&](const Template& t, FigureType type, const std::string& what) {
    for (const auto& e : t.expressions) {
      for (const auto& p : read_paths(e.source))
        if (auto why = subject_read_problem(a.subject_fields, p))
          out.push_back({e.span, codes::kSummaryReadsUndeclared,
                         "state '" + name + "': " + what + " " + *why +
                             "; a summary shows the subject only, so what approvers read first "
                             "is what the digest covers",
                         Severity::Error});
      auto p = plain_path(e.source);
      if (!p || p->segments.size() != 1) continue;
      for (const auto& f : a.subject_fields)
        if (f.name == p->segments[0] && !shows_as(f.type, type))
          out.push_back({e.span, codes::kSummaryTypeMismatch,
                         "state '" + name + "': " + what + " shows the " + to_string(f.type) +
                             " field '" + f.name + "' as " + to_string(type),
                         Severity::Error});
    }
    if (t.expressions.empty() && !t.value.is_null())
      if (auto why = figure_value_problem(type, t.value); !why.empty())
        out.push_back({t.span, codes::kBadValue, "state '" + name + "': " + what + " is " + why,
                       Severity::Error});
  };
  check(s.title, FigureType::Text, "the summary's title");
  for (const auto& f : s.figures) {
    check(f.value, f.type, "figure '" + f.label + "'");
    if (f.detail) check(*f.detail, FigureType::Text, "the detail of figure '" + f.label + "'");
  }
  for (const auto& f : s.comparisons) {
    check(f.value, f.type, "comparison '" + f.label + "'");
    if (f.against)
      check(*f.against, f.type, "comparison '" + f.label + "' (" + f.against_label + ")");
  }
  for (const auto& [activity, amount] : s.writes) {
    if (std::find(a.authorizes.begin(), a.authorizes.end(), activity) == a.authorizes.end())
      out.push_back({amount.span, codes::kSummaryWriteNotAuthorized,
                     "state '" + name + "': the summary shows a write by '" + activity +
                         "', which the gate does not authorize",
                     Severity::Error});
    check(amount, FigureType::Money, "the amount written by '" + activity + "'");
  }
}

void check_summaries(const StateGraph& g, Diagnostics& out) {
  for (const auto& node : g.nodes) {
    const auto* a = std::get_if<ApprovalState>(&node.state->body);
    // A gate whose subject is one expression is refused already (subject-not-declared).
    if (!a || node.state->opaque || !a->summary || a->subject) continue;
    check_summary(node.state->name, *a, out);
  }
}

void check_quorum(const StateGraph& g, Diagnostics& out) {
  for (const auto& node : g.nodes) {
    const auto* a = std::get_if<ApprovalState>(&node.state->body);
    if (!a || node.state->opaque || a->approvers.empty()) continue;
    int eligible = 0;
    for (const auto& r : a->approvers)
      if (r.policy.empty()) eligible += r.count;
    if (a->quorum > eligible)
      out.push_back({a->quorum_span, codes::kQuorumTooLarge,
                     "state '" + node.state->name + "': quorum " + std::to_string(a->quorum) +
                         " is larger than the " + std::to_string(eligible) +
                         " eligible approver(s) (raise an approver's 'count' or add approvers)",
                     Severity::Error});
  }
}

// A request for changes sends the data to a state where someone changes it, and the changed
// data comes back to the gate: to the gate itself is a loop that changes nothing (an error);
// to a state that never leads back is a rejection by another name (a warning).
void check_changes(const StateGraph& g, Diagnostics& out) {
  for (int n = 0; n < static_cast<int>(g.nodes.size()); ++n) {
    const auto& node = g.nodes[n];
    const auto* a = std::get_if<ApprovalState>(&node.state->body);
    if (!a || node.state->opaque || !a->on_changes_requested) continue;
    const auto& route = *a->on_changes_requested;
    int target = -1;
    for (const auto& e : node.edges)
      if (e.kind == EdgeKind::Changes) target = e.target;
    if (target < 0) continue;  // unknown-state, reported already
    std::string at = "state '" + node.state->name + "': on_changes_requested";
    if (target == n) {
      out.push_back({route.next.span, codes::kBadValue,
                     at + " sends the data back to the gate itself, unchanged: name the state "
                          "where someone changes it (a review, a task)",
                     Severity::Error});
      continue;
    }
    std::vector<bool> seen(g.nodes.size(), false);
    std::vector<int> todo{target};
    seen[target] = true;
    bool back = false;
    while (!todo.empty() && !back) {
      int m = todo.back();
      todo.pop_back();
      for (const auto& e : g.nodes[m].edges) {
        if (e.target < 0 || seen[e.target]) continue;
        back = back || e.target == n;
        seen[e.target] = true;
        todo.push_back(e.target);
      }
    }
    if (!back)
      out.push_back({route.next.span, codes::kBadValue,
                     at + " goes to '" + route.next.name +
                         "', which never leads back to this gate: the changed data could not be "
                         "approved (to end the instance, use on_reject)",
                     Severity::Warning});
  }
}

}  // namespace

void check_approvals(const Definition& def, const ActivityCatalog& catalog, Diagnostics& out) {
  StateGraph g(def);
  check_dominance(g, catalog, out);
  check_cycles(g, catalog, out);
  check_coverage(g, catalog, out);
  check_money_choices(g, catalog, out);
  check_subjects(g, out);
  check_summaries(g, out);
  check_quorum(g, out);
  check_changes(g, out);
}

}  // namespace covenant::workflows::detail
