#include "tests/support/webdriver.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

extern char** environ;

namespace covenant::testing {

namespace {

constexpr const char* kElement = "element-6066-11e4-a52e-4f735466cecf";

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    return 0;
  }
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

}  // namespace

Browser::Browser() {
  port_ = free_port();
  REQUIRE(port_ > 0);
  std::string port_arg = "--port=" + std::to_string(port_);
  std::string log_arg = "--log-path=" + (profile_.path() / "chromedriver.log").string();
  const char* argv[] = {"/usr/bin/chromedriver", port_arg.c_str(), log_arg.c_str(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], nullptr, nullptr, const_cast<char**>(argv), environ);
  if (rc != 0) FAIL("cannot start /usr/bin/chromedriver (run scripts/setup-deps)");
  driver_pid_ = pid;
  httplib::Client probe("127.0.0.1", port_);
  bool ready = false;
  for (int i = 0; i < 200 && !ready; ++i) {
    auto r = probe.Get("/status");
    ready = r && r->status == 200;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(ready);
  nlohmann::json args = {"--headless=new",
                         "--no-sandbox",
                         "--disable-gpu",
                         "--disable-dev-shm-usage",
                         "--disable-quic",
                         "--no-first-run",
                         "--disable-background-networking",
                         "--disable-component-update",
                         "--disable-sync",
                         "--window-size=1280,1000",
                         "--user-data-dir=" + (profile_.path() / "profile").string()};
  auto s =
      call("POST", "/session",
           {{"capabilities",
             {{"alwaysMatch",
               {{"browserName", "chrome"},
                {"goog:chromeOptions", {{"binary", "/usr/bin/chromium"}, {"args", args}}}}}}}});
  session_ = s.at("sessionId");
}

Browser::~Browser() {
  if (!session_.empty()) {
    httplib::Client c("127.0.0.1", port_);
    c.Delete(("/session/" + session_).c_str());
  }
  if (driver_pid_ > 0) {
    kill(driver_pid_, SIGTERM);
    int status = 0;
    waitpid(driver_pid_, &status, 0);
  }
}

nlohmann::json Browser::call(const std::string& method, const std::string& path,
                             const nlohmann::json& body) {
  httplib::Client c("127.0.0.1", port_);
  c.set_read_timeout(60, 0);
  httplib::Result r = method == "GET" ? c.Get(path.c_str())
                                      : c.Post(path.c_str(), body.is_null() ? "{}" : body.dump(),
                                               "application/json");
  if (!r) FAIL("webdriver " << method << " " << path << ": no answer");
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (r->status != 200)
    FAIL("webdriver " << method << " " << path << ": " << r->status << " " << r->body);
  return j.value("value", nlohmann::json());
}

void Browser::go(const std::string& url) {
  call("POST", "/session/" + session_ + "/url", {{"url", url}});
}

bool Browser::exists(const std::string& css) {
  auto found = call("POST", "/session/" + session_ + "/elements",
                    {{"using", "css selector"}, {"value", css}});
  return !found.empty();
}

std::string Browser::wait_for(const std::string& css, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto found = call("POST", "/session/" + session_ + "/elements",
                      {{"using", "css selector"}, {"value", css}});
    if (!found.empty()) return found[0].at(kElement);
    if (std::chrono::steady_clock::now() > deadline)
      FAIL("no element matches '" << css << "'; the page says: " << text("body"));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string Browser::wait_for_text(const std::string& css, const std::string& want,
                                   std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    wait_for(css, timeout);
    std::string t = text(css);
    if (t.find(want) != std::string::npos) return t;
    if (std::chrono::steady_clock::now() > deadline)
      FAIL("'" << css << "' never said '" << want << "'; it says: " << t);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void Browser::click(const std::string& css) {
  call("POST", "/session/" + session_ + "/element/" + wait_for(css) + "/click",
       nlohmann::json::object());
}

void Browser::type(const std::string& css, const std::string& text) {
  std::string el = wait_for(css);
  call("POST", "/session/" + session_ + "/element/" + el + "/clear", nlohmann::json::object());
  call("POST", "/session/" + session_ + "/element/" + el + "/value", {{"text", text}});
}

std::string Browser::text(const std::string& css) {
  auto found = call("POST", "/session/" + session_ + "/elements",
                    {{"using", "css selector"}, {"value", css}});
  if (found.empty()) return "";
  return call("GET", "/session/" + session_ + "/element/" +
                         found[0].at(kElement).get<std::string>() + "/text")
      .get<std::string>();
}

nlohmann::json Browser::script_async(const std::string& js) {
  return call("POST", "/session/" + session_ + "/execute/async",
              {{"script", js}, {"args", nlohmann::json::array()}});
}

void Browser::resize(int width, int height) {
  call("POST", "/session/" + session_ + "/window/rect", {{"width", width}, {"height", height}});
  // The window's own frame takes some of its height: grow it until the page gets `height`.
  int frame = script("return window.outerHeight - window.innerHeight").get<int>();
  if (frame > 0)
    call("POST", "/session/" + session_ + "/window/rect",
         {{"width", width}, {"height", height + frame}});
}

nlohmann::json Browser::script(const std::string& js) {
  return call("POST", "/session/" + session_ + "/execute/sync",
              {{"script", js}, {"args", nlohmann::json::array()}});
}

}  // namespace covenant::testing
