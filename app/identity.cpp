#include "app/identity.hpp"

#include <httplib.h>

namespace covenant::app {

engine::Result<std::vector<engine::auth::Jwk>> fetch_jwks(const std::string& url,
                                                          std::chrono::seconds timeout) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos ||
      (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0))
    return engine::fail(engine::ErrorCode::InvalidArgument, "jwks_url must be http:// or https://",
                        url);
  auto path_at = url.find('/', scheme + 3);
  std::string origin = url.substr(0, path_at);
  std::string path = path_at == std::string::npos ? "/" : url.substr(path_at);
  httplib::Client client(origin);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_follow_location(false);
  constexpr std::size_t kMax = 1 << 20;
  std::string body;
  bool too_big = false;
  auto res = client.Get(path, [&](const char* data, std::size_t n) {
    if (body.size() + n > kMax) {
      too_big = true;
      return false;
    }
    body.append(data, n);
    return true;
  });
  if (too_big)
    return engine::fail(engine::ErrorCode::InvalidArgument,
                        "the key set at " + url + " is larger than 1 MiB", url);
  if (!res)
    return engine::fail(
        engine::ErrorCode::Unavailable,
        "the key set at " + url + " did not answer (" + httplib::to_string(res.error()) + ")", url);
  if (res->status != 200)
    return engine::fail(engine::ErrorCode::Unavailable,
                        "the key set at " + url + " answered " + std::to_string(res->status), url);
  auto keys = engine::auth::parse_jwks(body);
  if (!keys)
    return engine::fail(engine::ErrorCode::InvalidArgument, url + ": " + keys.error().message, url);
  return keys;
}

}  // namespace covenant::app
