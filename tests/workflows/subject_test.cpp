// Declared subjects and the paths expressions read: the pieces the financial control's
// static checks and its run-time checks stand on.
#include "workflows/subject.hpp"

#include "workflows/read_paths.hpp"

#include <catch2/catch.hpp>

using namespace covenant::workflows;
using nlohmann::json;

namespace {

std::vector<std::string> texts(std::string_view program) {
  std::vector<std::string> out;
  for (const auto& p : read_paths(program)) out.push_back(p.text());
  return out;
}

SubjectField field(std::string name, SubjectType t, bool required = true) {
  SubjectField f;
  f.name = std::move(name);
  f.from.source = "." + f.name;
  f.type = t;
  f.required = required;
  return f;
}

}  // namespace

TEST_CASE("The paths an expression reads from its input, and only those") {
  using V = std::vector<std::string>;
  CHECK(texts(".usage.amount_minor <= 500000") == V{".usage.amount_minor"});
  CHECK(texts(".collected[0].usage") == V{".collected[0].usage"});
  CHECK(texts("{customer: .customer.id, items}") == V{".customer.id", ".items"});
  // After a pipe or inside a function's arguments a path reads something else.
  CHECK(texts(".items | map(.amount) | add") == V{".items"});
  CHECK(texts("map(.amount)") == V{});
  // Other functions' arguments run on the same input: no path hides inside them.
  CHECK(texts("select(.ok) | .x") == V{".ok"});
  CHECK(texts("[limit(1; .secret[])]") == V{".secret"});
  CHECK(texts("[range(0; .prices | length) as $i | {price: .prices[$i].id}]") ==
        V{".prices", ".prices"});
  // "as $x |" keeps the input; variables and string contents are not paths.
  CHECK(texts(".a as $x | .b") == V{".a", ".b"});
  CHECK(texts("$input.amount + .fee") == V{".fee"});
  CHECK(texts("\"a .b c\" + .d") == V{".d"});
  CHECK(texts("\"Milestone: \\(.milestone.event)\"") == V{".milestone.event"});
  CHECK(texts(".") == V{"."});
  CHECK(texts("1.5 * .x") == V{".x"});
  // Odd but valid jq, and broken text, never crash the scanner.
  CHECK(texts(".\"\"") == V{"."});
  CHECK(value_at(json{{"", 1}}, read_paths(".\"\"").at(0)) == 1);
  for (const char* odd :
       {"\"\\(", ".a[", "((((", "))))", "$", "..", ".[", "{a", "\"\\(.x", ".\"[1\""})
    CHECK_NOTHROW(read_paths(odd, ReadMode::Any));
  // For what must not be missed, every path after a pipe counts as read too.
  std::vector<std::string> any;
  for (const auto& p : read_paths("select(true) | .amount", ReadMode::Any)) any.push_back(p.text());
  CHECK(any == V{".amount"});
  CHECK(plain_path(" .plan.total ")->text() == ".plan.total");
  CHECK_FALSE(plain_path(".plan | .total"));
  CHECK_FALSE(plain_path(".lines | map(.amount_minor) | add"));
}

TEST_CASE("A path's value, null when any step is missing") {
  json doc = {{"a", {{"b", json::array({1, {{"c", 2}}})}}}};
  auto at = [&](std::string_view p) { return value_at(doc, read_paths(p).at(0)); };
  CHECK(at(".a.b[1].c") == 2);
  CHECK(at(".a.b[7]").is_null());
  CHECK(at(".a.x.y").is_null());
  CHECK(at(".a.b.c").is_null());  // a list has no fields
}

TEST_CASE("A subject conforms to its declaration, or each problem is named") {
  std::vector<SubjectField> fields = {
      field("total", SubjectType::Money),   field("start", SubjectType::Date),
      field("customer", SubjectType::Id),   field("note", SubjectType::String, false),
      field("count", SubjectType::Integer), field("lines", SubjectType::List),
      field("flag", SubjectType::Boolean),  field("plan", SubjectType::Object)};
  json good = {{"total", {{"amount_minor", 125000}, {"currency", "USD"}}},
               {"start", "2028-02-29"},
               {"customer", "cus_123"},
               {"count", 3},
               {"lines", json::array()},
               {"flag", false},
               {"plan", json::object()}};
  CHECK(check_subject(fields, good).empty());
  json bad = {{"total", {{"amount_minor", 1250.5}, {"currency", "USD"}}},
              {"start", "2027-02-29"},
              {"customer", "cus 123"},
              {"note", 7},
              {"count", "3"},
              {"lines", nullptr},
              {"flag", "yes"},
              {"plan", json::array()}};
  auto problems = check_subject(fields, bad);
  std::map<std::string, std::string> by_field;
  for (const auto& p : problems) by_field[p.field] = p.problem;
  CHECK(by_field.size() == 8);
  CHECK(by_field["total"].rfind("not money", 0) == 0);
  CHECK(by_field["start"].rfind("not a date", 0) == 0);  // 2027 is no leap year
  CHECK(by_field["customer"].rfind("not an id", 0) == 0);
  CHECK(by_field["note"].rfind("not a string", 0) == 0);
  CHECK(by_field["count"].rfind("not a whole number", 0) == 0);
  CHECK(by_field["lines"].rfind("missing", 0) == 0);
  CHECK(by_field["flag"].rfind("not true or false", 0) == 0);
  CHECK(by_field["plan"].rfind("not an object", 0) == 0);
  // Huge amounts: beyond 64 bits (a float to JSON) or above INT64_MAX are not money.
  for (const char* huge : {"1e30", "9223372036854775808", "18446744073709551615"}) {
    json big = good;
    big["total"]["amount_minor"] = json::parse(huge);
    INFO(huge);
    CHECK(check_subject(fields, big).size() == 1);
  }
  json max = good;
  max["total"]["amount_minor"] = INT64_MAX;
  CHECK(check_subject(fields, max).empty());
  // Money needs its currency; an optional field may be absent, never wrong.
  json no_currency = good;
  no_currency["total"].erase("currency");
  CHECK(check_subject(fields, no_currency).at(0).problem.rfind("money without", 0) == 0);
}

TEST_CASE("Conditions may read declared subject fields only") {
  std::vector<SubjectField> fields = {field("total", SubjectType::Money),
                                      field("customer", SubjectType::Id),
                                      field("plan", SubjectType::Object)};
  auto problem = [&](std::string_view p) {
    return subject_read_problem(fields, read_paths(p).at(0));
  };
  CHECK_FALSE(problem(".total.amount_minor"));
  CHECK_FALSE(problem(".total.currency"));
  CHECK_FALSE(problem(".plan.lines"));
  CHECK(problem(".total.amount"));
  CHECK(problem(".customer.name"));
  CHECK(problem(".usage"));
  CHECK(problem("."));
}
