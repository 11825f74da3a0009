#include "workflows/validator.hpp"

#include "tests/workflows/test_catalog.hpp"

#include <catch2/catch.hpp>

using namespace covenant::workflows;

namespace {

Diagnostics check_text(const std::string& states, const std::string& start = "a") {
  covenant::testing::TestCatalog catalog;
  std::string text =
      "apiVersion: covenant/v1\nkind: Workflow\nmetadata: { name: t }\nstart: " + start +
      "\nstates:\n" + states;
  return check(text, "t.yaml", catalog).diagnostics;
}

bool has(const Diagnostics& ds, const std::string& code, const std::string& fragment = "") {
  return std::any_of(ds.begin(), ds.end(), [&](const Diagnostic& d) {
    return d.code == code && d.message.find(fragment) != std::string::npos;
  });
}

}  // namespace

TEST_CASE("Validation reports every problem in one run") {
  auto ds = check_text(
      "  a: { type: task, activity: work.doo, nxt: b }\n"
      "  b: { type: wait, duration: 3x, next: nowhere }\n"
      "  c: { type: succeed }\n");
  CHECK(has(ds, "unknown-field", "did you mean 'next'?"));
  CHECK(has(ds, "unknown-activity", "did you mean 'work.do'?"));
  CHECK(has(ds, "bad-duration"));
  CHECK(has(ds, "unknown-state", "unknown state 'nowhere'"));
  // 'c' is unreachable too, but with an unknown target and a missing 'next' in the scope
  // that would be a guess: the causes are reported, not their echoes.
  CHECK_FALSE(has(ds, "unreachable-state"));
  CHECK(ds.size() == 4);
}

TEST_CASE("A financial task needs an approval on every path, and the path is named") {
  const std::string gate =
      "  gate: { type: approval, authorizes: [money.charge], subject: { data: { from: '${ . }', "
      "type: object } },\n"
      "          approvers: [{ role: finance }], on_reject: stop, next: charge }\n";
  const std::string charge =
      "  charge: { type: task, activity: money.charge, input: { amount: 1, customer: c }, "
      "next: done }\n  done: { type: succeed }\n  stop: { type: fail, error: Rejected }\n";
  SECTION("no gate at all") {
    auto ds = check_text("  a: { type: task, activity: work.do, next: charge }\n" + charge);
    REQUIRE(has(ds, "unapproved-financial-writeback", "along a -> charge"));
  }
  SECTION("a gate on one branch only") {
    auto ds = check_text(
        "  a: { type: choice, choices: [{ when: '${ .x }', next: gate }], default: charge }\n" +
        gate + charge);
    CHECK(has(ds, "unapproved-financial-writeback", "along a -> charge"));
  }
  SECTION("the reject edge does not authorize") {
    auto ds = check_text(
        "  a: { type: approval, authorizes: [money.charge], subject: { data: { from: '${ . }', "
        "type: object } },\n"
        "       approvers: [{ role: finance }], on_reject: charge, next: done }\n" +
        charge);
    CHECK(has(ds, "unapproved-financial-writeback", "along a -> charge"));
  }
  SECTION("a gate that authorizes something else") {
    auto ds = check_text(
        "  a: { type: approval, authorizes: [money.refund], subject: { data: { from: '${ . }', "
        "type: object } },\n"
        "       approvers: [{ role: finance }], on_reject: stop, next: charge }\n" +
        charge);
    CHECK(has(ds, "unapproved-financial-writeback", "along a -> charge"));
  }
  SECTION("a gate on every path") {
    auto ds = check_text("  a: { type: task, activity: work.do, next: gate }\n" + gate + charge);
    CHECK(ds.empty());
  }
  SECTION("an approval inside a parallel branch does not authorize outside it") {
    auto ds = check_text(
        "  a:\n    type: parallel\n    branches:\n      - start: g\n        states:\n"
        "          g: { type: approval, authorizes: [money.charge], subject: { data: { from: '${ . "
        "}', type: object } }, "
        "approvers: [{ role: finance }], end: true }\n    next: charge\n" +
        charge + "  unused_gate_target: { type: succeed }\n");
    CHECK(has(ds, "unapproved-financial-writeback", "along a -> charge"));
  }
  SECTION("a compensation that writes money needs the gate too") {
    auto ds = check_text(
        "  a: { type: task, activity: work.do, compensate: { activity: money.refund }, next: b }\n"
        "  b: { type: succeed }\n");
    CHECK(has(ds, "unapproved-financial-writeback", "'money.refund'"));
  }
}

TEST_CASE("Loops must pause, and every state must be able to finish") {
  SECTION("a loop without a wait spins") {
    auto ds = check_text(
        "  a: { type: task, activity: work.do, next: b }\n"
        "  b: { type: choice, choices: [{ when: '${ .done }', next: c }], default: a }\n"
        "  c: { type: succeed }\n");
    CHECK(has(ds, "loop-without-wait", "'a', 'b'"));
  }
  SECTION("a monitoring loop with a wait and an exit is fine") {
    auto ds = check_text(
        "  a: { type: task, activity: work.do, next: b }\n"
        "  b: { type: choice, choices: [{ when: '${ .done }', next: c }], default: w }\n"
        "  w: { type: wait, duration: 7d, next: a }\n"
        "  c: { type: succeed }\n");
    CHECK(ds.empty());
  }
  SECTION("a loop with a wait but no exit never finishes") {
    auto ds = check_text(
        "  a: { type: task, activity: work.do, next: w }\n"
        "  w: { type: wait, duration: 7d, next: a }\n");
    CHECK(has(ds, "no-terminal", "'a', 'w'"));
    CHECK_FALSE(has(ds, "loop-without-wait"));
  }
}

TEST_CASE("Quorum cannot exceed the approvers who may count") {
  auto ds = check_text(
      "  a: { type: approval, authorizes: [money.charge], subject: { data: { from: '${ . }', type: "
      "object } }, quorum: 3,\n"
      "       approvers: [{ role: finance, count: 2 }], next: b }\n"
      "  b: { type: succeed }\n");
  CHECK(has(ds, "quorum-too-large", "quorum 3 is larger than the 2 eligible"));
  auto ok = check_text(
      "  a: { type: approval, authorizes: [money.charge], subject: { data: { from: '${ . }', type: "
      "object } }, quorum: 2,\n"
      "       approvers: [{ role: finance, count: 2 }], next: b }\n"
      "  b: { type: succeed }\n");
  CHECK(ok.empty());
}

TEST_CASE("Task inputs are checked against the activity's declared shape") {
  auto ds = check_text(
      "  a: { type: task, activity: money.charge, input: { amont: 1 }, next: b }\n"
      "  b: { type: succeed }\n");
  CHECK(has(ds, "unknown-input", "did you mean 'amount'?"));
  CHECK(has(ds, "missing-input", "needs input 'customer'"));
  auto open = check_text(
      "  a: { type: task, activity: work.open, input: { anything: 1 }, next: b }\n"
      "  b: { type: succeed }\n");
  CHECK(open.empty());
}

TEST_CASE("Authorizing a non-financial activity is a warning, not an error") {
  auto ds = check_text(
      "  a: { type: approval, authorizes: [work.do], subject: { data: { from: '${ . }', type: "
      "object } },\n"
      "       approvers: [{ role: finance }], next: b }\n"
      "  b: { type: succeed }\n");
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].code == "authorizes-non-financial");
  CHECK(ds[0].severity == Severity::Warning);
  CHECK_FALSE(has_errors(ds));
}
