// The financial control, checked at deploy time: every path from `start` to a task that runs
// a financial activity (or compensates with one) must leave an approval state through its
// `next` (approved) transition, and that approval must list the activity in `authorizes`.
// Reject and timeout transitions authorize nothing. Approvals inside a parallel branch or a
// map iteration authorize only within that branch. Also checks each gate's quorum.
#include "workflows/state_graph.hpp"
#include "workflows/validator.hpp"

#include <deque>
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

void check_quorum(const StateGraph& g, Diagnostics& out) {
  for (const auto& node : g.nodes) {
    const auto* a = std::get_if<ApprovalState>(&node.state->body);
    if (!a || node.state->opaque || a->approvers.empty()) continue;
    int eligible = 0;
    for (const auto& r : a->approvers) eligible += r.count;
    if (a->quorum > eligible)
      out.push_back({a->quorum_span, codes::kQuorumTooLarge,
                     "state '" + node.state->name + "': quorum " + std::to_string(a->quorum) +
                         " is larger than the " + std::to_string(eligible) +
                         " eligible approver(s) (raise an approver's 'count' or add approvers)",
                     Severity::Error});
  }
}

}  // namespace

void check_approvals(const Definition& def, const ActivityCatalog& catalog, Diagnostics& out) {
  StateGraph g(def);
  check_dominance(g, catalog, out);
  check_quorum(g, out);
}

}  // namespace covenant::workflows::detail
