// The example requests in docs/http-api.md, run in order against a fresh API: each
// documented answer's status must match, and every documented JSON member must be in the
// real answer with the same value (values written "…" only need to be there).
#include "tests/app/api_fixture.hpp"

#include <fstream>
#include <regex>
#include <sstream>

using nlohmann::json;

namespace {

struct Block {
  std::string text;
  int line = 0;
};

std::vector<Block> http_blocks(const std::string& path) {
  std::ifstream in(path);
  std::vector<Block> out;
  std::string line, text;
  int n = 0, start = 0;
  bool inside = false;
  while (std::getline(in, line)) {
    ++n;
    if (!inside && line == "```http") {
      inside = true;
      text.clear();
      start = n;
    } else if (inside && line == "```") {
      inside = false;
      out.push_back({text, start});
    } else if (inside) {
      text += line + "\n";
    }
  }
  return out;
}

// Splits an HTTP message into its first line, headers and body.
struct Message {
  std::string first;
  std::map<std::string, std::string> headers;
  std::string body;
};

Message parse(const std::string& text) {
  Message m;
  std::istringstream in(text);
  std::getline(in, m.first);
  std::string line;
  while (std::getline(in, line) && !line.empty()) {
    auto colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    m.headers[name] = line.substr(colon + 2);
  }
  std::stringstream rest;
  rest << in.rdbuf();
  m.body = rest.str();
  return m;
}

// Every member of `want` is in `got`, recursively; "…" matches any value.
void contains(const json& want, const json& got, const std::string& where) {
  INFO(where << ": documented " << want.dump() << ", got " << got.dump());
  if (want.is_string() && want.get<std::string>().find("…") != std::string::npos) return;
  if (want.is_object()) {
    REQUIRE(got.is_object());
    for (const auto& [k, v] : want.items()) {
      CHECK(got.contains(k));
      if (got.contains(k)) contains(v, got[k], where + "." + k);
    }
  } else if (want.is_array()) {
    REQUIRE(got.is_array());
    CHECK(got.size() >= want.size());
    for (std::size_t i = 0; i < want.size() && i < got.size(); ++i)
      contains(want[i], got[i], where + "[" + std::to_string(i) + "]");
  } else {
    CHECK(want == got);
  }
}

}  // namespace

TEST_CASE("The example requests in docs/http-api.md answer as documented") {
  covenant::testing::ApiFixture a;
  std::map<std::string, std::string> vars = {
      {"revops", a.add("rita", {"revops"})},     {"service", a.add("ci-bot", {"service"})},
      {"finance", a.add("bob", {"finance"})},    {"finance2", a.add("carol", {"finance"})},
      {"auditor", a.add("audrey", {"auditor"})},
  };
  auto blocks = http_blocks(std::string(COVENANT_SOURCE_DIR) + "/docs/http-api.md");
  REQUIRE(blocks.size() >= 20);
  REQUIRE(blocks.size() % 2 == 0);
  for (std::size_t i = 0; i < blocks.size(); i += 2) {
    std::string text = blocks[i].text;
    for (const auto& [k, v] : vars)
      for (auto at = text.find("{{" + k + "}}"); at != std::string::npos;
           at = text.find("{{" + k + "}}"))
        text.replace(at, k.size() + 4, v);
    INFO("docs/http-api.md:" << blocks[i].line << ": " << text.substr(0, text.find('\n')));
    REQUIRE(text.find("{{") == std::string::npos);
    auto req = parse(text);
    auto res = parse(blocks[i + 1].text);
    std::smatch m;
    REQUIRE(std::regex_match(req.first, m, std::regex(R"((\w+) (\S+) HTTP/1\.1)")));
    std::string method = m[1], target = m[2];
    std::string token =
        req.headers.count("authorization") ? req.headers["authorization"].substr(7) : "";
    std::string type = req.headers.count("content-type") ? req.headers["content-type"] : "";
    std::map<std::string, std::string> extra;
    if (req.headers.count("idempotency-key"))
      extra["idempotency-key"] = req.headers["idempotency-key"];
    auto got = a.call(method, target, token, req.body, type, extra);
    a.fx.drain();
    REQUIRE(std::regex_search(res.first, m, std::regex(R"(HTTP/1\.1 (\d+))")));
    INFO("answer: " << got.body);
    CHECK(got.status == std::stoi(m[1]));
    CHECK(got.content_type.rfind(res.headers["content-type"], 0) == 0);
    if (got.content_type.find("json") != std::string::npos) {
      auto body = json::parse(got.body);
      if (!res.body.empty()) contains(json::parse(res.body), body, "body");
      if (method == "POST" && target == "/v1/instances" && got.status < 300)
        vars["instance"] = body["id"];
      if (target == "/v1/approvals" && !body["items"].empty()) {
        vars["approval"] = body["items"][0]["id"];
        vars["digest"] = body["items"][0]["digest"];
      }
    } else {
      std::istringstream lines(res.body);
      std::string line;
      while (std::getline(lines, line))
        if (!line.empty()) CHECK(got.body.find(line + "\n") != std::string::npos);
    }
  }
}
