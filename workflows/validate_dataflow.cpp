// Static data flow: which context paths are certainly written on every path to a state, and
// the reads of paths that may be unset there. What writes: a task's `output` (on success) or
// a catch rule's `output` (on that error), a wait's `output` (when the event came), a
// parallel's or map's `output` (the children's results, in order). A parallel branch or a
// map iteration starts with its parent's context (an iteration also with `.item` and
// `.index`) and its own writes stay in it: only its result reaches the parent, at the
// parallel's or map's `output`. The instance's input is not declared, so a read that no
// write certainly precedes is judged by its writers:
//  - no state writes the path: it is the input; nothing to say;
//  - every state that writes it does so inside a branch or iteration that does not enclose
//    the read (its writes never leave it): the read finds nothing there. An error in a
//    gate's subject and a financial task's input (money is not decided or written on a
//    value that is not there), a warning elsewhere;
//  - every enclosing writer comes after the read, on a loop back to it (a correction sent
//    back to the gate): the first arrival reads the input; nothing to say;
//  - otherwise it is written on some paths only: a warning ("unless the instance's input
//    provides it"); a declared subject's types still refuse a missing value at run time.
#include "workflows/read_paths.hpp"
#include "workflows/state_graph.hpp"
#include "workflows/validator.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace covenant::workflows::detail {
namespace {

// The written paths certainly set at a node, as bits over the definition's distinct written
// paths (DataFlow::paths_). Sets the size of the definition, met by a word-wise AND: linear
// in practice where sets of strings copied along every edge were quadratic (a chain of
// 4,000 tasks writing their own outputs took 6 s and 650 MB to validate).
class Bits {
 public:
  explicit Bits(std::size_t n = 0) : words_((n + 63) / 64) {}
  void set(int i) { words_[i / 64] |= std::uint64_t{1} << (i % 64); }
  bool test(int i) const { return words_[i / 64] >> (i % 64) & 1; }
  // Keeps only what `other` has too; true when something was dropped.
  bool meet(const Bits& other) {
    bool changed = false;
    for (std::size_t w = 0; w < words_.size(); ++w) {
      std::uint64_t kept = words_[w] & other.words_[w];
      changed = changed || kept != words_[w];
      words_[w] = kept;
    }
    return changed;
  }

 private:
  std::vector<std::uint64_t> words_;
};

// What taking edge `e` out of `st` writes.
std::optional<ReadPath> written_by(const State& st, const Edge& e) {
  auto path = [](const std::optional<Path>& p) -> std::optional<ReadPath> {
    if (!p) return std::nullopt;
    auto paths = read_paths(p->source);
    if (paths.size() != 1) return std::nullopt;
    return paths[0];
  };
  if (const auto* t = std::get_if<TaskState>(&st.body)) {
    if (e.kind == EdgeKind::Next) return path(t->output);
    if (e.kind == EdgeKind::Catch)
      for (const auto& c : t->catches)
        if (&c.next == e.ref) return path(c.output);
    return std::nullopt;
  }
  if (const auto* w = std::get_if<WaitState>(&st.body))
    return e.kind == EdgeKind::Next ? path(w->output) : std::nullopt;
  if (const auto* a = std::get_if<ApprovalState>(&st.body))
    return e.kind == EdgeKind::Changes && a->on_changes_requested
               ? path(a->on_changes_requested->output)
               : std::nullopt;
  if (const auto* p = std::get_if<ParallelState>(&st.body))
    return e.kind == EdgeKind::Next ? path(p->output) : std::nullopt;
  if (const auto* m = std::get_if<MapState>(&st.body))
    return e.kind == EdgeKind::Next ? path(m->output) : std::nullopt;
  return std::nullopt;
}

class DataFlow {
 public:
  DataFlow(const StateGraph& g, const ActivityCatalog& catalog, Diagnostics& out)
      : g_(g), catalog_(catalog), out_(out), in_(g.nodes.size()) {
    // Every write anywhere, also of states that end their scope (no edge leaves them).
    for (int n = 0; n < static_cast<int>(g.nodes.size()); ++n) {
      const State& st = *g.nodes[n].state;
      if (st.opaque) continue;
      auto add = [&](const std::optional<Path>& p) {
        if (!p) return;
        for (auto& w : read_paths(p->source)) writers_[index(w)].push_back(n);
      };
      if (const auto* t = std::get_if<TaskState>(&st.body)) {
        add(t->output);
        for (const auto& c : t->catches) add(c.output);
      } else if (const auto* w = std::get_if<WaitState>(&st.body)) {
        add(w->output);
      } else if (const auto* a = std::get_if<ApprovalState>(&st.body)) {
        if (a->on_changes_requested) add(a->on_changes_requested->output);
      } else if (const auto* p = std::get_if<ParallelState>(&st.body)) {
        add(p->output);
      } else if (const auto* m = std::get_if<MapState>(&st.body)) {
        add(m->output);
      }
    }
    item_ = index(ReadPath{{"item"}});
    index_ = index(ReadPath{{"index"}});
    edge_writes_.resize(g.nodes.size());
    for (int n = 0; n < static_cast<int>(g.nodes.size()); ++n)
      for (const auto& e : g.nodes[n].edges) {
        auto w = e.target < 0 ? std::nullopt : written_by(*g.nodes[n].state, e);
        edge_writes_[n].push_back(w ? index(*w) : -1);
      }
  }

