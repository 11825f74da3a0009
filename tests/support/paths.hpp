// Where tests find the repository's files (definitions, docs, test cases).
#pragma once

#include <filesystem>

namespace covenant::testing {

// The repository root, compiled in by CMake.
std::filesystem::path source_dir();

}  // namespace covenant::testing
