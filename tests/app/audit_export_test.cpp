// covenant audit export over 100,000 events: the CSV re-imports with one header row and a
// row per event, and the exporter's memory is bounded — measured as the process's peak
// resident size, which must not grow from a 10,000-event export to a 100,000-event one by
// more than a fixed margin (it holds one page at a time). Then verify over the same data.
#include "engine/history/hash_chain.hpp"
#include "engine/store/store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <sys/resource.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>

using namespace covenant::engine;

namespace {

// `instances` instances of `per` events each, chained as the engine chains them, written
// straight through the store (the runtime would take minutes for this many).
void seed(store::Store& s, int instances, int per) {
  REQUIRE(s.definitions.put("default", "bulk", std::string(64, 'b'), "kind: Workflow", "{}", 1));
  auto tx = s.begin(covenant::engine::store::Scope::all());
  REQUIRE(tx);
  for (int i = 0; i < instances; ++i) {
    model::Instance inst;
    char id[32];
    std::snprintf(id, sizeof id, "inst-%06d", i);
    inst.id = id;
    inst.workflow = "bulk";
    inst.digest = std::string(64, 'b');
    inst.business_key = "C-" + std::to_string(i % 997);
    inst.status = "completed";
    inst.started_by = "loader";
    inst.input = nlohmann::json::object();
    std::vector<history::Event> events;
    std::string prev;
    for (int k = 1; k <= per; ++k) {
      history::Event e;
      e.instance_id = inst.id;
      e.seq = k;
      e.type = k == 1 ? history::EventType::WorkflowStarted : history::EventType::ActivityCompleted;
      e.at_us = 1'800'000'000'000'000LL + static_cast<std::int64_t>(i) * 1000 + k;
      e.frame = "root";
      e.state = "bill";
      e.payload = k == 1
                      ? nlohmann::json{{"started_by", "loader"}}
                      : nlohmann::json{{"activity", "billing.create_invoice"},
                                       {"idempotency_key", inst.id + "/bill#" + std::to_string(k)},
                                       {"result",
                                        {{"system", "stripe"},
                                         {"id", "in_" + std::to_string(k)},
                                         {"total_minor", 12345 + k},
                                         {"currency", "usd"},
                                         {"memo", "a, \"quoted\" memo"}}}};
      e.prev_hash = prev;
      e.hash = history::event_hash(e);
      prev = e.hash;
      events.push_back(std::move(e));
    }
    inst.next_seq = per + 1;
    inst.last_hash = prev;
    store::WriteBatch rows;
    rows.insert_instance(inst, "");
    rows.append(events);
    REQUIRE(s.flush(**tx, rows));
  }
  REQUIRE((*tx)->commit());
}

// Runs the command; returns the peak resident size (KiB) of all children waited for so far.
long run(const std::string& cmd) {
  REQUIRE(std::system(cmd.c_str()) == 0);
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return u.ru_maxrss;
}

}  // namespace

TEST_CASE("An export of 100,000 events streams in bounded memory and re-imports as CSV") {
  covenant::testing::TempDir dir;
  std::string small = "sqlite:" + (dir.path() / "small.db").string();
  std::string large = "sqlite:" + (dir.path() / "large.db").string();
  {
    auto s = store::Store::open(small);
    REQUIRE(s);
    seed(**s, 1'000, 10);
  }
  {
    auto s = store::Store::open(large);
    REQUIRE(s);
    seed(**s, 10'000, 10);
  }
  std::string exe = COVENANT_BINARY;
  std::string range = " --from 2027-01-01 --to 2028-01-01";
  long small_kib = run(exe + " audit export --db " + small + range + " -o " +
                       (dir.path() / "small.csv").string() + " 2>/dev/null");
  long large_kib = run(exe + " audit export --db " + large + range + " -o " +
                       (dir.path() / "large.csv").string() + " 2>/dev/null");
  INFO("peak RSS: 10,000 events " << small_kib << " KiB, 100,000 events " << large_kib << " KiB");
  CHECK(large_kib < small_kib + 16 * 1024);  // ten times the events, not ten times the memory
  WARN("audit export peak RSS: 10,000 events " << small_kib << " KiB; 100,000 events " << large_kib
                                               << " KiB");
  // A spreadsheet reads it back: one header row, 100,000 rows of 16 fields, quotes intact.
  std::string check =
      std::string(
          "python3 -c \"import csv,sys; r=list(csv.reader(open(sys.argv[1], "
          "newline=''))); assert r[0][0]=='event_time' and r[0][-1]=='prev_hash', r[0]; "
          "assert len(r)==100001, len(r); assert all(len(x)==16 for x in r); "
          "assert sum(1 for x in r if x[0]=='event_time')==1; "
          "assert r[2][8]=='12347' and r[2][9]=='USD', r[2]\" ") +
      (dir.path() / "large.csv").string();
  CHECK(std::system(check.c_str()) == 0);
  CHECK(std::system((exe + " audit verify --db " + large + " >/dev/null").c_str()) == 0);
}
