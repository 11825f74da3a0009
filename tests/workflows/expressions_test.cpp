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

TEST_CASE("A string that never closes is refused before libjq sees it (it leaks the text)") {
  // Found by fuzz_validate under LeakSanitizer: `.kind == "msnow | length) > 0`.
  CHECK(string_left_open(R"("abc)"));
  CHECK(string_left_open(R"(.kind == "msnow | length) > 0)"));
  CHECK(string_left_open(R"("x\(.a)"));
  CHECK(string_left_open(R"("x\(.a + "y)"));
  CHECK_FALSE(string_left_open(R"("a" + "b")"));
  CHECK_FALSE(string_left_open(R"("x\(.a)y")"));
  CHECK_FALSE(string_left_open(R"("x\("in" + .a)y")"));
  CHECK_FALSE(string_left_open(R"("\"")"));
  CHECK_FALSE(string_left_open(".a # \"a comment"));
  JqChecker checker;
  auto err = checker.check(R"(.kind == "msnow | length) > 0)");
  REQUIRE(err);
  CHECK(*err == "syntax error: a string is not closed (a '\"' is missing)");
  CHECK_FALSE(checker.check(R"("Review " + .id + " \(.n) \"quoted\"")"));
  JqEvaluator jq;
  auto v = jq.evaluate(R"("abc)", nullptr, nlohmann::json::object());
  REQUIRE_FALSE(v);
  CHECK(v.error() == "jq: syntax error: a string is not closed");
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

TEST_CASE("A jq runtime error is an error, never an abort inside libjq (fuzz finding)") {
  // jq 1.6 asserts when asked for another output after it reported an error: the evaluator
  // must not ask. Found by fuzz_jq with strptime on a date that is not one.
  JqEvaluator jq;
  const std::string program =
      R"(if type == "string" then (strptime("%Y-%m-%d") | mktime) else . end)";
  auto bad = jq.evaluate(program, "/2027-02-29", nlohmann::json::object());
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("does not match format") != std::string::npos);
  CHECK_FALSE(jq.evaluate(".a + 1", {{"a", "text"}}, nlohmann::json::object()));
  CHECK_FALSE(jq.evaluate("error(\"stop\")", nullptr, nlohmann::json::object()));
  CHECK(jq.evaluate("empty", nullptr, nlohmann::json::object()) == nlohmann::json(nullptr));
  // The same programs still run on good data, and a program with several outputs gives its first.
  CHECK(jq.evaluate(program, "2027-02-28", nlohmann::json::object()) == nlohmann::json(1803772800));
  CHECK(jq.evaluate(".[]", {1, 2, 3}, nlohmann::json::object()) == nlohmann::json(1));
  CHECK(jq.evaluate(".[] | if . == 2 then error(\"late\") else . end", {1, 2, 3},
                    nlohmann::json::object()) == nlohmann::json(1));
}

TEST_CASE(
    "A time past what gmtime converts is an error, never an abort in strftime (fuzz finding)") {
  // libjq 1.6's strftime, given a number of seconds that gmtime cannot convert, asserts in
  // jv_array_get and takes the process down: found by fuzz_jq with `7E34 | todate`.
  JqEvaluator jq;
  const auto none = nlohmann::json::object();
  for (const char* program : {"todate", "todateiso8601", "strftime(\"%Y\")",
                              "if type == \"number\" then todate else . end"})
    for (double seconds : {1e18, 7e34, -1e18}) {
      INFO(program << " on " << seconds);
      auto v = jq.evaluate(program, seconds, none);
      REQUIRE_FALSE(v);
      CHECK(v.error().find("converting number of seconds") != std::string::npos);
    }
  // Times it can convert come out as before, from seconds or from a broken-down time.
  CHECK(jq.evaluate("todate", 1803772800, none) == "2027-02-28T00:00:00Z");
  CHECK(jq.evaluate("strftime(\"%Y-%m\")", nlohmann::json::array({2027, 1, 28, 0, 0, 0, 0, 58}),
                    none) == "2027-02");
  CHECK(jq.evaluate("gmtime | todate", 0, none) == "1970-01-01T00:00:00Z");
  // And the validator accepts them as it did.
  JqChecker checker;
  CHECK_FALSE(checker.check("(.signed | fromdateiso8601) + 86400 | todate"));
  CHECK_FALSE(checker.check("[.a, .b] | map(strftime(\"%Y\"))"));
}

TEST_CASE("Expressions cannot reach outside their data: environment, clock, inputs, process") {
  JqChecker check;
  auto refused = [&](const std::string& program, const std::string& why) {
    auto err = check.check(program);
    INFO(program);
    REQUIRE(err);
    CHECK(err->find(why) != std::string::npos);
  };
  refused("env.STRIPE_SECRET_KEY",
          "'env' is not available in expressions: it reads the server's environment");
  refused("$ENV.STRIPE_SECRET_KEY", "'$ENV' is not available in expressions");
  refused("{key: $ENV}", "'$ENV' is not available");
  refused("now | todate", "'now' is not available in expressions: it reads the clock");
  refused("[inputs]", "'inputs' is not available");
  refused("input", "'input' is not available");
  refused("input_filename", "'input_filename' is not available");
  refused(". | debug", "'debug' is not available in expressions: it writes to the server's log");
  refused("halt_error(1)", "'halt_error' is not available in expressions: it stops the process");
  refused("halt", "'halt' is not available");
  refused(".raw | fromjson", "'fromjson' is not available");
  refused("get_prog_origin",
          "'get_prog_origin' is not available in expressions: it reads the server's files");
  refused("get_jq_origin", "'get_jq_origin' is not available");
  refused(".at | localtime",
          "'localtime' is not available in expressions: it reads the server's time zone");
  refused(".at | strflocaltime(\"%H\")", "'strflocaltime' is not available");
  CHECK_FALSE(check.check(".at | gmtime | mktime"));
  CHECK_FALSE(check.check(".at | strftime(\"%Y\")"));
  // What they are not: the variables the engine binds, and builtins over the data.
  CHECK_FALSE(check.check("$now"));
  CHECK_FALSE(check.check("$input.contract_id"));
  CHECK_FALSE(check.check(".at | todate"));
  CHECK_FALSE(check.check(".x | tojson"));
  CHECK_FALSE(check.check("\"$ENVELOPE\""));
  // Together (a definition's expressions are checked in chunks) the answers are the same.
  auto all = check.check_all({".a", "env.HOME", ".b", "$ENV", "now", ".c"});
  REQUIRE(all.size() == 6);
  CHECK_FALSE(all[0]);
  CHECK((all[1] && all[1]->find("'env'") != std::string::npos));
  CHECK_FALSE(all[2]);
  CHECK((all[3] && all[3]->find("'$ENV'") != std::string::npos));
  CHECK((all[4] && all[4]->find("'now'") != std::string::npos));
  CHECK_FALSE(all[5]);
  // A definition stored before these rules cannot use them either: where it runs, env is
  // refused and $ENV is empty.
  JqEvaluator run;
  auto e = run.evaluate("env.HOME", nullptr, nlohmann::json::object());
  REQUIRE_FALSE(e);
  CHECK(e.error().find("'env' is not available") != std::string::npos);
  CHECK(run.evaluate("$ENV", nullptr, nlohmann::json::object()) == nlohmann::json::object());
  CHECK_FALSE(run.evaluate("now", nullptr, nlohmann::json::object()));
  CHECK(run.evaluate("$now", nullptr, {{"now", "2027-01-01T00:00:00Z"}}) ==
        nlohmann::json("2027-01-01T00:00:00Z"));
}
