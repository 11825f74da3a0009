// Structured logs (engine/log.hpp): the two formats, levels, the fields a line carries, and
// that no message can forge a second line.
#include "engine/log.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace logging = covenant::engine::log;

namespace {

std::vector<std::string> log_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Logs to `out` while alive; back to stderr after.
struct CapturedLog {
  std::ostringstream out;
  CapturedLog(logging::Level level, logging::Format format) {
    logging::configure({level, format, &out});
  }
  ~CapturedLog() { logging::configure({}); }
};

}  // namespace

TEST_CASE("A JSON log line is one object with the time, level, component, message and fields") {
  CapturedLog log(logging::Level::Info, logging::Format::Json);
  logging::info("access", "GET /v1/instances/i1 404",
                {{"request_id", "req_1"}, {"principal", "ana \"the\" approver"}, {"instance", ""}});
  logging::warn("worker", "line one\nline two", {{"worker", "w1"}});
  auto lines = log_lines(log.out.str());
  REQUIRE(lines.size() == 2);
  auto a = nlohmann::json::parse(lines[0]);
  CHECK(a["level"] == "info");
  CHECK(a["component"] == "access");
  CHECK(a["msg"] == "GET /v1/instances/i1 404");
  CHECK(a["request_id"] == "req_1");
  CHECK(a["principal"] == "ana \"the\" approver");
  CHECK_FALSE(a.contains("instance"));  // an empty field is left out
  std::string ts = a["ts"];
  CHECK(ts.size() == 24);
  CHECK(ts.back() == 'Z');
  auto w = nlohmann::json::parse(lines[1]);
  CHECK(w["level"] == "warning");
  CHECK(w["msg"] == "line one\nline two");  // escaped inside the one object
}

TEST_CASE("A text log line is one line whatever the message holds") {
  CapturedLog log(logging::Level::Debug, logging::Format::Text);
  logging::error("http", "boom\n2026-01-01T00:00:00.000Z info access: forged",
                 {{"request_id", "req_2"}, {"path", "/a b"}});
  logging::debug("worker", "claimed", {{"worker", "w1"}});
  auto lines = log_lines(log.out.str());
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find(" error http: boom\\n2026") != std::string::npos);
  CHECK(lines[0].find("request_id=req_2") != std::string::npos);
  CHECK(lines[0].find("path=\"/a b\"") != std::string::npos);  // quoted when it must be
  CHECK(lines[1].find(" debug worker: claimed worker=w1") != std::string::npos);
}

TEST_CASE("Lines under the configured level are not written") {
  CapturedLog log(logging::Level::Warn, logging::Format::Text);
  CHECK_FALSE(logging::enabled(logging::Level::Info));
  CHECK(logging::enabled(logging::Level::Error));
  logging::info("serve", "quiet");
  logging::warn("serve", "loud");
  auto lines = log_lines(log.out.str());
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("loud") != std::string::npos);
}
