// An identity provider's key set from its URL (app/identity.hpp): fetched when the server
// starts, fetched again when a token names a key the provider has just rotated in — at most
// once a minute, so tokens with made-up key ids cannot make Covenant hammer the provider — and
// refused with the reason when the URL does not answer or serves no usable key.
#include "app/identity.hpp"

#include "tests/support/jwt_signer.hpp"
#include "tests/support/listening.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <thread>

using nlohmann::json;

namespace {

// The provider's jwks_uri on loopback, serving whatever key set the test puts there.
struct KeySetServer {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::mutex mu;
  std::string body;
  int status = 200;
  std::atomic<int> hits{0};
  KeySetServer() {
    server.Get("/.well-known/jwks.json", [this](const httplib::Request&, httplib::Response& res) {
      ++hits;
      std::lock_guard lock(mu);
      res.status = status;
      res.set_content(body, "application/json");
    });
    port = server.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    thread = std::thread([this] { server.listen_after_bind(); });
    covenant::testing::wait_until_listening(server, thread);
  }
  ~KeySetServer() {
    server.stop();
    thread.join();
  }
  void serve(std::string b, int s = 200) {
    std::lock_guard lock(mu);
    body = std::move(b);
    status = s;
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port) + "/.well-known/jwks.json";
  }
};

}  // namespace

TEST_CASE("A key set from the provider's URL follows its rotation, at most once a minute") {
  KeySetServer idp;
  auto first = covenant::testing::make_rsa_key("2026-11");
  auto next = covenant::testing::make_ec_key("2026-12");
  idp.serve(covenant::testing::jwks_of({first}));
  auto keys = covenant::app::fetch_jwks(idp.url());
  REQUIRE(keys);
  REQUIRE(keys->size() == 1);
  CHECK(idp.hits == 1);
  covenant::engine::auth::OidcIssuer issuer;
  issuer.issuer = "https://login.acme.example/";
  issuer.audience = "covenant";
  std::string url = idp.url();
  covenant::engine::auth::OidcVerifier v(issuer, *keys,
                                         [url] { return covenant::app::fetch_jwks(url); });
  std::int64_t now = 1'800'000'000;
  auto token = [&](const covenant::testing::TestKey& k) {
    return covenant::testing::sign_jwt(
        k, {{"iss", issuer.issuer}, {"aud", "covenant"}, {"sub", "erin"}, {"exp", now + 600}});
  };
  CHECK(v.verify(token(first), now));
  CHECK(idp.hits == 1);  // a known key needs no fetch
  // The provider rotates: the new key is fetched when a token first names it.
  idp.serve(covenant::testing::jwks_of({first, next}));
  CHECK(v.verify(token(next), now));
  CHECK(idp.hits == 2);
  // Made-up key ids: one fetch a minute at most, however many tokens.
  auto stranger = covenant::testing::make_rsa_key("made-up");
  for (int i = 0; i < 20; ++i) CHECK_FALSE(v.verify(token(stranger), now + 10));
  CHECK(idp.hits == 2);
  CHECK_FALSE(v.verify(token(stranger), now + 61));
  CHECK(idp.hits == 3);
  // A provider that fails keeps the keys the verifier has.
  idp.serve("oops", 500);
  CHECK_FALSE(v.verify(token(stranger), now + 200));
  CHECK(idp.hits == 4);
  CHECK(v.verify(token(next), now + 200));
}

TEST_CASE("A key set URL that does not answer, or serves no usable key, is refused with why") {
  KeySetServer idp;
  idp.serve("", 404);
  auto missing = covenant::app::fetch_jwks(idp.url());
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == covenant::engine::ErrorCode::Unavailable);
  CHECK(missing.error().message.find("answered 404") != std::string::npos);
  idp.serve(R"({"keys": [{"kty": "oct", "kid": "k", "k": "c2VjcmV0"}]})");
  auto unusable = covenant::app::fetch_jwks(idp.url());
  REQUIRE_FALSE(unusable);
  CHECK(unusable.error().message.find("no RS256 or ES256 key") != std::string::npos);
  idp.serve(std::string(2 << 20, ' '));
  auto huge = covenant::app::fetch_jwks(idp.url());
  REQUIRE_FALSE(huge);
  CHECK(huge.error().message.find("larger than 1 MiB") != std::string::npos);
  auto closed = covenant::app::fetch_jwks("http://127.0.0.1:1/jwks.json", std::chrono::seconds(2));
  REQUIRE_FALSE(closed);
  CHECK(closed.error().code == covenant::engine::ErrorCode::Unavailable);
  CHECK_FALSE(covenant::app::fetch_jwks("ftp://idp.example/jwks.json"));
}
