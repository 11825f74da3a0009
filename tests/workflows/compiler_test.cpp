#include "workflows/compiler.hpp"

#include "tests/workflows/test_catalog.hpp"
#include "workflows/sha256.hpp"

#include <catch2/catch.hpp>

using namespace covenant::workflows;

namespace {

const char* kA = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: pay }
start: gate
states:
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: integer }
    approvers: [{ role: finance }]
    timeout: 48h
    next: charge
  charge:
    type: task
    activity: money.charge
    input: { amount: "${ .amount }", customer: acme }
    next: done
  done: { type: succeed }
)";

// The same workflow: other key order, flow style, comments, and "PT48H" for "48h".
const char* kSameMeaning = R"(# a comment
kind: Workflow
apiVersion: covenant/v1
metadata:
  name: pay
states:
  done: { type: succeed }
  charge: { type: task, activity: money.charge, next: done, input: { customer: acme, amount: "${ .amount }" } }
  gate: { type: approval, next: charge, timeout: PT48H, approvers: [{ role: finance }], subject: { amount: { from: "${ .amount }", type: integer } }, authorizes: [money.charge] }
start: gate
)";

}  // namespace

TEST_CASE("SHA-256 matches the standard test vector") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("A definition's identity ignores formatting and changes with meaning") {
  covenant::testing::TestCatalog catalog;
  auto a = compile(kA, "a.yaml", catalog);
  auto b = compile(kSameMeaning, "b.yaml", catalog);
  REQUIRE(a.workflow);
  REQUIRE(b.workflow);
  CHECK(a.workflow->digest() == b.workflow->digest());
  CHECK(a.workflow->digest().size() == 64);
  CHECK(a.workflow->digest() == sha256_hex(a.workflow->canonical_text()));

  std::string changed = kA;
  changed.replace(changed.find("48h"), 3, "72h");
  auto c = compile(changed, "c.yaml", catalog);
  REQUIRE(c.workflow);
  CHECK(c.workflow->digest() != a.workflow->digest());
}

TEST_CASE("The canonical form carries defaults, seconds and the financial flag") {
  covenant::testing::TestCatalog catalog;
  auto r = compile(kA, "a.yaml", catalog);
  REQUIRE(r.workflow);
  const auto& j = r.workflow->canonical();
  CHECK(j["canonical_form"] == kCanonicalFormVersion);
  CHECK(j["states"]["gate"]["timeout"] == 48 * 3600);
  CHECK(j["states"]["gate"]["quorum"] == 1);
  CHECK(j["states"]["gate"]["separation_of_duties"] == true);
  CHECK(j["states"]["charge"]["financial"] == true);
  CHECK(j["states"]["charge"]["input"]["amount"] == "${ .amount }");
  CHECK(r.workflow->canonical_text().find(' ') == r.workflow->canonical_text().find(" .amount"));
}

TEST_CASE("An invalid definition does not compile") {
  covenant::testing::TestCatalog catalog;
  std::string bad = kA;
  bad.replace(bad.find("next: charge"), 12, "next: chrage");
  auto r = compile(bad, "bad.yaml", catalog);
  CHECK_FALSE(r.workflow);
  CHECK(has_errors(r.diagnostics));
}

TEST_CASE(
    "A state marks a handoff milestone, and an unknown one or one on a succeed state is refused") {
  covenant::testing::TestCatalog catalog;
  auto plain = compile(kA, "a.yaml", catalog);
  REQUIRE(plain.workflow);
  CHECK(plain.workflow->milestones().empty());
  CHECK(plain.workflow->canonical_text().find("milestone") == std::string::npos);

  std::string marked = kA;
  marked.replace(marked.find("    type: approval\n"), 19,
                 "    type: approval\n    milestone: approved\n");
  auto m = compile(marked, "m.yaml", catalog);
  REQUIRE(m.workflow);
  CHECK(m.workflow->milestones() == std::map<std::string, std::string>{{"gate", "approved"}});
  CHECK(m.workflow->canonical()["states"]["gate"]["milestone"] == "approved");
  CHECK(m.workflow->digest() != plain.workflow->digest());

  auto message_of = [](const CompileResult& r) {
    std::string all;
    for (const auto& d : r.diagnostics) all += d.code + ": " + d.message + "\n";
    return all;
  };
  std::string unknown = kA;
  unknown.replace(unknown.find("    type: approval\n"), 19,
                  "    type: approval\n    milestone: booked\n");
  auto u = compile(unknown, "u.yaml", catalog);
  CHECK_FALSE(u.workflow);
  INFO(message_of(u));
  CHECK(message_of(u).find("bad-value: state 'gate': field 'milestone': 'booked' is not a handoff "
                           "milestone (one of signed, extracted, approved, provisioned, "
                           "invoiced)") != std::string::npos);
  std::string on_succeed = kA;
  on_succeed.replace(on_succeed.find("done: { type: succeed }"), 23,
                     "done: { type: succeed, milestone: invoiced }");
  auto s = compile(on_succeed, "s.yaml", catalog);
  CHECK_FALSE(s.workflow);
  CHECK(message_of(s).find("unknown-field") != std::string::npos);
}
