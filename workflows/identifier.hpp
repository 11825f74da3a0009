// The characters of a jq identifier (field names after `.`, variables after `$`, function
// names): shared by the expression checker and the read-path analysis.
#pragma once

#include <cctype>

namespace covenant::workflows {

inline bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
inline bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace covenant::workflows
