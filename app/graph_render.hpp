// Turns DOT text into SVG with Graphviz's library (the "dot" layout). Graphviz keeps global
// state inside its context, so calls are serialised by a mutex: thread-safe, not parallel.
#pragma once

#include <tl/expected.hpp>

#include <string>

namespace covenant::app {

tl::expected<std::string, std::string> render_svg(const std::string& dot);

}  // namespace covenant::app
