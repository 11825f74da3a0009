// covenant audit verify's engine: the chains recomputed from the rows as stored. A tamper
// test edits, deletes and re-orders history rows directly in the database — with the
// append-only triggers out of the way, as a database superuser could — and the verifier names
// the instance and the first broken sequence number; a clean database verifies.
#include "engine/audit/checkpoint.hpp"
#include "engine/audit/verify.hpp"
#include "engine/history/hash_chain.hpp"
#include "engine/time_format.hpp"
#include "tests/engine/engine_fixture.hpp"
#include "workflows/sha256.hpp"

namespace {

const char* kSteps = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: steps }
start: a
states:
  a: { type: choice, choices: [{ when: "${ .x == 0 }", next: b }], default: b }
  b: { type: choice, choices: [{ when: "${ .x == 0 }", next: c }], default: c }
  c: { type: choice, choices: [{ when: "${ .x == 0 }", next: done }], default: done }
  done: { type: succeed }
)";

// What a superuser can do: switch off the triggers that refuse UPDATE and DELETE.
void without_guards(covenant::engine::store::Store& store, const std::string& sql) {
  auto tx = store.begin();
  REQUIRE(tx);
  auto& s = (*tx)->sql();
  if (store.dialect().name() == std::string("postgres")) {
    s << "ALTER TABLE history DISABLE TRIGGER ALL";
    s << sql;
    s << "ALTER TABLE history ENABLE TRIGGER ALL";
  } else {
    s << "DROP TRIGGER IF EXISTS history_refuses_update";
    s << "DROP TRIGGER IF EXISTS history_refuses_delete";
    s << sql;
  }
  REQUIRE((*tx)->commit());
}

}  // namespace

ENGINE_TEST("Audit verify finds an edited, a deleted and a re-ordered history row", audit_verify) {
  fx.deploy(kSteps);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(
        fx.start("steps", {{"x", i}}, {"C-" + std::to_string(i), "alice", "", "default"}));
  fx.drain();
  using covenant::engine::audit::verify;
  auto clean = verify(*fx.store_);
  REQUIRE(clean);
  CHECK(clean->intact());
  CHECK(clean->instances == 5);
  CHECK(clean->events >= 30);
  // Small pages exercise the merge across page boundaries.
  auto paged = verify(*fx.store_, "", 2);
  REQUIRE(paged);
  CHECK(paged->intact());
  CHECK(paged->events == clean->events);

  // 1: an amount changed in a payload (a valid JSON edit).
  without_guards(*fx.store_,
                 "UPDATE history SET payload = '{\"type\":\"choice\",\"occurrence\":9}' "
                 "WHERE instance_id = '" +
                     ids[1] + "' AND seq = 3");
  // 2: a row deleted in the middle.
  without_guards(*fx.store_,
                 "DELETE FROM history WHERE instance_id = '" + ids[2] + "' AND seq = 2");
  // 3: two rows swapped (their sequence numbers exchanged).
  without_guards(*fx.store_,
                 "UPDATE history SET seq = -1 WHERE instance_id = '" + ids[3] + "' AND seq = 2");
  without_guards(*fx.store_,
                 "UPDATE history SET seq = 2 WHERE instance_id = '" + ids[3] + "' AND seq = 3");
  without_guards(*fx.store_,
                 "UPDATE history SET seq = 3 WHERE instance_id = '" + ids[3] + "' AND seq = -1");
  // 4: the tail cut off.
  without_guards(*fx.store_, "DELETE FROM history WHERE instance_id = '" + ids[4] +
                                 "' AND seq = (SELECT MAX(seq) FROM history WHERE instance_id = '" +
                                 ids[4] + "')");
  auto r = verify(*fx.store_);
  REQUIRE(r);
  REQUIRE(r->breaks.size() == 4);
  std::map<std::string, covenant::engine::audit::Break> by;
  for (const auto& b : r->breaks) by[b.instance_id] = b;
  CHECK(by[ids[1]].seq == 3);
  CHECK(by[ids[1]].reason == "its content does not match its hash");
  CHECK(by[ids[1]].business_key == "C-1");
  CHECK(by[ids[2]].seq == 2);
  CHECK(by[ids[2]].reason.find("missing") != std::string::npos);
  CHECK(by[ids[3]].seq == 2);
  CHECK(by[ids[3]].reason == "its link to the previous event is broken");
  CHECK(by[ids[4]].reason.find("the history ends at event") != std::string::npos);
  CHECK_FALSE(by.count(ids[0]));

  // One instance on its own.
  auto one = verify(*fx.store_, ids[0]);
  REQUIRE(one);
  CHECK(one->intact());
  auto bad = verify(*fx.store_, ids[1]);
  REQUIRE(bad);
  CHECK(bad->breaks.size() == 1);
  CHECK(verify(*fx.store_, "no-such-instance").error().code ==
        covenant::engine::ErrorCode::NotFound);
}

ENGINE_TEST("A payload that is no longer JSON is a broken link, not a crash",
            audit_verify_garbage) {
  fx.deploy(kSteps);
  auto id = fx.start("steps", {{"x", 1}}, {"C-9", "alice", "", "default"});
  fx.drain();
  without_guards(*fx.store_, "UPDATE history SET payload = '{not json' WHERE instance_id = '" + id +
                                 "' AND seq = 2");
  auto r = covenant::engine::audit::verify(*fx.store_);
  REQUIRE(r);
  REQUIRE(r->breaks.size() == 1);
  CHECK(r->breaks[0].seq == 2);
  CHECK(r->breaks[0].reason == "its payload is not JSON");
}

