#include "app/graph_render.hpp"

#include "activities/catalog.hpp"
#include "tests/support/paths.hpp"
#include "workflows/compiler.hpp"
#include "workflows/graph_dot.hpp"

#include <catch2/catch.hpp>

using namespace covenant;

namespace {

void names_of(const workflows::Scope& s, std::vector<std::string>& out) {
  for (const auto& st : s.states) {
    out.push_back(st.name);
    if (const auto* p = std::get_if<workflows::ParallelState>(&st.body))
      for (const auto& b : p->branches) names_of(b.scope, out);
    if (const auto* m = std::get_if<workflows::MapState>(&st.body)) names_of(m->iterator, out);
  }
}

}  // namespace

TEST_CASE("The contract-to-cash SVG shows every state") {
  activities::BuiltinCatalog catalog;
  auto r = workflows::compile_file(
      (testing::source_dir() / "definitions/contract-to-cash.yaml").string(), catalog);
  REQUIRE(r.workflow);
  auto svg = app::render_svg(workflows::to_dot(r.workflow->definition(), catalog));
  REQUIRE(svg);
  CHECK(svg->find("<svg") != std::string::npos);
  std::vector<std::string> names;
  names_of(r.workflow->definition().root, names);
  CHECK(names.size() >= 30);
  for (const auto& n : names) {
    INFO("state " << n);
    CHECK(svg->find("<title>" + n + "</title>") != std::string::npos);
  }
}

TEST_CASE("Bad DOT is an error value, not a crash") {
  auto svg = app::render_svg("digraph { this is not dot ");
  CHECK_FALSE(svg);
}

// A server renders graphs again and again in one process; under AddressSanitizer this once
// found Graphviz's text plugin reading a freed context on the second render.
TEST_CASE("Graphs render again and again in one process") {
  for (int i = 0; i < 3; ++i) {
    auto svg = app::render_svg("digraph { label=\"round " + std::to_string(i) + "\"; a -> b }");
    REQUIRE(svg);
    CHECK(svg->find("round " + std::to_string(i)) != std::string::npos);
  }
}
