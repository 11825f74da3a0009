// The web pages (web/, embedded): /ui/inbox.html, /ui/instance.html and their scripts.
// The pages are static and hold no data; they call /v1 with the token the user gives them.
#include "app/http/api.hpp"
#include "app/http/web_assets.hpp"

namespace covenant::app::http {

namespace {

std::string content_type(const std::string& path) {
  auto ends = [&](const char* ext) {
    std::string e = ext;
    return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

void add_web_routes(Api& api) {
  api.route(
      "GET", "/", {},
      [](Call& c) {
        c.res.status = 302;
        c.res.headers.emplace_back("Location", "/ui/inbox.html");
        c.res.content_type = "text/plain";
        c.res.body = "see /ui/inbox.html";
      },
      Access::Public);
  api.route(
      "GET", "/ui/{path+}", {},
      [](Call& c) {
        const auto& assets = web_assets();
        auto it = assets.find(c.params[0]);
        if (it == assets.end()) return problem(c, "NotFound", "no page " + c.params[0]);
        c.res.status = 200;
        c.res.content_type = content_type(it->first);
        c.res.headers.emplace_back("Cache-Control", "no-cache");
        c.res.headers.emplace_back("Content-Security-Policy",
                                   "default-src 'self'; img-src 'self' data:; style-src 'self'");
        c.res.body = it->second;
      },
      Access::Public);
}

}  // namespace covenant::app::http
