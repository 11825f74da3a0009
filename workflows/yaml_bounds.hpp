// Bounds on a YAML text, checked from its parse events before a node tree is built. yaml-cpp
// shares an anchored node among its aliases, so loading is cheap — but everything after it
// (turning a task's input into JSON, hashing, storing) expands each alias in full: six levels
// of anchors in 648 bytes become 69 MB of JSON. Counting the expanded size from the events
// refuses such a text in linear time, at the alias that crosses the bound.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace YAML {
class Node;
}

namespace covenant::workflows {

struct YamlLimits {
  int max_aliases = 1000;                 // aliases in one text
  std::size_t max_alias_nodes = 100'000;  // nodes reached through aliases, expanded
  std::size_t max_nodes = 1'000'000;      // nodes in all, aliases expanded
  int max_depth = 64;                     // nested mappings and lists
};

struct YamlBoundsRefusal {
  int line = 0, column = 0;  // 1-based
  std::string message;       // names the bound
};

// Why `text` breaks a bound, or nullopt. Malformed YAML is not reported here (nullopt): the
// loader reports it with its position.
std::optional<YamlBoundsRefusal> check_yaml_bounds(std::string_view text,
                                                   const YamlLimits& limits = {});

// Whether `text` may hold an alias: an alias is written `*name`, so a text without '*' has
// none, and its loaded tree is exactly as large as it looks.
bool may_hold_aliases(std::string_view text);

// The same bounds over a tree loaded from a text without aliases: a walk of the tree, far
// cheaper than parsing the text a second time (yaml-cpp's parsing is most of a large
// definition's validation). The refusal is at the node that crosses a bound.
std::optional<YamlBoundsRefusal> check_yaml_bounds(const YAML::Node& root,
                                                   const YamlLimits& limits = {});

}  // namespace covenant::workflows
