// The `covenant compute` examples in docs/contract-to-cash.md, run through the same Runner the
// workflows use: every member a documented output shows must be in the real result with the
// same value (arrays element by element), so the examples cannot drift from the code.
#include "activities/runner.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>

using nlohmann::json;

namespace {

struct Example {
  std::string activity;
  json input, output;
  int line = 0;
};

std::vector<Example> examples(const std::string& path) {
  std::ifstream in(path);
  std::vector<Example> out;
  static const std::regex marker(R"(^<!-- compute ([a-z._]+) (input|output) -->$)");
  std::string line, pending_activity, pending_kind, text;
  bool inside = false;
  int n = 0, start = 0;
  while (std::getline(in, line)) {
    ++n;
    std::smatch m;
    if (!inside && std::regex_match(line, m, marker)) {
      pending_activity = m[1];
      pending_kind = m[2];
    } else if (!inside && line == "```json" && !pending_kind.empty()) {
      inside = true;
      text.clear();
      start = n;
    } else if (inside && line == "```") {
      inside = false;
      json j = json::parse(text, nullptr, false);
      INFO(path << ":" << start);
      REQUIRE_FALSE(j.is_discarded());
      if (pending_kind == "input")
        out.push_back({pending_activity, j, nullptr, start});
      else {
        REQUIRE(!out.empty());
        REQUIRE(out.back().activity == pending_activity);
        out.back().output = j;
      }
      pending_kind.clear();
    } else if (inside) {
      text += line + "\n";
    }
  }
  return out;
}

// Every member of `want` is in `got` with the same value; arrays compare element by element.
void contains(const json& got, const json& want, const std::string& where) {
  INFO(where);
  if (want.is_object()) {
    REQUIRE(got.is_object());
    for (const auto& [k, v] : want.items()) {
      REQUIRE(got.contains(k));
      contains(got[k], v, where + "/" + k);
    }
  } else if (want.is_array()) {
    REQUIRE(got.is_array());
    REQUIRE(got.size() >= want.size());
    for (std::size_t i = 0; i < want.size(); ++i)
      contains(got[i], want[i], where + "/" + std::to_string(i));
  } else {
    CHECK(got == want);
  }
}

}  // namespace

TEST_CASE("The compute examples in docs/contract-to-cash.md give the documented results") {
  auto all = examples(COVENANT_SOURCE_DIR "/docs/contract-to-cash.md");
  REQUIRE(all.size() == 4);  // bill.plan, revenue.schedule, milestones.schedule, bill.rate_usage
  covenant::activities::Runner runner{covenant::activities::Systems{}};
  for (const auto& e : all) {
    INFO("docs/contract-to-cash.md:" << e.line << " " << e.activity);
    REQUIRE(e.output.is_object());
    auto r = runner.run(e.activity, e.input, "docs", "default");
    INFO(r.message);
    REQUIRE(r.ok);
    contains(r.result, e.output, e.activity);
  }
}
