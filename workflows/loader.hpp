// workflows::load — YAML text to the syntax tree of docs/language.md.
// The loader reports structural problems (YAML syntax, unknown or missing fields, wrong
// types, bad durations, jq syntax errors) with file:line:column, all of them in one pass,
// and still returns as much of the definition as it could read so that the validator can
// report the semantic problems too. Pure: no I/O except load_file's read of the file.
#pragma once

#include "workflows/diagnostics.hpp"
#include "workflows/model.hpp"

#include <optional>
#include <string>

namespace covenant::workflows {

struct LoadResult {
  // Absent only when nothing usable was read (YAML syntax error, or not a mapping).
  std::optional<Definition> definition;
  Diagnostics diagnostics;
};

// `file` is used in spans and messages only.
LoadResult load(const std::string& yaml_text, const std::string& file);

// Reads `path` and loads it; an unreadable file is reported as a diagnostic at path:0:0.
LoadResult load_file(const std::string& path);

}  // namespace covenant::workflows
