// A small W3C WebDriver client for end-to-end tests of the web pages: starts Debian's
// chromedriver on a free loopback port, opens a headless Chromium session with a fresh
// profile, and drives it (navigate, find, click, type, read text, run a script). Waiting is
// by polling for a condition with a generous deadline; nothing measures time.
// Not thread-safe: one test thread drives one browser.
#pragma once

#include "tests/support/temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace covenant::testing {

class Browser {
 public:
  Browser();  // FAILs the test when chromedriver or chromium cannot start
  ~Browser();
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  void go(const std::string& url);
  // The first element matching `css`, waiting for it to appear; its WebDriver id.
  std::string wait_for(const std::string& css,
                       std::chrono::seconds timeout = std::chrono::seconds(20));
  // Waits until the text of `css` contains `text`; returns the element's text.
  std::string wait_for_text(const std::string& css, const std::string& text,
                            std::chrono::seconds timeout = std::chrono::seconds(20));
  bool exists(const std::string& css);
  void click(const std::string& css);
  void type(const std::string& css, const std::string& text);  // replaces the value
  std::string text(const std::string& css);
  nlohmann::json script(const std::string& js);
  // Runs `js` until it calls its last argument (the callback) with the result; WebDriver's
  // script timeout (30 s) bounds the wait.
  nlohmann::json script_async(const std::string& js);
  // The page's viewport, as a phone's or a laptop's screen (the window grows by its frame).
  void resize(int width, int height);

 private:
  nlohmann::json call(const std::string& method, const std::string& path,
                      const nlohmann::json& body = nullptr);
  TempDir profile_;
  int driver_pid_ = -1;
  int port_ = 0;
  std::string session_;
};

}  // namespace covenant::testing
