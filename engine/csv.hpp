// CSV cells (RFC 4180) for exports that finance opens in a spreadsheet.
#pragma once

#include <string>

namespace covenant::engine {

// Quoted when it holds a comma, a quote or a line break; quotes doubled.
inline std::string csv_quote(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// A cell of text that came from outside (a customer's name, an owner): one a spreadsheet would
// run as a formula (=, +, -, @, a tab or a carriage return first) is kept as text by a leading
// apostrophe, then quoted. Numbers the export writes itself go through csv_quote.
inline std::string csv_text(const std::string& s) {
  if (!s.empty() && std::string("=+-@\t\r").find(s[0]) != std::string::npos)
    return csv_quote("'" + s);
  return csv_quote(s);
}

}  // namespace covenant::engine
