// workflows::validate — the semantic checks of a loaded definition: references, reachability,
// termination, loops, activities and their inputs, approval quorum and — the financial
// control — that every path from `start` to a financial task passes an approval state that
// authorizes that activity. Returns every problem found, each located. Pure.
#pragma once

#include "workflows/activity_catalog.hpp"
#include "workflows/diagnostics.hpp"
#include "workflows/loader.hpp"
#include "workflows/model.hpp"
#include "workflows/read_paths.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace covenant::workflows {

Diagnostics validate(const Definition& def, const ActivityCatalog& catalog);

// load + validate, diagnostics sorted by position. `definition` is set even when there are
// errors, as far as it could be read; callers must check has_errors(diagnostics).
LoadResult check(const std::string& yaml_text, const std::string& file,
                 const ActivityCatalog& catalog);
LoadResult check_file(const std::string& path, const ActivityCatalog& catalog);

// The context paths certainly written when the flow arrives at each reachable state, by state
// name (the data-flow pass's own sets): what an instance moved to that state may be expected
// to hold (covenant migrate).
std::map<std::string, std::vector<ReadPath>> certainly_written(const Definition& def);

// Internal passes, one file each; exposed for the validator's own use.
namespace detail {
void check_structure(const Definition& def, Diagnostics& out);
void check_activities(const Definition& def, const ActivityCatalog& catalog, Diagnostics& out);
void check_approvals(const Definition& def, const ActivityCatalog& catalog, Diagnostics& out);
void check_dataflow(const Definition& def, const ActivityCatalog& catalog, Diagnostics& out);
}  // namespace detail

}  // namespace covenant::workflows
