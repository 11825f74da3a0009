#include "workflows/graph_dot.hpp"

#include "tests/workflows/test_catalog.hpp"
#include "workflows/validator.hpp"

#include <catch2/catch.hpp>

using namespace covenant::workflows;

TEST_CASE("DOT output draws gates and financial tasks distinctly, and nested scopes") {
  covenant::testing::TestCatalog catalog;
  auto r = check(R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: drawn }
start: split
states:
  split:
    type: parallel
    branches:
      - name: left
        start: inner
        states:
          inner: { type: task, activity: work.do, end: true }
    next: gate
  gate: { type: approval, authorizes: [money.charge], subject: { data: { from: '${ . }', type: object } }, approvers: [{ role: cfo }], on_reject: no, next: charge }
  charge: { type: task, activity: money.charge, input: { amount: 1, customer: c }, next: yes }
  yes: { type: succeed }
  no: { type: fail, error: Rejected }
)",
                 "d.yaml", catalog);
  REQUIRE(r.diagnostics.empty());
  std::string dot = to_dot(*r.definition, catalog);
  CHECK(dot.find("digraph \"drawn\"") != std::string::npos);
  CHECK(dot.find("\"gate\" [shape=hexagon") != std::string::npos);
  CHECK(dot.find("APPROVAL: cfo") != std::string::npos);
  CHECK(dot.find("$ money.charge") != std::string::npos);
  CHECK(dot.find("\"gate\" -> \"charge\" [label=\"approved\"") != std::string::npos);
  CHECK(dot.find("\"gate\" -> \"no\" [label=\"rejected\"") != std::string::npos);
  CHECK(dot.find("subgraph \"cluster_1\"") != std::string::npos);
  CHECK(dot.find("\"inner\" [shape=box") != std::string::npos);
}
