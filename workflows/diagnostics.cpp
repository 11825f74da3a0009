#include "workflows/diagnostics.hpp"

#include <algorithm>
#include <tuple>

namespace covenant::workflows {

std::string format(const Diagnostic& d) {
  std::string out = d.span.file.empty() ? std::string("<input>") : d.span.file;
  out += ':' + std::to_string(d.span.line) + ':' + std::to_string(d.span.column) + ": ";
  if (d.severity == Severity::Warning) out += "warning: ";
  out += d.message;
  out += " [" + d.code + ']';
  return out;
}

bool has_errors(const Diagnostics& ds) {
  return std::any_of(ds.begin(), ds.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

void sort(Diagnostics& ds) {
  std::stable_sort(ds.begin(), ds.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.span.file, a.span.line, a.span.column, a.code) <
           std::tie(b.span.file, b.span.line, b.span.column, b.code);
  });
}

}  // namespace covenant::workflows
