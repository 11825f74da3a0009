#include "workflows/loader.hpp"

#include <catch2/catch.hpp>

using namespace covenant::workflows;

namespace {

const char* kMinimal = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: tiny, owner: revops }
start: work
states:
  work:
    type: task
    activity: work.do
    input: { what: "${ .thing }", count: 3, ratio: 0.5, flag: true, none: null, text: "42" }
    output: .result
    retry: { max_attempts: 4, initial_interval: 2s, max_interval: PT1M, multiplier: 3, jitter: 0.25, errors: [Unavailable] }
    timeout: 30s
    catch:
      - { errors: ["*"], next: failed, output: .error }
    next: done
  done: { type: succeed }
  failed: { type: fail, error: WorkFailed, cause: it broke }
)";

}  // namespace

TEST_CASE("The loader reads a task with all its parts and keeps positions") {
  auto r = load(kMinimal, "tiny.yaml");
  REQUIRE(r.diagnostics.empty());
  REQUIRE(r.definition);
  const auto& def = *r.definition;
  CHECK(def.name == "tiny");
  CHECK(def.owner == "revops");
  REQUIRE(def.root.states.size() == 3);
  const State& work = def.root.states[0];
  CHECK(work.name == "work");
  CHECK(work.span.file == "tiny.yaml");
  CHECK(work.span.line == 6);
  CHECK(work.span.column == 3);
  const auto& t = std::get<TaskState>(work.body);
  CHECK(t.activity == "work.do");
  CHECK(t.activity_span.line == 8);
  CHECK(t.activity_span.column == 15);
  REQUIRE(t.input);
  CHECK(t.input->value["what"] == "${ .thing }");
  CHECK(t.input->value["count"] == 3);
  CHECK(t.input->value["ratio"] == 0.5);
  CHECK(t.input->value["flag"] == true);
  CHECK(t.input->value["none"].is_null());
  CHECK(t.input->value["text"] == "42");  // quoted: stays a string
  REQUIRE(t.input->expressions.size() == 1);
  CHECK(t.input->expressions[0].source == ".thing");
  CHECK(t.input->expressions[0].span.line == 9);
  CHECK(t.input->expressions[0].span.column == 21);  // at "${", inside the quotes
  REQUIRE(t.retry);
  CHECK(t.retry->max_attempts == 4);
  CHECK(t.retry->initial_interval.seconds == 2);
  CHECK(t.retry->max_interval.seconds == 60);
  CHECK(t.retry->multiplier == 3);
  CHECK(t.retry->jitter == 0.25);
  CHECK(t.retry->errors == std::vector<std::string>{"Unavailable"});
  CHECK(t.timeout->seconds == 30);
  REQUIRE(t.catches.size() == 1);
  CHECK(t.catches[0].next.name == "failed");
  CHECK(t.then.next->name == "done");
  CHECK(std::get<FailState>(def.root.states[2].body).error == "WorkFailed");
}

TEST_CASE("A YAML syntax error is located and nothing else is claimed") {
  auto r = load("apiVersion: covenant/v1\nstates: [\n", "broken.yaml");
  CHECK_FALSE(r.definition);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].code == "yaml-syntax");
  CHECK(r.diagnostics[0].span.file == "broken.yaml");
  CHECK(r.diagnostics[0].span.line >= 2);
}

TEST_CASE("An unquoted expression with ': ' gets a hint to quote it") {
  auto r = load("apiVersion: covenant/v1\nx: ${ {a: .b} }\n", "hint.yaml");
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].message.find("must be quoted") != std::string::npos);
}

TEST_CASE("A document that is not a mapping is refused") {
  for (const char* text : {"", "- a\n- b\n", "just text"}) {
    auto r = load(text, "x.yaml");
    CHECK_FALSE(r.definition);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].code == "wrong-type");
  }
}

TEST_CASE("A missing file is an io-error diagnostic, not an exception") {
  auto r = load_file("/nonexistent/definition.yaml");
  CHECK_FALSE(r.definition);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].code == "io-error");
}

TEST_CASE("Formatting a diagnostic gives file:line:col, the message and the code") {
  Diagnostic d{{"definitions/x.yaml", 14, 7},
               "unknown-field",
               "state 'bill': unknown field 'nxt' (did you mean 'next'?)",
               Severity::Error};
  CHECK(format(d) ==
        "definitions/x.yaml:14:7: state 'bill': unknown field 'nxt' (did you mean 'next'?) "
        "[unknown-field]");
  d.severity = Severity::Warning;
  CHECK(format(d).find(": warning: ") != std::string::npos);
}
