// Data-file test cases for the language: a YAML definition whose leading comments state the
// diagnostics it must produce, one per line:
//   # expect: <code> <line>:<column> "<fragment of the message>"
// A file with no expect line must produce no diagnostic at all.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace covenant::testing {

struct ExpectedDiagnostic {
  std::string code;
  int line = 0;
  int column = 0;
  std::string fragment;
  int header_line = 0;  // where the expectation is written, for failure messages
};

std::vector<ExpectedDiagnostic> read_expectations(const std::filesystem::path& file);

// Files with the given extension directly in `dir`, sorted by name.
std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir,
                                            const std::string& ext);

}  // namespace covenant::testing
