#include "workflows/expressions.hpp"

#include "workflows/jq_program.hpp"

#include <catch2/catch.hpp>

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
