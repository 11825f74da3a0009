#include "activities/ingest/read_document.hpp"

#include "workflows/expressions.hpp"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <memory>

namespace covenant::activities::ingest {
namespace {

// poppler reports damage on stderr as it parses; the caller gets the reason as an error.
void quiet(const std::string&, void*) {}

tl::expected<DocumentText, std::string> read_pdf(std::string_view bytes) {
  static const bool silenced = [] {
    poppler::set_debug_error_function(quiet, nullptr);
    return true;
  }();
  (void)silenced;
  // poppler reads the caller's bytes in place; they outlive the document.
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!doc) return tl::unexpected(std::string("not a readable PDF (damaged or truncated)"));
  if (doc->is_locked()) return tl::unexpected(std::string("the PDF is encrypted"));
  DocumentText out{"application/pdf", "", doc->pages()};
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) return tl::unexpected("page " + std::to_string(i + 1) + " cannot be read");
    if (i > 0) out.text += '\f';
    auto utf8 = page->text(poppler::rectf(), poppler::page::physical_layout).to_utf8();
    out.text.append(utf8.begin(), utf8.end());
  }
  bool blank = out.text.find_first_not_of(" \t\r\n\f") == std::string::npos;
  if (blank)
    return tl::unexpected(std::string(
        "the PDF has no text layer (a scan?): Covenant reads text PDFs and does not do OCR"));
  return out;
}

}  // namespace

tl::expected<DocumentText, std::string> read_document(std::string_view bytes,
                                                      const std::string& media_type) {
  if (bytes.empty()) return tl::unexpected(std::string("the document is empty"));
  bool pdf_magic = bytes.substr(0, 5) == "%PDF-";
  if (media_type == "application/pdf" || (media_type.empty() && pdf_magic)) {
    if (!pdf_magic) return tl::unexpected(std::string("declared application/pdf but is not a PDF"));
    return read_pdf(bytes);
  }
  if (!media_type.empty() && media_type != "text/plain")
    return tl::unexpected("unsupported media type '" + media_type +
                          "' (text/plain and application/pdf are read)");
  if (auto bad = workflows::invalid_utf8_at(bytes); bad != std::string_view::npos)
    return tl::unexpected("the text is not UTF-8 (invalid byte at offset " + std::to_string(bad) +
                          ")");
  std::string text(bytes);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // a byte-order mark is not text
  return DocumentText{"text/plain", std::move(text), 1};
}

}  // namespace covenant::activities::ingest
