#include "engine/auth/principals.hpp"

#include "tests/engine/engine_fixture.hpp"

using covenant::engine::ErrorCode;
using covenant::engine::auth::Principals;

ENGINE_TEST("Principals authenticate by token, stored only as a hash, and can be revoked",
            principals) {
  covenant::engine::RandomIds ids;
  Principals p(*fx.store_, fx.clock, ids);
  auto token = p.add("default", "bob", {"finance", "revops"});
  REQUIRE(token);
  CHECK(token->rfind("cov_", 0) == 0);
  CHECK(token->size() == 68);
  auto who = p.authenticate(*token);
  REQUIRE(who);
  CHECK(who->name == "bob");
  CHECK(who->has_role("finance"));
  CHECK_FALSE(who->has_role("cfo"));

  // The token itself is nowhere in the database.
  auto tx = fx.store_->begin(covenant::engine::store::Scope::all(), false);
  int found = -1;
  std::string t = *token;
  (*tx)->sql() << "SELECT COUNT(*) FROM principals WHERE token_hash = :t OR roles = :t2",
      soci::use(t), soci::use(t), soci::into(found);
  CHECK(found == 0);
  tx->reset();

  std::string wrong = *token;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  CHECK(p.authenticate(wrong).error().code == ErrorCode::PermissionDenied);
  CHECK(p.authenticate("not-a-token").error().code == ErrorCode::PermissionDenied);
  CHECK(p.authenticate("").error().code == ErrorCode::PermissionDenied);

  CHECK(p.add("default", "bob", {"admin"}).error().code == ErrorCode::Conflict);
  CHECK(p.add("default", "Bad Name", {"admin"}).error().code == ErrorCode::InvalidArgument);
  CHECK(p.add("default", "carol", {}).error().code == ErrorCode::InvalidArgument);
  CHECK(p.add("default", "carol", {"Finance Team"}).error().code == ErrorCode::InvalidArgument);

  REQUIRE(p.revoke(covenant::engine::store::Scope::all(), "bob"));
  auto revoked = p.authenticate(*token);
  CHECK(revoked.error().code == ErrorCode::PermissionDenied);
  CHECK(p.revoke(covenant::engine::store::Scope::all(), "nobody").error().code ==
        ErrorCode::NotFound);
  auto all = p.list(covenant::engine::store::Scope::all());
  REQUIRE(all);
  REQUIRE(all->size() == 1);
  CHECK(all->front().revoked_us != 0);
}

ENGINE_TEST("A principal's token expires, and a rotation keeps the old one for the overlap only",
            principal_tokens) {
  using namespace std::chrono_literals;
  covenant::engine::RandomIds ids;
  Principals p(*fx.store_, fx.clock, ids);
  auto first = p.add("default", "crm-bot", {"service"}, 90 * 24h);
  REQUIRE(first);
  REQUIRE(p.authenticate(*first));
  auto listed = p.list(covenant::engine::store::Scope::all());
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].tokens == 1);
  CHECK((*listed)[0].next_expiry_us ==
        covenant::engine::to_micros(fx.clock.now()) + std::int64_t{90} * 24 * 3600 * 1'000'000);
  // Rotated with a day of overlap: both work for the day, then only the new one.
  fx.clock.advance(30 * 24h);
  auto second = p.rotate(covenant::engine::store::Scope::all(), "crm-bot", 24h, 90 * 24h);
  REQUIRE(second);
  CHECK(*second != *first);
  CHECK(p.authenticate(*first));
  CHECK(p.authenticate(*second));
  listed = p.list(covenant::engine::store::Scope::all());
  REQUIRE(listed);
  CHECK((*listed)[0].tokens == 2);
  CHECK((*listed)[0].next_expiry_us ==
        covenant::engine::to_micros(fx.clock.now()) + std::int64_t{24} * 3600 * 1'000'000);
  fx.clock.advance(24h);
  CHECK(p.authenticate(*first).error().code == ErrorCode::PermissionDenied);
  CHECK(p.authenticate(*second));
  // The new token expires in its turn.
  fx.clock.advance(89 * 24h);
  CHECK(p.authenticate(*second).error().code == ErrorCode::PermissionDenied);
  listed = p.list(covenant::engine::store::Scope::all());
  REQUIRE(listed);
  CHECK((*listed)[0].tokens == 0);
  // A rotation without overlap stops the old token at once; one without expiry lasts.
  auto third = p.rotate(covenant::engine::store::Scope::all(), "crm-bot", 0s);
  REQUIRE(third);
  auto fourth = p.rotate(covenant::engine::store::Scope::all(), "crm-bot", 0s);
  REQUIRE(fourth);
  CHECK(p.authenticate(*third).error().code == ErrorCode::PermissionDenied);
  fx.clock.advance(3650 * 24h);
  CHECK(p.authenticate(*fourth));
  // Refusals.
  CHECK(p.rotate(covenant::engine::store::Scope::all(), "nobody", 0s).error().code ==
        ErrorCode::NotFound);
  CHECK(p.rotate(covenant::engine::store::Scope::all(), "crm-bot", 48h, 24h).error().code ==
        ErrorCode::InvalidArgument);
  CHECK(p.add("default", "short", {"service"}, -1s).error().code == ErrorCode::InvalidArgument);
  REQUIRE(p.revoke(covenant::engine::store::Scope::all(), "crm-bot"));
  CHECK(p.authenticate(*fourth).error().code == ErrorCode::PermissionDenied);
  CHECK(p.rotate(covenant::engine::store::Scope::all(), "crm-bot", 0s).error().code ==
        ErrorCode::FailedPrecondition);
}
