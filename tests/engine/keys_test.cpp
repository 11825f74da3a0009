// Each namespace's checkpoint keys (issue 21): the first key a namespace signs with becomes its
// key; another key is refused until the namespace rotates to it; after a rotation the old key
// still signs for the overlap given and no longer after it; a checkpoint the old key signed for
// a later day — what someone holding a leaked, retired key would make — is caught by the check;
// a retired key does not come back; every change is an event in the namespace's own log, and
// another namespace sees none of it. On SQLite and PostgreSQL.
#include "engine/audit/checkpoint.hpp"
#include "engine/time_format.hpp"
#include "tests/engine/engine_fixture.hpp"
#include "workflows/sha256.hpp"

namespace {

using covenant::testing::EngineFixture;
using nlohmann::json;
namespace ce = covenant::engine;

constexpr std::int64_t kDay = 86'400LL * 1'000'000;
constexpr std::int64_t kHour = 3'600LL * 1'000'000;

constexpr const char* kKeysWaits = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: deal }
start: wait_here
states:
  wait_here: { type: wait, event: go, next: done }
  done: { type: succeed }
)";

std::string day_of(std::int64_t us) {
  return ce::format_rfc3339(ce::from_micros(us)).substr(0, 10);
}

}  // namespace

ENGINE_TEST(
    "A namespace's checkpoint key rotates with an overlap, and a retired key's late "
    "signature is caught",
    checkpoint_key_rotation) {
  fx.deploy(kKeysWaits);
  fx.start("deal", json::object(), {"C-1", "rita", "", "default"});
  auto a = ce::audit::generate_ed25519();
  auto b = ce::audit::generate_ed25519();
  REQUIRE(a);
  REQUIRE(b);
  auto& store = *fx.store_;
  std::int64_t t0 = ce::to_micros(fx.clock.now());
  std::string d1 = day_of(t0), d2 = day_of(t0 + kDay), d3 = day_of(t0 + 2 * kDay),
              d4 = day_of(t0 + 3 * kDay), d5 = day_of(t0 + 4 * kDay);

  // The first key used becomes the namespace's key: an event says so.
  auto c1 =
      ce::audit::make_checkpoint(store, "default", d1, a->private_pem, t0 + kDay + kHour, "ops");
  REQUIRE(c1);
  auto keys = store.keys.of("default", ce::store::kCheckpointKey);
  REQUIRE(keys);
  REQUIRE(keys->size() == 1);
  CHECK(keys->front().key_id == ce::audit::key_id(a->public_pem));
  CHECK(keys->front().current());

  // Another key is not the namespace's: refused, saying which is.
  auto other = ce::audit::make_checkpoint(store, "default", d2, b->private_pem,
                                          t0 + 2 * kDay + kHour, "ops");
  REQUIRE_FALSE(other);
  CHECK(other.error().code == ce::ErrorCode::PermissionDenied);
  CHECK(other.error().message.find(keys->front().key_id.substr(0, 16)) != std::string::npos);

  // Rotate to b, with a day's overlap: a still signs within it.
  std::int64_t rotated_at = t0 + 2 * kDay + 2 * kHour;
  auto change =
      ce::audit::rotate_checkpoint_key(store, "default", b->private_pem, rotated_at, kDay, "alice");
  REQUIRE(change);
  CHECK(change->changed);
  REQUIRE(change->previous);
  CHECK(change->previous->key_id == ce::audit::key_id(a->public_pem));
  CHECK(change->previous->valid_until_us == rotated_at + kDay);
  auto again = ce::audit::rotate_checkpoint_key(store, "default", b->private_pem, rotated_at + 1,
                                                kDay, "alice");
  REQUIRE(again);
  CHECK_FALSE(again->changed);  // current already: no second event
  auto c2 =
      ce::audit::make_checkpoint(store, "default", d2, a->private_pem, rotated_at + kHour, "ops");
  REQUIRE(c2);  // the overlap: a cron job not changed over yet still works

  // After the overlap a is refused, b signs.
  auto late = ce::audit::make_checkpoint(store, "default", d3, a->private_pem,
                                         rotated_at + kDay + 1, "ops");
  REQUIRE_FALSE(late);
  CHECK(late.error().code == ce::ErrorCode::PermissionDenied);
  CHECK(late.error().message.find("rotated out") != std::string::npos);
  auto c3 = ce::audit::make_checkpoint(store, "default", d3, b->private_pem, rotated_at + kDay + 1,
                                       "ops");
  REQUIRE(c3);

  // The chain checks with both keys trusted; with only the new key, the old days do not.
  auto all = store.audit.checkpoints("default");
  REQUIRE(all);
  REQUIRE(all->size() == 3);
  auto fine = ce::audit::check_checkpoints(store, "default", *all, {a->public_pem, b->public_pem});
  REQUIRE(fine);
  CHECK(fine->empty());
  auto registered = ce::audit::check_checkpoints(store, "default", *all, {});
  REQUIRE(registered);
  CHECK(registered->empty());  // the namespace's registered keys, when none is given
  auto only_b = ce::audit::check_checkpoints(store, "default", *all, {b->public_pem});
  REQUIRE(only_b);
  REQUIRE(only_b->size() == 2);
  CHECK(only_b->at(0).day == d1);
  CHECK(only_b->at(1).day == d2);
  // A stranger's key, even trusted by the verifier, was never the namespace's.
  auto stranger = ce::audit::generate_ed25519();
  REQUIRE(stranger);
  auto heads = store.audit.heads_before(ce::store::Scope::of("default"), t0 + 4 * kDay);
  REQUIRE(heads);

  // Someone holding the leaked, retired key a signs the next day and writes it straight into
  // the database, chained to the last one: the check says a signed after it was rotated out.
  auto forge = [&](const std::string& day, const std::string& pem, const std::string& pub,
                   std::int64_t created) {
    json list = json::array();
    for (const auto& [id, seq, hash] : *heads) list.push_back(json::array({id, seq, hash}));
    json doc = {{"format", "covenant-checkpoint/1"},
                {"day", day},
                {"heads", list},
                {"previous", all->back().digest}};
    std::string text = doc.dump();
    auto sig = ce::audit::sign(pem, text);
    REQUIRE(sig);
    return ce::store::CheckpointRow{
        day, text, covenant::workflows::sha256_hex(text), *sig, pub, created, "default"};
  };
  // Its stored time claims the overlap; the day it covers ended after the overlap did.
  auto forged = forge(d4, a->private_pem, a->public_pem, rotated_at + kHour);
  REQUIRE(store.audit.add_checkpoint(forged));
  auto with_forged = store.audit.checkpoints("default");
  REQUIRE(with_forged);
  auto caught =
      ce::audit::check_checkpoints(store, "default", *with_forged, {a->public_pem, b->public_pem});
  REQUIRE(caught);
  REQUIRE(caught->size() == 1);
  CHECK(caught->front().day == d4);
  CHECK(caught->front().reason.find("after it was rotated out") != std::string::npos);
  // And one signed by a key the verifier trusts but the namespace never had.
  std::vector<ce::store::CheckpointRow> strangers = {
      forge(d5, stranger->private_pem, stranger->public_pem, t0 + 5 * kDay)};
  auto never = ce::audit::check_checkpoints(store, "default", strangers, {stranger->public_pem});
  REQUIRE(never);
  REQUIRE_FALSE(never->empty());
  CHECK(never->front().reason.find("never") != std::string::npos);

  // A first use never replaces the namespace's key (two first checkpoints at once: one key).
  auto first = store.keys.rotate("default", ce::store::kCheckpointKey, "", "k-other", "other", t0,
                                 t0 + 5 * kDay, t0 + 5 * kDay, "x", true);
  REQUIRE(first);
  CHECK_FALSE(first->changed);
  CHECK(first->current.key_id == ce::audit::key_id(b->public_pem));
  auto still = store.keys.of("default", ce::store::kCheckpointKey);
  REQUIRE(still);
  CHECK(still->size() == 2);

  // A retired key does not come back.
  auto back = ce::audit::rotate_checkpoint_key(store, "default", a->private_pem,
                                               rotated_at + 3 * kDay, 0, "mallory");
  REQUIRE_FALSE(back);
  CHECK(back.error().code == ce::ErrorCode::FailedPrecondition);

  // The namespace's log: who added and rotated which key, in order; nothing for another.
  auto log = store.keys.events("default", 0, 100);
  REQUIRE(log);
  REQUIRE(log->size() == 2);
  CHECK(log->at(0).seq == 1);
  CHECK(log->at(0).kind == "key.added");
  CHECK(log->at(0).actor == "ops");
  CHECK(log->at(1).kind == "key.rotated");
  CHECK(log->at(1).actor == "alice");
  auto detail = json::parse(log->at(1).detail);
  CHECK(detail["purpose"] == "checkpoint");
  CHECK(detail["key_id"] == ce::audit::key_id(b->public_pem));
  CHECK(detail["previous_key_id"] == ce::audit::key_id(a->public_pem));
  CHECK(detail["previous_valid_until"] == ce::format_rfc3339(ce::from_micros(rotated_at + kDay)));
  auto after = store.keys.events("default", 1, 100);
  REQUIRE(after);
  CHECK(after->size() == 1);
  auto globex_log = store.keys.events("globex", 0, 100);
  REQUIRE(globex_log);
  CHECK(globex_log->empty());
  auto globex_keys = store.keys.of("globex", ce::store::kCheckpointKey);
  REQUIRE(globex_keys);
  CHECK(globex_keys->empty());
  // Only the two kinds of key, with printable ids.
  CHECK(store.keys.rotate("globex", "checkpoint", "", "bad id!", "", 0, 0, 0, "x").error().code ==
        ce::ErrorCode::InvalidArgument);
  CHECK(store.keys.rotate("globex", "smtp", "", "k1", "", 0, 0, 0, "x").error().code ==
        ce::ErrorCode::InvalidArgument);
}
