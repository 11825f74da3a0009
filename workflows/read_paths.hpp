// The context paths a jq expression reads from its input, found by scanning its text:
// `.billing_plan.total.amount_minor`, `.collected[0].usage`. Only paths read from the
// expression's own input count: a path after a `|`, or inside the arguments of a function
// that runs them on each element (`map(.amount)`, `sort_by(.date)`), reads something else and
// is left out, and so are `$var` paths and paths inside string literals. Arguments of other
// functions (`select(.x)`, `range(0; .n)`) run on the same input, so their paths count. The
// validator uses the result for data flow and subject coverage; the engine uses it to refuse a
// condition that reads a missing value. Pure functions; no jq state.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace covenant::workflows {

struct ReadPath {
  // Field names and array indexes, in order; an index is kept as "[N]".
  std::vector<std::string> segments;
  std::string text() const;  // ".a.b[0].c"
  // Whether this path is `other` or lies inside it (.a.b is inside .a).
  bool within(const ReadPath& other) const;
};

// Which paths to report. Input: those read from the expression's own input for certain.
// Any: also every path after a `|` as if it read the input too, an over-approximation
// for checks that must not miss a read (what a financial task sends).
enum class ReadMode { Input, Any };

// The paths `program` (a jq program, without "${ }") reads from its input. A bare `.` (the
// whole input) is returned as a path with no segments.
std::vector<ReadPath> read_paths(std::string_view program, ReadMode mode = ReadMode::Input);

// The path `program` is, when it is nothing but a path (".plan.total", ".items[0]").
std::optional<ReadPath> plain_path(std::string_view program);

// The value at `path` in `root`, or null when any step is missing or of the wrong kind.
nlohmann::json value_at(const nlohmann::json& root, const ReadPath& path);

}  // namespace covenant::workflows
