#include "workflows/expressions.hpp"

#include "workflows/jq_program.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace covenant::workflows;

TEST_CASE("Whole-value expressions are recognised and unwrapped") {
  std::size_t offset = 99;
  CHECK(unwrap_expression("${ .a.b }", &offset) == ".a.b");
  CHECK(offset == 0);
  CHECK(unwrap_expression("  ${.x}  ", &offset) == ".x");
  CHECK(offset == 2);
  CHECK(unwrap_expression("${ {a: .b} }") == "{a: .b}");
  CHECK_FALSE(unwrap_expression("cost ${ .x }"));
  CHECK_FALSE(unwrap_expression(".x"));
  CHECK(mentions_expression("cost ${ .x }"));
  CHECK_FALSE(mentions_expression("$5"));
}

TEST_CASE("jq programs are compiled and syntax errors explained") {
  JqChecker jq;
  CHECK_FALSE(jq.check(".contract.total.amount_minor <= 25000000"));
  CHECK_FALSE(jq.check("{billing: .billing_plan, revenue: .revenue_schedule}"));
  CHECK_FALSE(jq.check(".items | map(.amount) | add"));
  CHECK_FALSE(jq.check("$now"));  // engine-provided variables are declared
  auto err = jq.check(".a ]");
  REQUIRE(err);
  CHECK(err->find("syntax error") != std::string::npos);
  auto undefined = jq.check("$nope");
  REQUIRE(undefined);
  CHECK(undefined->find("$nope is not defined") != std::string::npos);
  CHECK(jq.check(""));
  // The checker stays usable after an error.
  CHECK_FALSE(jq.check(".ok"));
}

TEST_CASE("Many expressions are checked together, with the same answers as one by one") {
  // 450 valid programs in three chunks, and among them what must still be refused: a
  // syntax error, an unknown function (found only when called), an unknown variable, text
  // that would close the definition it is put in, and a call of a sibling's definition.
  std::vector<std::string> programs;
  for (int i = 0; i < 450; ++i)
    programs.push_back(".n == " + std::to_string(i) + " and ($now | tostring | length) > 0");
  programs[10] = ".a ]";
  programs[220] = "lenght";
  programs[300] = "$nope";
  programs[301] = "1); def __covenant_check_302: (2";
  programs[302] = "3";
  programs[400] = "__covenant_check_0";
  programs.push_back("\"x\\(.a | \"(\")\" | length");  // a string in an interpolation
  // What must not share a shape with something valid: numbers written together, a keyword
  // as a field, an escape jq refuses, a comment that hides the rest of its line.
  for (const char* tricky : {"1.2.3", ".if == 1", ".a + 1e5", "\"bad \\q\" | length", ".a # ]",
                             "1e", ".5 + .n2", "{a: 1} | .a", "..|numbers", "$__loc__ | .file"})
    programs.push_back(tricky);
  programs.push_back(programs[5]);  // a repeat: the same answer
  JqChecker together, alone;
  auto answers = together.check_all(programs);
  REQUIRE(answers.size() == programs.size());
  for (std::size_t i = 0; i < programs.size(); ++i) {
    INFO(programs[i]);
    auto expected = alone.check(programs[i]);
    CHECK(answers[i].has_value() == expected.has_value());
    if (expected) CHECK(*answers[i] == *expected);
  }
  CHECK(answers[10]);
  CHECK(answers[220]);
  CHECK(answers[301]);
  CHECK(answers[400]);
  CHECK_FALSE(answers[302]);
  CHECK_FALSE(answers[450]);
}

TEST_CASE("Checking stops looking after enough failures, and says so") {
  std::vector<std::string> programs(100, "");
  for (int i = 0; i < 100; ++i) programs[i] = ".a" + std::to_string(i) + " ]";
  JqChecker jq;
  auto answers = jq.check_all(programs, 5);
  int failed = 0, unchecked = 0;
  for (const auto& a : answers) {
    REQUIRE(a);  // none passes
    if (a->find("not checked") != std::string::npos)
      ++unchecked;
    else
      ++failed;
  }
  CHECK(failed == 5);
  CHECK(unchecked == 95);
}

TEST_CASE("Expressions must be valid UTF-8 (libjq leaks on some malformed text)") {
  CHECK(valid_utf8("plain"));
  CHECK(valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xb0"));
  CHECK_FALSE(valid_utf8("\xff"));
  CHECK_FALSE(valid_utf8("\xc3"));      // truncated
  CHECK_FALSE(valid_utf8("\xe2\x82"));  // truncated
  CHECK_FALSE(valid_utf8("\xc3\x28"));  // bad continuation
  JqChecker jq;
  auto err = jq.check(".a == \"\xff\"");
  REQUIRE(err);
  CHECK(*err == "the expression is not valid UTF-8");
}

TEST_CASE("Expressions never round an integer: beyond ±2^53 the data is refused") {
  JqEvaluator jq;
  nlohmann::json exact = {{"amount_minor", 9007199254740992LL}};  // 2^53: exact in a double
  auto ok = jq.evaluate(".amount_minor", exact, nlohmann::json::object());
  REQUIRE(ok);
  CHECK(*ok == 9007199254740992LL);
  nlohmann::json beyond = {{"lines", {{{"amount_minor", 9007199254740993LL}}}}};
  auto refused = jq.evaluate(".lines", beyond, nlohmann::json::object());
  REQUIRE_FALSE(refused);
  CHECK(refused.error().find("9007199254740993 at .lines[0].amount_minor") != std::string::npos);
  nlohmann::json negative = {{"credit", -9007199254740993LL}};
  CHECK_FALSE(jq.evaluate(".credit", negative, nlohmann::json::object()));
  nlohmann::json unsigned_big = {{"n", std::uint64_t{18446744073709551615u}}};
  CHECK_FALSE(jq.evaluate("1", unsigned_big, nlohmann::json::object()));
  // In a variable too: $input is the instance's input.
  auto in_var = jq.evaluate("$input", nlohmann::json::object(),
                            {{"input", {{"total", 10'000'000'000'000'000LL}}}});
  REQUIRE_FALSE(in_var);
  CHECK(in_var.error().find("at $input.total") != std::string::npos);
  // Input nested past jq's own limit is an error, not an assertion inside libjq.
  nlohmann::json deep = nullptr;
  for (int i = 0; i < 300; ++i) deep = nlohmann::json::array({deep});
  auto too_deep = jq.evaluate(".", deep, nlohmann::json::object());
  CHECK_FALSE(too_deep);
  // The evaluator stays usable.
  CHECK(jq.evaluate(".a", {{"a", 1}}, nlohmann::json::object()) == nlohmann::json(1));
}
