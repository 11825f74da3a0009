// StateGraph: the transitions of a Definition as a graph, shared by the validator, the
// compiler and the Graphviz renderer. Each state is a node; edges are the transitions a
// state can take within its own scope (next, choices, catch, reject, timeout), plus
// "enter" edges from a parallel or map state to the start of each branch or iterator.
// A StateGraph points into the Definition it was built from, which must outlive it.
#pragma once

#include "workflows/model.hpp"

#include <map>
#include <string>
#include <vector>

namespace covenant::workflows {

enum class EdgeKind { Next, Choice, Default, Catch, Reject, Changes, Timeout, Invalid, Enter };

struct Edge {
  const StateRef* ref;  // the written reference (name and span)
  EdgeKind kind;
  std::string label;  // for drawing: a condition, error codes, "reject", …
  int target = -1;    // node index within the same scope, or -1 when unknown
};

struct ScopeInfo {
  const Scope* scope;
  int parent_node = -1;  // the parallel/map node that owns it; -1 for the workflow itself
  std::string label;     // "workflow", "branch 'billing'", "iterator"
  std::vector<int> nodes;
  int start = -1;
};

struct Node {
  const State* state;
  int scope;                // index into StateGraph::scopes
  std::vector<Edge> edges;  // Next/Choice/Default/Catch/Reject/Timeout
  std::vector<int> enters;  // scopes entered by a parallel or map state
  bool ends = false;        // succeed, fail, end: true, or opaque
  bool pauses = false;      // waits for time, an event or people (wait, approval)
};

class StateGraph {
 public:
  explicit StateGraph(const Definition& def);

  std::vector<Node> nodes;
  std::vector<ScopeInfo> scopes;
  // First node index of each state name (names are unique workflow-wide once valid).
  std::map<std::string, int> by_name;

 private:
  int add_scope(const Scope& scope, int parent, std::string label);
};

// Every reference a state makes to another state, with the kind of transition.
std::vector<Edge> transitions_of(const State& st);

}  // namespace covenant::workflows
