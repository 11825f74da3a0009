#include "activities/ingest/read_document.hpp"

#include "workflows/expressions.hpp"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>
#include <regex>
#include <vector>

namespace covenant::activities::ingest {
namespace {

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The first chunk a line-breaker would move: up to a space, or through a hyphen.
std::string_view first_chunk(std::string_view line) {
  std::size_t end = 0;
  while (end < line.size() && line[end] != ' ') {
    if (line[end] == '-' && end > 0) return line.substr(0, end + 1);
    ++end;
  }
  return line.substr(0, end);
}

bool starts_item(std::string_view line) {
  static const std::regex item(
      R"(^\s*(?:\(?[0-9]{1,3}(?:\.[0-9]{1,3})*[.)]|\([a-zA-Z]{1,4}\)|[a-zA-Z][.)]\s|(?:[-*]|\xE2\x80\xA2)\s|(?:Section|SECTION|Article|ARTICLE|Schedule|SCHEDULE|Exhibit|EXHIBIT)\s+[0-9IVXA-Z]).*)");
  return std::regex_match(line.begin(), line.end(), item);
}

bool heading(std::string_view line) {
  bool letters = false;
  for (char c : line) {
    if (std::islower(static_cast<unsigned char>(c))) return false;
    letters |= std::isupper(static_cast<unsigned char>(c)) != 0;
  }
  return letters;
}

}  // namespace

std::string reflow(const std::string& text, const std::vector<std::size_t>& columns) {
  // Lines, each with what ended it ("\n", "\n\f", "\f" or nothing at the end).
  struct Line {
    std::string_view body, end;
  };
  std::vector<Line> lines;
  std::string_view rest(text);
  while (!rest.empty()) {
    std::size_t nl = rest.find_first_of("\n\f");
    if (nl == std::string_view::npos) {
      lines.push_back({rest, {}});
      break;
    }
    std::size_t after = nl + 1;
    if (rest[nl] == '\n' && after < rest.size() && rest[after] == '\f') ++after;
    lines.push_back({rest.substr(0, nl), rest.substr(nl, after - nl)});
    rest.remove_prefix(after);
  }
  // The measure: the length most full lines reach. Not the longest line: a table or a
  // spaced-out line would make every other line look short.
  std::vector<std::size_t> length(lines.size(), 0);
  std::size_t filled = 0;
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (!trim(lines[i].body).empty()) length[i] = code_points(trim(lines[i].body)), ++filled;
  if (!columns.empty() && columns.size() == filled)
    for (std::size_t i = 0, k = 0; i < lines.size(); ++i)
      if (length[i] > 0) length[i] = columns[k++];
  std::vector<std::size_t> lengths;
  for (auto n : length)
    if (n > 0) lengths.push_back(n);
  std::size_t width = 0;
  if (!lengths.empty()) {
    std::sort(lengths.begin(), lengths.end());
    width = lengths[lengths.size() * 9 / 10];
  }
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view body = trim(lines[i].body);
    out.append(lines[i].body);
    if (lines[i].end.empty()) break;
    bool soft = false;
    if (i + 1 < lines.size() && !body.empty()) {
      std::string_view next = lines[i + 1].body;
      std::size_t lead = next.find_first_not_of(' ');
      // "(30) days" after "thirty" goes on the sentence; "(a)" after "may:" starts an item.
      bool mid_sentence =
          std::isalnum(static_cast<unsigned char>(body.back())) || body.back() == ',';
      bool item = starts_item(next) && !(mid_sentence && next.front() == '(');
      if (lead != std::string_view::npos && lead == 0 && !item &&
          !(heading(body) && length[i] < width / 2)) {
        std::size_t need =
            length[i] + (body.back() == '-' ? 0 : 1) + code_points(first_chunk(next));
        soft = need > width;
      }
    }
    if (!soft) {
      out.append(lines[i].end);
      continue;
    }
    // Trailing blanks of the line go; a hyphen joins directly.
    out.resize(out.size() - (lines[i].body.size() - body.size()));
    if (body.back() != '-') out += ' ';
  }
  return out;
}

namespace {

// Each line of a page as laid out, in columns: its words' characters, and its indent and the
// gaps between words in spaces (a gap over the width of a space is a run of spaces). Words
// are on one line when their boxes share a baseline (within half their height).
std::vector<std::size_t> line_columns(const poppler::page& page) {
  struct Word {
    double x, y, w, h;
    std::size_t chars;
  };
  std::vector<Word> words;
  for (const auto& box : page.text_list()) {
    auto r = box.bbox();
    auto text = box.text().to_utf8();
    words.push_back({r.x(), r.y() + r.height(), r.width(), r.height(),
                     code_points(std::string_view(text.data(), text.size()))});
  }
  // poppler lists words by blocks; lines are rows of words top to bottom, each left to right.
  std::stable_sort(words.begin(), words.end(),
                   [](const Word& a, const Word& b) { return a.y < b.y; });
  std::vector<std::vector<Word>> lines;
  for (const auto& w : words) {
    if (lines.empty() || std::abs(lines.back().front().y - w.y) > w.h / 2) lines.emplace_back();
    lines.back().push_back(w);
  }
  for (auto& l : lines)
    std::stable_sort(l.begin(), l.end(), [](const Word& a, const Word& b) { return a.x < b.x; });
  // A space's width: the most common gap between two words of a line.
  std::vector<double> gaps;
  double left = 1e9;
  for (const auto& l : lines) {
    left = std::min(left, l.front().x);
    for (std::size_t k = 1; k < l.size(); ++k) gaps.push_back(l[k].x - (l[k - 1].x + l[k - 1].w));
  }
  double space = 0;
  if (!gaps.empty()) {
    std::sort(gaps.begin(), gaps.end());
    space = gaps[gaps.size() / 4];  // runs of spaces are rarer than single ones
  }
  std::vector<std::size_t> out;
  for (const auto& l : lines) {
    auto spaces = [&](double gap) {
      return space > 0.1 ? static_cast<std::size_t>(std::max(0.0, gap / space + 0.5)) : 1;
    };
    std::size_t n = spaces(l.front().x - left);
    for (std::size_t k = 0; k < l.size(); ++k) {
      n += l[k].chars;
      if (k > 0) n += std::max<std::size_t>(1, spaces(l[k].x - (l[k - 1].x + l[k - 1].w)));
    }
    out.push_back(n);
  }
  return out;
}

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
  std::vector<std::size_t> columns;
  bool laid_out = true;
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) return tl::unexpected("page " + std::to_string(i + 1) + " cannot be read");
    if (i > 0) out.text += '\f';
    auto utf8 = page->text(poppler::rectf(), poppler::page::physical_layout).to_utf8();
    std::string text(utf8.begin(), utf8.end());
    // poppler ends a page with a form feed of its own; pages are joined with one below.
    while (!text.empty() && text.back() == '\f') text.pop_back();
    if (laid_out) {
      auto page_columns = line_columns(*page);
      std::size_t lines = 0;
      for (std::size_t at = 0; at < text.size();) {
        std::size_t end = std::min(text.find('\n', at), text.size());
        if (!trim(std::string_view(text).substr(at, end - at)).empty()) ++lines;
        at = end + 1;
      }
      // The positions describe these lines only when there are as many of them.
      if (page_columns.size() == lines)
        columns.insert(columns.end(), page_columns.begin(), page_columns.end());
      else
        laid_out = false;
    }
    out.text += text;
  }
  out.text = reflow(out.text, laid_out ? columns : std::vector<std::size_t>{});
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