  void run() {
    solve_all();
    for (int n = 0; n < static_cast<int>(g_.nodes.size()); ++n) check(n);
  }

  void solve_all() {
    // Scopes were added parents first, so a child's entry is known when it is reached.
    for (int s = 0; s < static_cast<int>(g_.scopes.size()); ++s) solve(s);
  }

  // The paths certainly set on arrival at each reachable node, by state name.
  std::map<std::string, std::vector<ReadPath>> written() const {
    std::map<std::string, std::vector<ReadPath>> out;
    for (int n = 0; n < static_cast<int>(g_.nodes.size()); ++n) {
      if (!in_[n]) continue;
      auto& paths = out[g_.nodes[n].state->name];
      for (int w = 0; w < static_cast<int>(paths_.size()); ++w)
        if (in_[n]->test(w) && w != item_ && w != index_) paths.push_back(paths_[w]);
    }
    return out;
  }

 private:
  // The number of a written path (numbered as first seen), with its prefixes indexed.
  int index(const ReadPath& p) {
    auto [it, fresh] = numbers_.emplace(p.text(), static_cast<int>(paths_.size()));
    if (!fresh) return it->second;
    paths_.push_back(p);
    writers_.emplace_back();
    ReadPath prefix;
    for (const auto& seg : p.segments) {
      prefix.segments.push_back(seg);
      under_[prefix.text()].push_back(it->second);
    }
    return it->second;
  }

  // The written paths that overlap `p`: those inside it, and those it lies inside.
  std::vector<int> overlapping(const ReadPath& p) const {
    std::vector<int> out;
    if (auto it = under_.find(p.text()); it != under_.end()) out = it->second;
    ReadPath prefix;
    for (std::size_t i = 0; i + 1 < p.segments.size(); ++i) {
      prefix.segments.push_back(p.segments[i]);
      if (auto it = numbers_.find(prefix.text()); it != numbers_.end()) out.push_back(it->second);
    }
    return out;
  }

  void solve(int s) {
    const auto& scope = g_.scopes[s];
    if (scope.start < 0) return;
    Bits entry(paths_.size());
    if (scope.parent_node >= 0) {
      const auto& parent_in = in_[scope.parent_node];
      if (!parent_in) return;  // the parent is unreachable
      entry = *parent_in;
      if (std::holds_alternative<MapState>(g_.nodes[scope.parent_node].state->body)) {
        entry.set(item_);
        entry.set(index_);
      }
    }
    in_[scope.start] = entry;
    // Forward, meeting by intersection, until nothing changes (sets only shrink).
    for (bool changed = true; changed;) {
      changed = false;
      for (int n : scope.nodes) {
        if (!in_[n]) continue;
        const auto& edges = g_.nodes[n].edges;
        for (std::size_t k = 0; k < edges.size(); ++k) {
          int target = edges[k].target;
          if (target < 0) continue;
          Bits out = *in_[n];
          if (int w = edge_writes_[n][k]; w >= 0) out.set(w);
          auto& at = in_[target];
          if (!at) {
            at = std::move(out);
            changed = true;
            continue;
          }
          // The entry itself is always set at the scope's start.
          if (target == scope.start) continue;
          changed = at->meet(out) || changed;
        }
      }
    }
  }

  // Whether `p` is certainly set at node `n`; otherwise the states that write it.
  std::optional<std::vector<int>> unset(const ReadPath& p, int n) const {
    if (p.segments.empty() || !in_[n]) return std::nullopt;
    auto near = overlapping(p);
    for (int w : near)
      if (in_[n]->test(w)) return std::nullopt;
    std::vector<int> writers;
    for (int w : near) writers.insert(writers.end(), writers_[w].begin(), writers_[w].end());
    if (writers.empty()) return std::nullopt;  // the instance's input
    std::sort(writers.begin(), writers.end());
    writers.erase(std::unique(writers.begin(), writers.end()), writers.end());
    return writers;
  }

  // Whether `to` is reachable from `from` by transitions within `from`'s scope.
  bool reaches(int from, int to) const {
    std::set<int> seen{from};
    std::vector<int> todo{from};
    while (!todo.empty()) {
      int v = todo.back();
      todo.pop_back();
      for (const auto& e : g_.nodes[v].edges) {
        if (e.target < 0) continue;
        if (e.target == to) return true;
        if (seen.insert(e.target).second) todo.push_back(e.target);
      }
    }
    return false;
  }