ENGINE_TEST("Signed daily checkpoints catch a rewrite that recomputed every hash",
            audit_checkpoints) {
  using namespace covenant::engine;
  fx.deploy(kSteps);
  auto id = fx.start("steps", {{"x", 1}}, {"C-1", "alice", "", "default"});
  fx.start("steps", {{"x", 2}}, {"C-2", "alice", "", "default"});
  fx.drain();
  auto key = audit::generate_ed25519();
  REQUIRE(key);
  std::string day = format_rfc3339(fx.clock.now()).substr(0, 10);
  std::int64_t now = to_micros(fx.clock.now());
  CHECK(audit::make_checkpoint(*fx.store_, day, key->private_pem, now).error().code ==
        ErrorCode::FailedPrecondition);  // the day is not over
  std::int64_t later = now + 2 * 86'400LL * 1'000'000;
  auto cp = audit::make_checkpoint(*fx.store_, day, key->private_pem, later);
  REQUIRE(cp);
  auto again = audit::make_checkpoint(*fx.store_, day, key->private_pem, later);
  REQUIRE(again);
  CHECK(again->digest == cp->digest);
  auto all = fx.store_->checkpoints();
  REQUIRE(all);
  REQUIRE(all->size() == 1);
  auto fine = audit::check_checkpoints(*fx.store_, *all, key->public_pem);
  REQUIRE(fine);
  CHECK(fine->empty());
  // Someone else's key does not verify them.
  auto other = audit::generate_ed25519();
  auto forged = audit::check_checkpoints(*fx.store_, *all, other->public_pem);
  REQUIRE(forged);
  REQUIRE(forged->size() == 1);
  CHECK(forged->front().reason.find("signature") != std::string::npos);

  // The rewrite: an event's payload changed and every later hash, and the instance's head,
  // recomputed, as someone with full access to the database could.
  store::HistoryQuery q;
  q.instance_id = id;
  q.by_instance = true;
  auto rows = fx.store_->history_page(q, {}, 1000);
  REQUIRE(rows);
  std::string prev, sql;
  for (auto r : *rows) {
    if (r.seq == 2) r.payload = R"({"occurrence":7,"type":"choice"})";
    r.prev_hash = prev;
    auto h = audit::row_hash(r);
    REQUIRE(h);
    r.hash = *h;
    prev = r.hash;
    without_guards(*fx.store_, "UPDATE history SET payload = '" + r.payload + "', prev_hash = '" +
                                   r.prev_hash + "', hash = '" + r.hash +
                                   "' WHERE instance_id = '" + id +
                                   "' AND seq = " + std::to_string(r.seq));
  }
  without_guards(*fx.store_,
                 "UPDATE instances SET last_hash = '" + prev + "' WHERE id = '" + id + "'");
  auto chains = audit::verify(*fx.store_);
  REQUIRE(chains);
  CHECK(chains->intact());  // the chains alone cannot tell
  auto caught = audit::check_checkpoints(*fx.store_, *all, key->public_pem);
  REQUIRE(caught);
  REQUIRE(caught->size() == 1);
  CHECK(caught->front().instance_id == id);
  CHECK(caught->front().reason.find("rewritten") != std::string::npos);
  // And a new checkpoint of that day is refused: the history no longer matches it.
  CHECK(audit::make_checkpoint(*fx.store_, day, key->private_pem, later).error().code ==
        ErrorCode::Conflict);
}

// The chain's canonical form is part of the audit format: the hash the runtime computes from
// the payload's text (written out key by key) must be the one of the documented form, the
// object {"at","frame","instance","payload","prev","seq","state","type"} dumped, for any
// content — escapes, control characters, non-ASCII text, numbers, nesting.
TEST_CASE("An event's hash from its payload text is the hash of the canonical form") {
  namespace h = covenant::engine::history;
  std::vector<nlohmann::json> payloads = {
      nlohmann::json::object(),
      {{"amount", {{"amount_minor", 9007199254740993LL}, {"currency", "JPY"}}}},
      {{"text", "quote \" backslash \\ tab \t newline \n bell \x07 del \x7f"}},
      {{"name", "Société Générale — 株式会社 😀"}, {"list", {1, -2, 3.5, nullptr, true}}},
      {{"nested", {{"z", 1}, {"a", {{"b", {{"c", "deep"}}}}}}}}};
  int n = 0;
  for (const auto& payload : payloads) {
    h::Event e;
    e.instance_id = "inst-\"" + std::to_string(n);
    e.seq = 1 + n;
    e.type = h::EventType::ActivityCompleted;
    e.at_us = 1'796'178'208'734'958LL + n;
    e.frame = n % 2 ? "root/prices.1" : "root";
    e.state = n % 2 ? "line\nbreak" : "";
    e.payload = payload;
    e.prev_hash = n ? std::string(64, 'a') : "";
    nlohmann::json canonical = {{"at", e.at_us},
                                {"frame", e.frame},
                                {"instance", e.instance_id},
                                {"payload", e.payload},
                                {"prev", e.prev_hash},
                                {"seq", e.seq},
                                {"state", e.state},
                                {"type", std::string(h::name(e.type))}};
    std::string expected = covenant::workflows::sha256_hex(canonical.dump());
    CHECK(h::event_hash(e, e.payload.dump()) == expected);
    CHECK(h::event_hash(e) == expected);
    ++n;
  }
}
