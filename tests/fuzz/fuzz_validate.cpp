// libFuzzer target: arbitrary bytes through load, validate, compile and DOT rendering.
// Any crash, hang, leak or sanitizer report is a bug; the input that caused it belongs in
// tests/regressions/fuzz/ so workflows_test replays it forever. Run: scripts/fuzz [seconds]
#include "activities/catalog.hpp"
#include "workflows/compiler.hpp"
#include "workflows/graph_dot.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const covenant::activities::BuiltinCatalog catalog;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto result = covenant::workflows::compile(text, "fuzz.yaml", catalog);
  if (result.workflow) {
    std::string dot = covenant::workflows::to_dot(result.workflow->definition(), catalog);
    if (dot.empty()) __builtin_trap();  // a compiled workflow always draws
  } else if (!covenant::workflows::has_errors(result.diagnostics)) {
    __builtin_trap();  // refused without saying why
  }
  return 0;
}
