// Renders a definition as a Graphviz DOT graph. Approval gates (gold hexagons) and
// financial tasks (red, marked "$") are drawn distinctly from ordinary tasks, so a reviewer
// can see at a glance where money moves and which gate guards it. Pure: text in, text out;
// turning DOT into SVG is done by app/ with Graphviz's library.
#pragma once

#include "workflows/activity_catalog.hpp"
#include "workflows/model.hpp"

#include <string>

namespace covenant::workflows {

std::string to_dot(const Definition& def, const ActivityCatalog& catalog);

}  // namespace covenant::workflows
