// Evidence storage on both databases: bytes kept exactly (binary too) once by SHA-256, the
// contract's versions numbered in order, a repeated put changing nothing, and two writers
// racing for the next version both ending with distinct versions.
#include "tests/engine/engine_fixture.hpp"
#include "workflows/sha256.hpp"

#include <thread>

using covenant::engine::store::DocumentRow;

namespace {

DocumentRow row(const std::string& content, const std::string& text) {
  return {covenant::workflows::sha256_hex(content),
          "application/pdf",
          static_cast<std::int64_t>(content.size()),
          2,
          text,
          0};
}

}  // namespace

ENGINE_TEST("Documents are stored once by SHA-256 with numbered versions per contract", documents) {
  auto& store = *fx.store_;
  std::string pdf("%PDF-1.4\n\x00\xFF\x80 binary \x01\x02", 22);
  auto doc = row(pdf, "Fees: USD 1,000.00");
  auto v1 = store.documents.put("default", doc, pdf, "C-1", "file:c1.pdf", 1000);
  REQUIRE(v1);
  CHECK(v1->version == 1);
  CHECK(v1->added);
  auto again = store.documents.put("default", doc, pdf, "C-1", "file:c1.pdf", 2000);
  REQUIRE(again);
  CHECK(again->version == 1);
  CHECK_FALSE(again->added);
  auto other = store.documents.put("default", doc, pdf, "C-2", "upload",
                                   3000);  // same bytes, other contract
  REQUIRE(other);
  CHECK(other->version == 1);
  std::string pdf2 = pdf + " amended";
  auto v2 = store.documents.put("default", row(pdf2, "Fees: USD 1,200.00"), pdf2, "C-1",
                                "file:c1b.pdf", 4000);
  REQUIRE(v2);
  CHECK(v2->version == 2);

  auto bytes = store.documents.content("default", doc.sha256);
  REQUIRE(bytes);
  REQUIRE(*bytes);
  CHECK(**bytes == pdf);
  auto got = store.documents.get("default", doc.sha256);
  REQUIRE(got);
  REQUIRE(*got);
  CHECK((*got)->text == "Fees: USD 1,000.00");
  CHECK((*got)->pages == 2);
  CHECK((*got)->bytes == 22);
  auto versions = store.documents.versions("default", "C-1");
  REQUIRE(versions);
  REQUIRE(versions->size() == 2);
  CHECK((*versions)[0].sha256 == doc.sha256);
  CHECK((*versions)[1].source == "file:c1b.pdf");
  auto none = store.documents.get("default", std::string(64, '0'));
  REQUIRE(none);
  CHECK_FALSE(*none);
  CHECK(store.documents.put("default", doc, pdf, "", "x", 1).error().code ==
        covenant::engine::ErrorCode::InvalidArgument);
}

ENGINE_TEST("Two writers giving a contract different documents at once get distinct versions",
            documents_race) {
  auto& store = *fx.store_;
  std::vector<int> got(4, 0);
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&, i] {
      std::string content = "document " + std::to_string(i);
      auto v = store.documents.put("default", row(content, content), content, "C-9", "w", i);
      got[static_cast<std::size_t>(i)] = v ? v->version : -1;
    });
  for (auto& t : ts) t.join();
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<int>{1, 2, 3, 4});
}
