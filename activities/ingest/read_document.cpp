#include "activities/ingest/read_document.hpp"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <memory>
#include <vector>

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
  std::vector<char> data(bytes.begin(), bytes.end());
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(data.data(), static_cast<int>(data.size())));
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

std::size_t first_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return i;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return i;
    if (n == 2 && c < 0xC2) return i;  // overlong
    i += n;
  }
  return std::string_view::npos;
}

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
  if (auto bad = first_invalid_utf8(bytes); bad != std::string_view::npos)
    return tl::unexpected("the text is not UTF-8 (invalid byte at offset " + std::to_string(bad) +
                          ")");
  std::string text(bytes);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // a byte-order mark is not text
  return DocumentText{"text/plain", std::move(text), 1};
}

}  // namespace covenant::activities::ingest
