# Writes a C++ file holding every file under DIR (the web/ folder: pages, scripts, styles),
# so `covenant serve` needs nothing beside its binary.
file(GLOB_RECURSE files RELATIVE ${DIR} ${DIR}/*.html ${DIR}/*.js ${DIR}/*.css)
list(FILTER files EXCLUDE REGEX "node_modules/")
list(SORT files)
set(body "// Generated from web/ by cmake/EmbedWeb.cmake. Do not edit.\n")
string(APPEND body "#include \"app/http/web_assets.hpp\"\n\nnamespace covenant::app::http {\n\n")
string(APPEND body "const std::map<std::string, std::string>& web_assets() {\n  static const std::map<std::string, std::string> all = {\n")
foreach(f IN LISTS files)
  file(READ ${DIR}/${f} text)
  string(APPEND body "      {\"${f}\", R\"covenant_web(${text})covenant_web\"},\n")
endforeach()
# The charting library the views draw with, from npm (web/vendor/package-lock.json pins it).
if(CHARTS)
  file(READ ${CHARTS} text)
  string(APPEND body "      {\"vendor/echarts.min.js\", R\"covenant_web(${text})covenant_web\"},\n")
endif()
string(APPEND body "  };\n  return all;\n}\n\n}  // namespace covenant::app::http\n")
file(WRITE ${OUT} "${body}")