  // Whether node `w` lies in a scope that encloses (or is) node `n`'s scope.
  bool encloses(int w, int n) const {
    for (int s = g_.nodes[n].scope; s >= 0;) {
      if (g_.nodes[w].scope == s) return true;
      int owner = g_.scopes[s].parent_node;
      s = owner < 0 ? -1 : g_.nodes[owner].scope;
    }
    return false;
  }

  void read(const Expression& e, int n, const std::string& what, bool money) {
    for (const auto& p : read_paths(e.source)) {
      auto writers = unset(p, n);
      if (!writers) continue;
      std::vector<int> enclosing;
      for (int w : *writers)
        if (encloses(w, n)) enclosing.push_back(w);
      std::string at = "state '" + g_.nodes[n].state->name + "': " + what + " reads " + p.text();
      if (enclosing.empty()) {
        int w = writers->front();
        out_.push_back(
            {e.span, codes::kMaybeUnset,
             at + ", which is not there: only '" + g_.nodes[w].state->name +
                 "' writes it, inside " + g_.scopes[g_.nodes[w].scope].label + " of '" +
                 g_.nodes[g_.scopes[g_.nodes[w].scope].parent_node].state->name +
                 "', and a branch's writes stay in the branch (only its result reaches the "
                 "parallel's or map's output: read it there)",
             money ? Severity::Error : Severity::Warning});
        continue;
      }
      bool later = std::all_of(enclosing.begin(), enclosing.end(), [&](int w) {
        return g_.nodes[w].scope == g_.nodes[n].scope && reaches(n, w);
      });
      if (later) continue;  // a correction loop: the first arrival reads the input
      std::string names;
      for (int w : enclosing)
        names += (names.empty() ? "'" : ", '") + g_.nodes[w].state->name + "'";
      out_.push_back({e.span, codes::kMaybeUnset,
                      at +
                          ", which may be unset here unless the instance's input provides it: "
                          "not every path to this state passes " +
                          names,
                      Severity::Warning});
    }
  }

  void check(int n) {
    const State& st = *g_.nodes[n].state;
    if (st.opaque || !in_[n]) return;
    if (const auto* t = std::get_if<TaskState>(&st.body)) {
      const auto* info = catalog_.find(t->activity);
      bool financial = info && info->financial;
      if (t->input)
        for (const auto& e : t->input->expressions)
          read(e, n, financial ? "financial input" : "input", financial);
    } else if (const auto* c = std::get_if<ChoiceState>(&st.body)) {
      for (const auto& r : c->choices) read(r.when, n, "condition", false);
    } else if (const auto* a = std::get_if<ApprovalState>(&st.body)) {
      for (const auto& f : a->subject_fields)
        read(f.from, n, "subject field '" + f.name + "'", true);
      if (a->subject) read(*a->subject, n, "subject", true);
    } else if (const auto* w = std::get_if<WaitState>(&st.body)) {
      if (w->until) read(*w->until, n, "until", false);
    } else if (const auto* m = std::get_if<MapState>(&st.body)) {
      read(m->items, n, "items", false);
    } else if (const auto* s = std::get_if<SucceedState>(&st.body)) {
      if (s->output) read(*s->output, n, "output", false);
    }
  }

  const StateGraph& g_;
  const ActivityCatalog& catalog_;
  Diagnostics& out_;
  std::vector<ReadPath> paths_;                    // every written path, by number
  std::map<std::string, int> numbers_;             // a written path's text → its number
  std::map<std::string, std::vector<int>> under_;  // a prefix's text → the paths inside it
  std::vector<std::vector<int>> writers_;          // by number: the nodes that write it
  std::vector<std::vector<int>> edge_writes_;      // by node and edge: what it writes, or -1
  int item_ = 0, index_ = 0;                       // a map iteration's .item and .index
  std::vector<std::optional<Bits>> in_;            // certainly written on entry; nullopt: unreached
};

}  // namespace

void check_dataflow(const Definition& def, const ActivityCatalog& catalog, Diagnostics& out) {
  StateGraph g(def);
  DataFlow(g, catalog, out).run();
}

}  // namespace covenant::workflows::detail

namespace covenant::workflows {
namespace {
class NoActivities : public ActivityCatalog {
 public:
  const ActivityInfo* find(std::string_view) const override { return nullptr; }
  std::vector<const ActivityInfo*> all() const override { return {}; }
};
}  // namespace

std::map<std::string, std::vector<ReadPath>> certainly_written(const Definition& def) {
  StateGraph g(def);
  NoActivities none;
  Diagnostics unused;
  detail::DataFlow flow(g, none, unused);
  flow.solve_all();
  return flow.written();
}

}  // namespace covenant::workflows
