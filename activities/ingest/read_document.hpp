// Reading a contract document's text: plain text (UTF-8, checked) and PDF (poppler-cpp, one
// form feed between pages). Errors say what is wrong with the document, never crash on it.
#pragma once

#include <tl/expected.hpp>

#include <string>
#include <string_view>

namespace covenant::activities::ingest {

struct DocumentText {
  std::string media_type;  // "text/plain" or "application/pdf"
  std::string text;
  int pages = 0;
};

// `media_type` may be empty: then a PDF is recognised by its "%PDF-" header, else text.
tl::expected<DocumentText, std::string> read_document(std::string_view bytes,
                                                      const std::string& media_type);

}  // namespace covenant::activities::ingest
