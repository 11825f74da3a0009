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

// Three steps, one transition each: an instance's history is four stored rows (a row holds
// one transition's events: engine/store/history_rows.hpp).
const char* kSteps = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: steps }
start: a
states:
  a: { type: task, activity: work.do, input: { what: "${ .x }" }, output: .a, next: b }
  b: { type: task, activity: work.do, input: { what: "${ .x }" }, output: .b, next: c }
  c: { type: task, activity: work.do, input: { what: "${ .x }" }, output: .c, next: done }
  done: { type: succeed }
)";

// What a superuser can do: switch off the triggers that refuse UPDATE and DELETE.
void without_guards(covenant::engine::store::Store& store, const std::string& sql) {
  auto tx = store.begin(covenant::engine::store::Scope::all());
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

std::string sql_text(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// A stored history row: its key (the last event's sequence number), link and events.
struct StoredRow {
  std::int64_t seq = 0;
  std::string prev_hash;
  nlohmann::json events;
  std::int64_t first() const { return seq - static_cast<std::int64_t>(events.size()) + 1; }
};

std::vector<StoredRow> stored_rows(covenant::engine::store::Store& store, const std::string& id) {
  auto tx = store.begin(covenant::engine::store::Scope::all(), false);
  REQUIRE(tx);
  std::vector<StoredRow> out;
  long long seq = 0;
  std::string prev, events;
  soci::statement st = ((*tx)->sql().prepare << "SELECT seq, prev_hash, events FROM history "
                                                "WHERE instance_id = :i ORDER BY seq",
                        soci::use(id), soci::into(seq), soci::into(prev), soci::into(events));
  st.execute();
  while (st.fetch()) out.push_back({seq, prev, nlohmann::json::parse(events)});
  return out;
}

// The stored row holding event `seq` of instance `id`.
StoredRow row_of(covenant::engine::store::Store& store, const std::string& id, std::int64_t seq) {
  for (auto& r : stored_rows(store, id))
    if (r.first() <= seq && seq <= r.seq) return r;
  FAIL("no stored row holds event " << seq << " of " << id);
  return {};
}

void write_row(covenant::engine::store::Store& store, const std::string& id, const StoredRow& r) {
  without_guards(store, "UPDATE history SET events = " + sql_text(r.events.dump()) +
                            ", prev_hash = " + sql_text(r.prev_hash) + " WHERE instance_id = " +
                            sql_text(id) + " AND seq = " + std::to_string(r.seq));
}

}  // namespace

ENGINE_TEST("Audit verify finds an edited, a deleted, a re-ordered and an unlinked event",
            audit_verify) {
  fx.deploy(kSteps);
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i)
    ids.push_back(
        fx.start("steps", {{"x", i}}, {"C-" + std::to_string(i), "alice", "", "default"}));
  fx.drain();
  for (const auto& id : ids) REQUIRE(stored_rows(*fx.store_, id).size() == 4);
  using covenant::engine::audit::verify;
  auto clean = verify(*fx.store_, covenant::engine::store::Scope::all());
  REQUIRE(clean);
  CHECK(clean->intact());
  CHECK(clean->instances == 6);
  CHECK(clean->events >= 60);
  // Small pages exercise the merge across page boundaries, and pages ending inside a row.
  for (int page : {1, 2, 5}) {
    auto paged = verify(*fx.store_, covenant::engine::store::Scope::all(), "", page);
    REQUIRE(paged);
    CHECK(paged->intact());
    CHECK(paged->events == clean->events);
  }

  // 1: a value changed in an event's payload (a valid JSON edit), in the middle of a row.
  auto edited = row_of(*fx.store_, ids[1], 3);
  REQUIRE(edited.first() < 3);
  edited.events[3 - edited.first()][3]["attempt"] = 9;
  write_row(*fx.store_, ids[1], edited);
  // 2: a transition's row deleted in the middle.
  auto second = row_of(*fx.store_, ids[2], 4);
  without_guards(*fx.store_, "DELETE FROM history WHERE instance_id = " + sql_text(ids[2]) +
                                 " AND seq = " + std::to_string(second.seq));
  // 3: two events of a row swapped.
  auto swapped = row_of(*fx.store_, ids[3], 2);
  REQUIRE(swapped.first() == 1);
  std::swap(swapped.events[1], swapped.events[2]);
  write_row(*fx.store_, ids[3], swapped);
  // 4: the tail cut off.
  without_guards(*fx.store_, "DELETE FROM history WHERE instance_id = " + sql_text(ids[4]) +
                                 " AND seq = (SELECT MAX(seq) FROM history WHERE instance_id = " +
                                 sql_text(ids[4]) + ")");
  // 5: a row's link to the one before it changed.
  auto third = row_of(*fx.store_, ids[5], 7);
  third.prev_hash = std::string(64, '0');
  write_row(*fx.store_, ids[5], third);
  auto r = verify(*fx.store_, covenant::engine::store::Scope::all());
  REQUIRE(r);
  REQUIRE(r->breaks.size() == 5);
  std::map<std::string, covenant::engine::audit::Break> by;
  for (const auto& b : r->breaks) by[b.instance_id] = b;
  CHECK(by[ids[1]].seq == 3);
  CHECK(by[ids[1]].reason == "its content does not match its hash");
  CHECK(by[ids[1]].business_key == "C-1");
  CHECK(by[ids[2]].seq == second.first());
  CHECK(by[ids[2]].reason.find("missing") != std::string::npos);
  CHECK(by[ids[3]].seq == 2);
  CHECK(by[ids[3]].reason == "its content does not match its hash");
  CHECK(by[ids[4]].reason.find("the history ends at event") != std::string::npos);
  CHECK(by[ids[5]].seq == third.first());
  CHECK(by[ids[5]].reason == "its link to the previous event is broken");
  CHECK_FALSE(by.count(ids[0]));

  // One instance on its own.
  auto one = verify(*fx.store_, covenant::engine::store::Scope::all(), ids[0]);
  REQUIRE(one);
  CHECK(one->intact());
  auto bad = verify(*fx.store_, covenant::engine::store::Scope::all(), ids[1]);
  REQUIRE(bad);
  CHECK(bad->breaks.size() == 1);
  CHECK(
      verify(*fx.store_, covenant::engine::store::Scope::all(), "no-such-instance").error().code ==
      covenant::engine::ErrorCode::NotFound);
}

