// Writing JSON text by hand where the store builds it without a DOM (batch rows, history rows).
#pragma once

#include <string>
#include <string_view>

namespace covenant::engine::store {

// Appends `s` as a JSON string: quotes, backslashes and control bytes escaped; other bytes as
// they are (the text is UTF-8 already).
inline void append_json_string(std::string& out, std::string_view s) {
  static constexpr const char* kHex = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  out += '"';
}

}  // namespace covenant::engine::store
