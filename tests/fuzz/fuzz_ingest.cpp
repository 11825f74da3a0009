// libFuzzer target: arbitrary bytes as a contract document — read as PDF (poppler) when they
// start with "%PDF-", else as UTF-8 text — then, when they read, through the term extractor
// (what ingest.contract and extract.terms do with an uploaded file). A document answers with
// its text or a reason it cannot be read; a crash, an escaping exception or a sanitizer report
// is a bug. Run: scripts/fuzz ingest [seconds]
#include "activities/extract/extractor.hpp"
#include "activities/ingest/read_document.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const covenant::activities::extract::RuleExtractor extractor;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto doc = covenant::activities::ingest::read_document(bytes, "");
  if (!doc) {
    if (doc.error().empty()) __builtin_trap();  // refused without saying why
    return 0;
  }
  auto terms = extractor.extract(doc->text);
  (void)terms;
  return 0;
}
