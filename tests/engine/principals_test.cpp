#include "engine/auth/principals.hpp"

#include "tests/engine/engine_fixture.hpp"

using covenant::engine::ErrorCode;
using covenant::engine::auth::Principals;

ENGINE_TEST("Principals authenticate by token, stored only as a hash, and can be revoked",
            principals) {
  covenant::engine::RandomIds ids;
  Principals p(*fx.store_, fx.clock, ids);
  auto token = p.add("bob", {"finance", "revops"});
  REQUIRE(token);
  CHECK(token->rfind("cov_", 0) == 0);
  CHECK(token->size() == 68);
  auto who = p.authenticate(*token);
  REQUIRE(who);
  CHECK(who->name == "bob");
  CHECK(who->has_role("finance"));
  CHECK_FALSE(who->has_role("cfo"));

  // The token itself is nowhere in the database.
  auto tx = fx.store_->begin(false);
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

  CHECK(p.add("bob", {"admin"}).error().code == ErrorCode::Conflict);
  CHECK(p.add("Bad Name", {"admin"}).error().code == ErrorCode::InvalidArgument);
  CHECK(p.add("carol", {}).error().code == ErrorCode::InvalidArgument);
  CHECK(p.add("carol", {"Finance Team"}).error().code == ErrorCode::InvalidArgument);

  REQUIRE(p.revoke("bob"));
  auto revoked = p.authenticate(*token);
  CHECK(revoked.error().code == ErrorCode::PermissionDenied);
  CHECK(p.revoke("nobody").error().code == ErrorCode::NotFound);
  auto all = p.list();
  REQUIRE(all);
  REQUIRE(all->size() == 1);
  CHECK(all->front().revoked_us != 0);
}
