// libFuzzer target: arbitrary request bytes through the whole HTTP API handler (routing,
// authentication, every route's parsing and the engine behind it, on a SQLite file), with no
// socket. No answer may be a 5xx other than 503, or carry an exception's text; nothing may
// crash. Run: scripts/fuzz api [seconds]. Seeds: tests/fuzz/api_seeds (replayed by app_test).
#include "tests/fuzz/api_harness.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static covenant::testing::ApiHarness harness;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (harness.bad_answer(bytes, harness.handle(bytes))) __builtin_trap();
  return 0;
}
