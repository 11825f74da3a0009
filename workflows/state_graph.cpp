#include "workflows/state_graph.hpp"

namespace covenant::workflows {
namespace {

void add_continuation(const Continuation& c, std::vector<Edge>& out) {
  if (c.next) out.push_back({&*c.next, EdgeKind::Next, "", -1});
}

std::string join(const std::vector<std::string>& xs) {
  std::string s;
  for (const auto& x : xs) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

std::vector<Edge> transitions_of(const State& st) {
  std::vector<Edge> out;
  if (st.opaque) return out;
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, TaskState>) {
          add_continuation(b.then, out);
          for (const auto& c : b.catches)
            out.push_back({&c.next, EdgeKind::Catch, join(c.errors), -1});
        } else if constexpr (std::is_same_v<T, ChoiceState>) {
          for (const auto& c : b.choices)
            out.push_back({&c.next, EdgeKind::Choice, c.when.source, -1});
          if (b.default_next) out.push_back({&*b.default_next, EdgeKind::Default, "otherwise", -1});
        } else if constexpr (std::is_same_v<T, ApprovalState>) {
          add_continuation(b.then, out);
          if (b.on_reject) out.push_back({&*b.on_reject, EdgeKind::Reject, "rejected", -1});
          if (b.on_changes_requested)
            out.push_back(
                {&b.on_changes_requested->next, EdgeKind::Changes, "changes requested", -1});
          if (b.on_invalid)
            out.push_back({&*b.on_invalid, EdgeKind::Invalid, "subject invalid", -1});
          if (b.on_timeout && b.on_timeout->next)
            out.push_back({&*b.on_timeout->next, EdgeKind::Timeout, "timed out", -1});
        } else if constexpr (std::is_same_v<T, WaitState>) {
          add_continuation(b.then, out);
          if (b.on_timeout) out.push_back({&*b.on_timeout, EdgeKind::Timeout, "timed out", -1});
        } else if constexpr (std::is_same_v<T, ParallelState> || std::is_same_v<T, MapState>) {
          add_continuation(b.then, out);
        }
      },
      st.body);
  return out;
}

StateGraph::StateGraph(const Definition& def) { add_scope(def.root, -1, "the top level"); }

int StateGraph::add_scope(const Scope& scope, int parent, std::string label) {
  int id = static_cast<int>(scopes.size());
  scopes.push_back({&scope, parent, std::move(label), {}, -1});
  std::map<std::string, int> local;
  for (const auto& st : scope.states) {
    int n = static_cast<int>(nodes.size());
    Node node{&st, id, transitions_of(st), {}, false, false};
    node.pauses = !st.opaque && (st.type == StateType::Wait || st.type == StateType::Approval);
    node.ends = st.opaque || st.type == StateType::Succeed || st.type == StateType::Fail;
    std::visit(
        [&](const auto& b) {
          if constexpr (requires { b.then; }) node.ends = node.ends || b.then.end;
        },
        st.body);
    nodes.push_back(std::move(node));
    scopes[id].nodes.push_back(n);
    local.emplace(st.name, n);
    by_name.emplace(st.name, n);
  }
  for (int n : scopes[id].nodes)
    for (auto& e : nodes[n].edges)
      if (auto it = local.find(e.ref->name); it != local.end()) e.target = it->second;
  if (scope.start)
    if (auto it = local.find(scope.start->name); it != local.end()) scopes[id].start = it->second;
  // Nested scopes after this scope's nodes, so node indices of a scope stay contiguous.
  for (int n : std::vector<int>(scopes[id].nodes)) {
    const State& st = *nodes[n].state;
    if (st.opaque) continue;
    if (const auto* p = std::get_if<ParallelState>(&st.body)) {
      for (std::size_t i = 0; i < p->branches.size(); ++i) {
        const auto& b = p->branches[i];
        std::string l = b.name.empty() ? "branch " + std::to_string(i) : "branch '" + b.name + "'";
        int child = add_scope(b.scope, n, std::move(l));
        nodes[n].enters.push_back(child);
      }
    } else if (const auto* m = std::get_if<MapState>(&st.body)) {
      int child = add_scope(m->iterator, n, "iterator");
      nodes[n].enters.push_back(child);
    }
  }
  return id;
}

}  // namespace covenant::workflows
