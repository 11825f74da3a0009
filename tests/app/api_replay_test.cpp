// Replays the API fuzzer's seeds and every request it once found failing
// (tests/regressions/api) through the API handler: none may answer a 5xx other than 503,
// carry an exception's text, or crash.
#include "tests/fuzz/api_harness.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

TEST_CASE("The API fuzzer's seeds and regressions answer without a 5xx or exception text") {
  covenant::testing::ApiHarness harness;
  int replayed = 0;
  for (const char* dir : {"tests/fuzz/api_seeds", "tests/regressions/api"}) {
    auto root = std::filesystem::path(COVENANT_SOURCE_DIR) / dir;
    REQUIRE(std::filesystem::is_directory(root));
    for (const auto& entry : std::filesystem::directory_iterator(root)) {
      if (entry.path().extension() != ".txt") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      auto r = harness.handle(bytes.str());
      INFO(entry.path().filename().string() << " answered " << r.status << ": " << r.body);
      CHECK_FALSE(harness.bad_answer(bytes.str(), r));
      ++replayed;
    }
  }
  CHECK(replayed >= 12);  // the seeds are there: this test cannot pass on nothing
}