ENGINE_TEST("A stored row that is no longer JSON is a broken link, not a crash",
            audit_verify_garbage) {
  fx.deploy(kSteps);
  auto id = fx.start("steps", {{"x", 1}}, {"C-9", "alice", "", "default"});
  fx.drain();
  auto row = row_of(*fx.store_, id, 5);
  without_guards(*fx.store_,
                 "UPDATE history SET events = '[[2,\"root\",\"b\",{not json' WHERE "
                 "instance_id = " +
                     sql_text(id) + " AND seq = " + std::to_string(row.seq));
  auto r = covenant::engine::audit::verify(*fx.store_, covenant::engine::store::Scope::all());
  REQUIRE(r);
  REQUIRE(r->breaks.size() == 1);
  CHECK(r->breaks[0].seq == row.first());
  CHECK(r->breaks[0].reason.find("not JSON") != std::string::npos);
  // The instance's own reads refuse it with a clear error instead of guessing.
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  REQUIRE_FALSE(h);
  CHECK(h.error().code == covenant::engine::ErrorCode::Corrupted);
  CHECK(h.error().message.find("not JSON") != std::string::npos);
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
  CHECK(audit::make_checkpoint(*fx.store_, "default", day, key->private_pem, now).error().code ==
        ErrorCode::FailedPrecondition);  // the day is not over
  std::int64_t later = now + 2 * 86'400LL * 1'000'000;
  auto cp = audit::make_checkpoint(*fx.store_, "default", day, key->private_pem, later);
  REQUIRE(cp);
  auto again = audit::make_checkpoint(*fx.store_, "default", day, key->private_pem, later);
  REQUIRE(again);
  CHECK(again->digest == cp->digest);
  auto all = fx.store_->audit.checkpoints("default");
  REQUIRE(all);
  REQUIRE(all->size() == 1);
  auto fine = audit::check_checkpoints(*fx.store_, "default", *all, {key->public_pem});
  REQUIRE(fine);
  CHECK(fine->empty());
  // Someone else's key does not verify them.
  auto other = audit::generate_ed25519();
  auto forged = audit::check_checkpoints(*fx.store_, "default", *all, {other->public_pem});
  REQUIRE(forged);
  REQUIRE(forged->size() == 1);
  CHECK(forged->front().reason.find("signature") != std::string::npos);

  // The rewrite: an event's payload changed and every later hash, and the instance's head,
  // recomputed, as someone with full access to the database could.
  store::HistoryQuery q;
  q.instance_id = id;
  q.by_instance = true;
  auto rows = fx.store_->audit.page(covenant::engine::store::Scope::all(), q, {}, 1000);
  REQUIRE(rows);
  std::string prev;
  std::map<std::int64_t, covenant::engine::store::HistoryRow> by_seq;
  for (auto r : *rows) {
    if (r.seq == 2) r.payload = R"({"occurrence":7,"type":"task"})";
    r.prev_hash = prev;
    auto h = audit::row_hash(r);
    REQUIRE(h);
    r.hash = *h;
    prev = r.hash;
    by_seq[r.seq] = r;
  }
  for (auto stored : stored_rows(*fx.store_, id)) {
    stored.prev_hash = by_seq[stored.first()].prev_hash;
    for (std::int64_t s = stored.first(); s <= stored.seq; ++s) {
      auto& e = stored.events[s - stored.first()];
      e[3] = nlohmann::json::parse(by_seq[s].payload);
      e[4] = by_seq[s].hash;
    }
    write_row(*fx.store_, id, stored);
  }
  without_guards(*fx.store_,
                 "UPDATE instances SET last_hash = '" + prev + "' WHERE id = '" + id + "'");
  auto chains = audit::verify(*fx.store_, covenant::engine::store::Scope::all());
  REQUIRE(chains);
  CHECK(chains->intact());  // the chains alone cannot tell
  auto caught = audit::check_checkpoints(*fx.store_, "default", *all, {key->public_pem});
  REQUIRE(caught);
  REQUIRE(caught->size() == 1);
  CHECK(caught->front().instance_id == id);
  CHECK(caught->front().reason.find("rewritten") != std::string::npos);
  // And a new checkpoint of that day is refused: the history no longer matches it.
  CHECK(audit::make_checkpoint(*fx.store_, "default", day, key->private_pem, later).error().code ==
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
