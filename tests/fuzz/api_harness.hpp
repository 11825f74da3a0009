// The HTTP API without a socket, for the API fuzzer and its replay test: an engine on a
// fresh SQLite file with one deployed workflow, one instance and an admin principal, and
// the bytes of a request turned into an http::Request the way the server would give it
// (percent-decoded path and query, headers lower-cased). The request text is
//   METHOD PATH[?QUERY]\n  then "Name: value" lines, a blank line, and the body;
// a request with no Authorization header gets the admin's bearer token.
#pragma once

#include "activities/catalog.hpp"
#include "app/book_generator.hpp"
#include "app/composition.hpp"
#include "app/http/api.hpp"
#include "engine/log.hpp"
#include "engine/time_format.hpp"
#include "workflows/compiler.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace covenant::testing {

class ApiHarness {
 public:
  ApiHarness() {
    // Only failures: an access line per fuzzed request is noise that slows the fuzzer.
    engine::log::configure({engine::log::Level::Error, engine::log::Format::Text, nullptr});
    dir_ = std::filesystem::temp_directory_path() /
           ("covenant-api-harness-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    auto e = app::open_engine("sqlite:" + (dir_ / "covenant.db").string(), 4);
    if (!e) throw std::runtime_error(e.error().message);
    engine_ = std::move(*e);
    auto token = engine_->principals->add("default", "fuzz", {"admin"});
    if (!token) throw std::runtime_error(token.error().message);
    token_ = *token;
    api_ = std::make_unique<app::http::Api>(engine_->services("http://127.0.0.1"));
    app::http::add_all_routes(*api_);
    const char* yaml = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: fuzzed, owner: revops }
start: pause
states:
  pause: { type: wait, event: go, output: .got, next: check }
  check:
    type: choice
    choices: [{ when: "${ .got.n == 1 }", next: done }]
    default: done
  done: { type: succeed }
)";
    auto r = api_->handle(request(std::string("POST /v1/definitions\ncontent-type: "
                                              "application/yaml\n\n") +
                                  yaml));
    if (r.status != 201) throw std::runtime_error("the harness workflow: " + r.body);
    // A small book of contracts with findings, so the views (GET /v1/views/…) read rows.
    auto now = engine::to_micros(engine_->clock.now());
    auto book =
        app::generate_book(*engine_->store, "default", 20, 3, now / (86'400LL * 1'000'000), now);
    if (!book) throw std::runtime_error("the harness book: " + book.error().message);
  }
  ~ApiHarness() {
    api_.reset();
    engine_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  app::http::Response handle(std::string_view bytes) { return api_->handle(request(bytes)); }

  // What no answer may be: a 5xx other than 503 (the database busy), or one that carries an
  // exception's text (nlohmann's "[json.exception…", a C++ "what():", driver names,
  // httplib's EXCEPTION_WHAT header). The request's own method and path may come back (a
  // 404 names them), so they are taken out of the answer first.
  bool bad_answer(std::string_view bytes, const app::http::Response& r) const {
    if (r.status >= 500 && r.status != 503) return true;
    auto req = request(bytes);
    std::string body = r.body;
    // As sent, and as a JSON string holds it (a quote in the path comes back as \").
    std::vector<std::string> echoes;
    for (const std::string& sent : {req.method, req.path}) {
      std::string quoted =
          nlohmann::json(sent).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      echoes.push_back(quoted.substr(1, quoted.size() - 2));
      echoes.push_back(sent);
    }
    // The longest first: the method may occur inside the path ("/v1/xPOST"), and taking it out
    // of the body first would leave the path's echo unrecognised.
    std::sort(echoes.begin(), echoes.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    for (const std::string& echo : echoes)
      for (auto at = echo.empty() ? std::string::npos : body.find(echo); at != std::string::npos;
           at = body.find(echo))
        body.erase(at, echo.size());
    // Text the request itself carried (a definition's key, an event's field) may come back in
    // a diagnostic: a marker counts as leaked only when the request did not hold it.
    for (const char* leak : {"[json.exception", "what():", "soci_error", "sqlite3_"})
      if (body.find(leak) != std::string::npos && bytes.find(leak) == std::string_view::npos)
        return true;
    for (const auto& [k, v] : r.headers)
      if (k.find("EXCEPTION") != std::string::npos ||
          v.find("[json.exception") != std::string::npos)
        return true;
    return false;
  }

  app::http::Request request(std::string_view bytes) const {
    app::http::Request r;
    auto line_end = bytes.find('\n');
    std::string_view first = bytes.substr(0, line_end);
    auto space = first.find(' ');
    r.method = std::string(first.substr(0, space));
    std::string_view target = space == std::string_view::npos ? "/" : first.substr(space + 1);
    auto q = target.find('?');
    r.path = decode(target.substr(0, q));
    if (q != std::string_view::npos) {
      std::string_view query = target.substr(q + 1);
      while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        auto eq = pair.find('=');
        r.query[decode(pair.substr(0, eq))] =
            eq == std::string_view::npos ? "" : decode(pair.substr(eq + 1));
        query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
      }
    }
    std::string_view rest = line_end == std::string_view::npos ? "" : bytes.substr(line_end + 1);
    while (!rest.empty()) {
      auto end = rest.find('\n');
      std::string_view line = rest.substr(0, end);
      rest = end == std::string_view::npos ? "" : rest.substr(end + 1);
      if (line.empty()) break;
      auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string name(line.substr(0, colon));
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      r.headers[name] = std::string(value);
    }
    r.body = std::string(rest);
    if (!r.headers.count("authorization")) r.headers["authorization"] = "Bearer " + token_;
    if (!r.headers.count("content-type")) r.headers["content-type"] = "application/json";
    return r;
  }

 private:
  static std::string decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      bool escape = s[i] == '%' && i + 2 < s.size() &&
                    std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
                    std::isxdigit(static_cast<unsigned char>(s[i + 2]));
      if (escape) {
        out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<app::Engine> engine_;
  std::unique_ptr<app::http::Api> api_;
  std::string token_;
};

}  // namespace covenant::testing
