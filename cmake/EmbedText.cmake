# Writes a C++ file defining `std::string_view NS::NAME()` that returns FILE's bytes, so a data
# file the code needs (the extractor's calibration table) is built into the binary.
file(READ ${FILE} text)
get_filename_component(base ${FILE} NAME)
set(body "// Generated from ${base} by cmake/EmbedText.cmake. Do not edit.\n")
string(APPEND body "#include <string_view>\n\nnamespace ${NS} {\n\n")
string(APPEND body "std::string_view ${NAME}() {\n  static constexpr std::string_view text = R\"covenant_text(${text})covenant_text\";\n  return text;\n}\n\n}  // namespace ${NS}\n")
file(WRITE ${OUT} "${body}")
