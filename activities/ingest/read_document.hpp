// Reading a contract document's text: plain text (UTF-8, checked) and PDF (poppler-cpp, one
// form feed between pages, re-flowed: see reflow()). Errors say what is wrong with the
// document, never crash on it.
#pragma once

#include <tl/expected.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace covenant::activities::ingest {

struct DocumentText {
  std::string media_type;  // "text/plain" or "application/pdf"
  std::string text;
  int pages = 0;
};

// A PDF's text as its paragraphs were written: a line the layout broke because the next word
// did not fit (its length plus the next line's first word is over the widest line of the
// document) is joined to the next with a space, or with nothing after a hyphen ("cell-" +
// "based"), across a page break too. Blank lines, short lines, list items ("(a)" after a colon or a
// full stop, "2.", "Section 4") and headings in capitals keep their breaks. So a term split over
// two lines reads as it does in the text the PDF was made from.
//
// `columns`, when given, is each non-blank line's length as laid out (leading indent, words and
// the spaces between them, counted from positions: a PDF's text layer does not keep runs of
// spaces); without it, or when it does not match the lines, the text's own lengths are used.
std::string reflow(const std::string& text, const std::vector<std::size_t>& columns = {});

// `media_type` may be empty: then a PDF is recognised by its "%PDF-" header, else text.
tl::expected<DocumentText, std::string> read_document(std::string_view bytes,
                                                      const std::string& media_type);

}  // namespace covenant::activities::ingest
