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

}  // namespace covenant::workflows
