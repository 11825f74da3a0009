#include "workflows/yaml_bounds.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/node/node.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <sstream>
#include <vector>

namespace covenant::workflows {

namespace {

// Thrown from the handler to stop the parse at the first bound crossed.
struct Crossed {
  YamlBoundsRefusal refusal;
};

class Counter final : public YAML::EventHandler {
 public:
  explicit Counter(const YamlLimits& limits) : limits_(limits) {}

  void OnDocumentStart(const YAML::Mark&) override { open_.assign(1, {0, 0}); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override { leaf(m, anchor); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    leaf(m, anchor);
  }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override {
    if (++aliases_ > limits_.max_aliases)
      refuse(m, "more than " + std::to_string(limits_.max_aliases) + " aliases");
    auto it = sizes_.find(anchor);
    std::size_t n = it == sizes_.end() ? 1 : it->second;
    alias_nodes_ += n;
    if (alias_nodes_ > limits_.max_alias_nodes)
      refuse(m, "more than " + std::to_string(limits_.max_alias_nodes) +
                    " nodes reached through aliases");
    add(m, n);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(m, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(m, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    std::size_t nodes;  // expanded nodes inside so far, itself included
    YAML::anchor_t anchor;
  };

  [[noreturn]] static void refuse(const YAML::Mark& m, const std::string& why) {
    throw Crossed{{m.line + 1, m.column + 1, why}};
  }
  // `n` more expanded nodes: counted in the whole text and in the open container.
  void add(const YAML::Mark& m, std::size_t n) {
    total_ += n;
    if (total_ > limits_.max_nodes)
      refuse(m, "more than " + std::to_string(limits_.max_nodes) + " nodes");
    open_.back().nodes += n;
  }
  void leaf(const YAML::Mark& m, YAML::anchor_t anchor) {
    add(m, 1);
    if (anchor) sizes_[anchor] = 1;
  }
  void open(const YAML::Mark& m, YAML::anchor_t anchor) {
    if (static_cast<int>(open_.size()) > limits_.max_depth)
      refuse(m, "nested more than " + std::to_string(limits_.max_depth) + " levels deep");
    add(m, 1);
    open_.back().nodes -= 1;  // counted again, whole, when it closes
    open_.push_back({1, anchor});
  }
  void close() {
    Open done = open_.back();
    open_.pop_back();
    if (done.anchor) sizes_[done.anchor] = done.nodes;
    open_.back().nodes += done.nodes;
  }

  const YamlLimits& limits_;
  std::vector<Open> open_{{0, 0}};
  std::map<YAML::anchor_t, std::size_t> sizes_;
  std::size_t total_ = 0, alias_nodes_ = 0;
  int aliases_ = 0;
};

}  // namespace

std::optional<YamlBoundsRefusal> check_yaml_bounds(std::string_view text,
                                                   const YamlLimits& limits) {
  std::istringstream in{std::string(text)};
  try {
    YAML::Parser parser(in);
    Counter counter(limits);
    while (parser.HandleNextDocument(counter)) {
    }
  } catch (const Crossed& c) {
    return c.refusal;
  } catch (const YAML::Exception&) {  // malformed: the loader says where
  }
  return std::nullopt;
}

bool may_hold_aliases(std::string_view text) { return text.find('*') != std::string_view::npos; }

std::optional<YamlBoundsRefusal> check_yaml_bounds(const YAML::Node& root,
                                                   const YamlLimits& limits) {
  // Depth first, with the nesting of each node: containers up to max_depth levels.
  std::vector<std::pair<YAML::Node, int>> todo = {{root, 0}};
  std::size_t nodes = 0;
  auto refuse = [](const YAML::Node& n, std::string why) {
    YAML::Mark m = n.Mark();
    return YamlBoundsRefusal{m.line + 1, m.column + 1, std::move(why)};
  };
  while (!todo.empty()) {
    auto [node, depth] = todo.back();
    todo.pop_back();
    if (!node.IsDefined()) continue;
    if (++nodes > limits.max_nodes)
      return refuse(node, "more than " + std::to_string(limits.max_nodes) + " nodes");
    if (!node.IsMap() && !node.IsSequence()) continue;
    if (depth >= limits.max_depth)
      return refuse(node, "nested more than " + std::to_string(limits.max_depth) + " levels deep");
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (node.IsMap()) {
        todo.emplace_back(it->first, depth + 1);
        todo.emplace_back(it->second, depth + 1);
      } else {
        todo.emplace_back(*it, depth + 1);
      }
    }
  }
  return std::nullopt;
}

}  // namespace covenant::workflows
