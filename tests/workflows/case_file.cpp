#include "tests/workflows/case_file.hpp"

#include <algorithm>
#include <fstream>
#include <regex>

namespace covenant::testing {

std::vector<ExpectedDiagnostic> read_expectations(const std::filesystem::path& file) {
  static const std::regex re(R"(^#\s*expect:\s*(\S+)\s+(\d+):(\d+)(?:\s+\"(.*)\")?\s*$)");
  std::vector<ExpectedDiagnostic> out;
  std::ifstream in(file);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::smatch m;
    if (std::regex_match(line, m, re))
      out.push_back({m[1], std::stoi(m[2]), std::stoi(m[3]), m[4], n});
  }
  return out;
}

std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir,
                                            const std::string& ext) {
  std::vector<std::filesystem::path> out;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ext) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace covenant::testing
