#include "workflows/graph_dot.hpp"

#include "workflows/state_graph.hpp"

#include <sstream>

namespace covenant::workflows {
namespace {

std::string esc(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string shorten(std::string s, std::size_t max = 48) {
  if (s.size() > max) s = s.substr(0, max - 3) + "...";
  return s;
}

std::string join(const std::vector<std::string>& xs, const char* sep = ", ") {
  std::string s;
  for (const auto& x : xs) s += (s.empty() ? "" : sep) + x;
  return s;
}

struct Style {
  std::string attrs;
  std::string label;
};

Style style_of(const State& st, const ActivityCatalog& catalog) {
  std::string name = st.name;
  if (st.opaque) return {"shape=box, style=dashed", name};
  switch (st.type) {
    case StateType::Task: {
      const auto& t = std::get<TaskState>(st.body);
      const auto* info = catalog.find(t.activity);
      if (info && info->financial)
        return {
            "shape=box, style=\"rounded,filled,bold\", fillcolor=\"#fde2e1\", color=\"#b42318\", "
            "penwidth=2",
            name + "\n$ " + t.activity + "\n(financial writeback)"};
      return {"shape=box, style=\"rounded,filled\", fillcolor=\"#eef4ff\", color=\"#3056d3\"",
              name + "\n" + t.activity};
    }
    case StateType::Choice:
      return {"shape=diamond, style=filled, fillcolor=\"#f2f2f2\"", name};
    case StateType::Approval: {
      const auto& a = std::get<ApprovalState>(st.body);
      std::vector<std::string> roles;
      for (const auto& r : a.approvers)
        roles.push_back(r.policy.empty() ? r.role : "policy: " + r.policy);
      return {"shape=hexagon, style=filled, fillcolor=\"#fff4cc\", color=\"#b58100\", penwidth=2.5",
              name + "\nAPPROVAL: " + join(roles, " | ") + " (quorum " + std::to_string(a.quorum) +
                  ")\nauthorizes " + join(a.authorizes, "\n")};
    }
    case StateType::Wait: {
      const auto& w = std::get<WaitState>(st.body);
      std::string what = w.kind == WaitKind::Event ? "event " + w.event
                         : w.kind == WaitKind::Duration
                             ? (w.duration ? w.duration->text : "")
                             : "until " + (w.until ? shorten(w.until->source, 32) : "");
      return {"shape=ellipse, style=\"dashed,filled\", fillcolor=\"#f5f0ff\"",
              name + "\nwait: " + what};
    }
    case StateType::Parallel:
      return {"shape=box3d, style=filled, fillcolor=\"#eefaf0\"", name + "\nparallel"};
    case StateType::Map: {
      const auto& m = std::get<MapState>(st.body);
      return {"shape=box3d, style=filled, fillcolor=\"#eefaf0\"",
              name + "\nfor each " + shorten(m.items.source, 32)};
    }
    case StateType::Succeed:
      return {"shape=doublecircle, style=filled, fillcolor=\"#d1fadf\", color=\"#067647\"", name};
    case StateType::Fail:
      return {"shape=doublecircle, style=filled, fillcolor=\"#fee4e2\", color=\"#b42318\"", name};
  }
  return {"", name};
}

std::string edge_attrs(const Node& from, const Edge& e) {
  switch (e.kind) {
    case EdgeKind::Next:
      if (from.state->type == StateType::Approval)
        return "label=\"approved\", color=\"#067647\", fontcolor=\"#067647\", penwidth=2";
      return "";
    case EdgeKind::Choice:
      return "label=\"" + esc(shorten(e.label, 40)) + "\"";
    case EdgeKind::Default:
      return "label=\"otherwise\", style=dashed";
    case EdgeKind::Catch:
      return "label=\"catch " + esc(shorten(e.label, 32)) + "\", style=dashed, color=\"#b42318\"";
    case EdgeKind::Reject:
      return "label=\"rejected\", style=dashed, color=\"#b42318\", fontcolor=\"#b42318\"";
    case EdgeKind::Changes:
      return "label=\"changes requested\", style=dashed, color=\"#b54708\", fontcolor=\"#b54708\"";
    case EdgeKind::Timeout:
      return "label=\"timed out\", style=dotted, color=\"#b54708\"";
    case EdgeKind::Invalid:
      return "label=\"subject invalid\", style=dashed, color=\"#b42318\", fontcolor=\"#b42318\"";
    case EdgeKind::Enter:
      return "style=dotted";
  }
  return "";
}

class DotWriter {
 public:
  DotWriter(const Definition& def, const ActivityCatalog& catalog)
      : def_(def), catalog_(catalog), g_(def) {}

  std::string run() {
    out_ << "digraph \"" << esc(def_.name) << "\" {\n"
         << "  graph [rankdir=TB, fontname=\"Helvetica\", labelloc=t, label=\"" << esc(def_.name)
         << "\", compound=true];\n"
         << "  node [fontname=\"Helvetica\", fontsize=11];\n"
         << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
    scope(0, "  ");
    out_ << "}\n";
    return out_.str();
  }

 private:
  static std::string id(const std::string& name) { return "\"" + esc(name) + "\""; }

  void scope(int s, const std::string& indent) {
    const ScopeInfo& info = g_.scopes[s];
    std::string start_id = "\"__start_" + std::to_string(s) + "\"";
    out_ << indent << start_id
         << " [shape=circle, label=\"\", width=0.18, style=filled, fillcolor=black];\n";
    if (info.start >= 0)
      out_ << indent << start_id << " -> " << id(g_.nodes[info.start].state->name) << ";\n";
    for (int n : info.nodes) {
      const Node& node = g_.nodes[n];
      Style st = style_of(*node.state, catalog_);
      out_ << indent << id(node.state->name) << " [" << st.attrs << ", label=\"" << esc(st.label)
           << "\"];\n";
      for (const auto& e : node.edges) {
        if (e.target < 0) continue;
        std::string attrs = edge_attrs(node, e);
        out_ << indent << id(node.state->name) << " -> " << id(g_.nodes[e.target].state->name)
             << (attrs.empty() ? "" : " [" + attrs + "]") << ";\n";
      }
      for (int child : node.enters) {
        out_ << indent << "subgraph \"cluster_" << child << "\" {\n"
             << indent << "  label=\"" << esc(node.state->name + ": " + g_.scopes[child].label)
             << "\"; style=\"rounded,dashed\"; color=\"#667085\";\n";
        scope(child, indent + "  ");
        out_ << indent << "}\n";
        out_ << indent << id(node.state->name) << " -> \"__start_" << child
             << "\" [style=dotted];\n";
      }
    }
  }

  const Definition& def_;
  const ActivityCatalog& catalog_;
  StateGraph g_;
  std::ostringstream out_;
};

}  // namespace

std::string to_dot(const Definition& def, const ActivityCatalog& catalog) {
  return DotWriter(def, catalog).run();
}

}  // namespace covenant::workflows
