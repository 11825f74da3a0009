#include "tests/support/paths.hpp"

namespace covenant::testing {

std::filesystem::path source_dir() { return COVENANT_SOURCE_DIR; }

}  // namespace covenant::testing
