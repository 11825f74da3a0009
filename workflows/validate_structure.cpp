// Structural checks over the state graph: unknown and duplicate states, unreachable states,
// states that can never finish, and loops that would spin without waiting.
#include "workflows/state_graph.hpp"
#include "workflows/validator.hpp"
#include "workflows/yaml_reader.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace covenant::workflows::detail {
namespace {

void error(Diagnostics& out, const SourceSpan& at, const char* code, std::string msg) {
  out.push_back({at, code, std::move(msg), Severity::Error});
}

std::string quoted_list(const StateGraph& g, const std::vector<int>& ns) {
  constexpr std::size_t kShown = 8;
  std::string s;
  for (std::size_t i = 0; i < ns.size() && i < kShown; ++i)
    s += (s.empty() ? "'" : ", '") + g.nodes[ns[i]].state->name + "'";
  if (ns.size() > kShown) s += " and " + std::to_string(ns.size() - kShown) + " more";
  return s;
}

void check_references(const StateGraph& g, Diagnostics& out) {
  for (const auto& scope : g.scopes) {
    std::vector<std::string_view> names;
    for (int n : scope.nodes) names.push_back(g.nodes[n].state->name);
    auto unknown = [&](const StateRef& ref, const std::string& owner) {
      std::string msg = owner + ": unknown state '" + ref.name + "'";
      auto other = g.by_name.find(ref.name);
      if (other != g.by_name.end())
        msg += " in " + scope.label + " ('" + ref.name + "' is in " +
               g.scopes[g.nodes[other->second].scope].label +
               "; transitions stay within their own scope)";
      else if (auto m = closest_match(ref.name, names); !m.empty())
        msg += " (did you mean '" + m + "'?)";
      error(out, ref.span, codes::kUnknownState, std::move(msg));
    };
    if (scope.scope->start && scope.start < 0 && scope.scope->states_read)
      unknown(*scope.scope->start, scope.label + ": start");
    for (int n : scope.nodes)
      for (const auto& e : g.nodes[n].edges)
        if (e.target < 0) unknown(*e.ref, "state '" + g.nodes[n].state->name + "'");
  }
}

void check_duplicates(const StateGraph& g, Diagnostics& out) {
  std::map<std::string, int> first;
  for (int n = 0; n < static_cast<int>(g.nodes.size()); ++n) {
    const State& st = *g.nodes[n].state;
    auto [it, fresh] = first.emplace(st.name, n);
    if (fresh || g.nodes[it->second].scope == g.nodes[n].scope) continue;
    const State& prior = *g.nodes[it->second].state;
    error(out, st.span, codes::kDuplicateState,
          "state '" + st.name + "' is defined twice (first at line " +
              std::to_string(prior.span.line) + "); state names are unique across the workflow");
  }
}

// Tarjan's strongly connected components over one scope's edges, iterative so that a long
// chain of states cannot exhaust the stack.
std::vector<std::vector<int>> components(const StateGraph& g, const ScopeInfo& scope) {
  std::map<int, int> index, low;
  std::set<int> on_stack;
  std::vector<int> stack;
  std::vector<std::vector<int>> out;
  int counter = 0;
  struct Frame {
    int v;
    std::size_t edge;
  };
  for (int root : scope.nodes) {
    if (index.count(root)) continue;
    std::vector<Frame> calls{{root, 0}};
    index[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack.insert(root);
    while (!calls.empty()) {
      Frame& f = calls.back();
      const auto& edges = g.nodes[f.v].edges;
      if (f.edge < edges.size()) {
        int w = edges[f.edge++].target;
        if (w < 0) continue;
        if (!index.count(w)) {
          index[w] = low[w] = counter++;
          stack.push_back(w);
          on_stack.insert(w);
          calls.push_back({w, 0});
        } else if (on_stack.count(w)) {
          low[f.v] = std::min(low[f.v], index[w]);
        }
        continue;
      }
      int v = f.v;
      calls.pop_back();
      if (!calls.empty()) low[calls.back().v] = std::min(low[calls.back().v], low[v]);
      if (low[v] != index[v]) continue;
      std::vector<int> comp;
      int w;
      do {
        w = stack.back();
        stack.pop_back();
        on_stack.erase(w);
        comp.push_back(w);
      } while (w != v);
      std::sort(comp.begin(), comp.end());
      out.push_back(std::move(comp));
    }
  }
  return out;
}

void check_scope_flow(const StateGraph& g, const ScopeInfo& scope, Diagnostics& out) {
  // When a state's type or transitions could not be read, or a transition names an unknown
  // state, which states are reachable is a guess: report the cause, not its echoes.
  bool uncertain = std::any_of(scope.nodes.begin(), scope.nodes.end(), [&](int n) {
    const Node& node = g.nodes[n];
    return node.state->opaque || node.state->incomplete ||
           std::any_of(node.edges.begin(), node.edges.end(),
                       [](const Edge& e) { return e.target < 0; });
  });
  // Reachability from the scope's start.
  std::set<int> reached;
  if (scope.start >= 0) {
    std::vector<int> todo{scope.start};
    while (!todo.empty()) {
      int v = todo.back();
      todo.pop_back();
      if (!reached.insert(v).second) continue;
      for (const auto& e : g.nodes[v].edges)
        if (e.target >= 0) todo.push_back(e.target);
    }
    if (!uncertain)
      for (int n : scope.nodes)
        if (!reached.count(n))
          error(
              out, g.nodes[n].state->span, codes::kUnreachableState,
              "state '" + g.nodes[n].state->name + "' can never be reached from " +
                  (scope.parent_node < 0 ? "the workflow's start '" : scope.label + "'s start '") +
                  scope.scope->start->name + "'");
  }
  // Which states can reach an end (a succeed, fail or end: true): backwards from the ends,
  // once over each transition.
  std::map<int, std::vector<int>> before;  // a state → the states with a transition to it
  std::vector<int> todo;
  std::set<int> finishing;
  for (int n : scope.nodes) {
    const Node& node = g.nodes[n];
    bool ends = node.ends;
    for (const auto& e : node.edges)
      if (e.target < 0)
        ends = true;
      else
        before[e.target].push_back(n);
    if (ends && finishing.insert(n).second) todo.push_back(n);
  }
  while (!todo.empty()) {
    int v = todo.back();
    todo.pop_back();
    if (auto it = before.find(v); it != before.end())
      for (int u : it->second)
        if (finishing.insert(u).second) todo.push_back(u);
  }
  for (const auto& comp : components(g, scope)) {
    int first = comp.front();
    bool cyclic =
        comp.size() > 1 || std::any_of(g.nodes[first].edges.begin(), g.nodes[first].edges.end(),
                                       [&](const Edge& e) { return e.target == first; });
    bool pauses = std::any_of(comp.begin(), comp.end(), [&](int n) { return g.nodes[n].pauses; });
    if (cyclic && !pauses)
      error(out, g.nodes[first].state->span, codes::kLoopWithoutWait,
            "states " + quoted_list(g, comp) +
                " form a loop with no wait or approval state in it; it would spin without pause");
    bool stuck = std::none_of(comp.begin(), comp.end(), [&](int n) { return finishing.count(n); });
    bool live = std::any_of(comp.begin(), comp.end(), [&](int n) { return reached.count(n); });
    // Report only the loops that trap: states that merely lead into one are not the cause.
    bool sink = std::all_of(comp.begin(), comp.end(), [&](int n) {
      return std::all_of(g.nodes[n].edges.begin(), g.nodes[n].edges.end(), [&](const Edge& e) {
        return std::binary_search(comp.begin(), comp.end(), e.target);
      });
    });
    if (stuck && live && sink)
      error(out, g.nodes[first].state->span, codes::kNoTerminal,
            (comp.size() == 1 ? "state " : "states ") + quoted_list(g, comp) +
                " can never finish: no succeed, fail or 'end: true' state is reachable from " +
                (comp.size() == 1 ? "it" : "them"));
  }
}

}  // namespace

void check_structure(const Definition& def, Diagnostics& out) {
  StateGraph g(def);
  check_duplicates(g, out);
  check_references(g, out);
  for (const auto& scope : g.scopes) check_scope_flow(g, scope, out);
}

}  // namespace covenant::workflows::detail
