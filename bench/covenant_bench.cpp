// covenant-bench: the measurements behind `make bench` (scripts/bench.py runs them, adds the
// same run's baselines and writes bench/report.md). Each mode prints one JSON object.
//
//   throughput --db URL --concurrency C --instances N
//       N instances of a seven-task workflow with trivial activities, at most C in flight
//       (started in bulk as room frees), one in-process worker with C activity slots.
//   latency --db URL --runs M
//       one instance at a time, start to completion (the worker's real wake-up path).
//   approval --db URL --runs M [--parked P]
//       M instances parked at a finance gate; each is approved through the HTTP API
//       (POST /v1/approvals/{id}/decisions on 127.0.0.1); latency from sending the request to
//       the financial task's dispatch. With --parked, P more instances are parked at the gate
//       first and the same is measured again, with the engine's RSS and the database's size:
//       right after the load, and once the database has settled (settle()).
//   load --db URL --instances N --step-us U
//       starts N instances whose activities each take U µs and runs a worker on them until
//       killed (the parent SIGKILLs it with all N in flight).
//   recover --db URL --instances N
//       restarts the worker on the killed run's database; time until every instance has
//       completed, and a check of every history: none lost, no step recorded twice.
//   baseline --db URL --seconds S
//       the commit ceiling through the same driver: one ~200-byte INSERT per transaction.
//   validate --instances N
//       compiles (loads, validates, digests) definitions of N/8, N/4, N/2 and N states, each
//       a chain of tasks writing their own outputs, choices with distinct expressions, and
//       waits: the cost of one deploy request, which must grow linearly.
//   views --db URL --instances N --runs M
//       a generated book of N contracts (app/book_generator.hpp; written once per database),
//       then each view's API (GET /v1/views/…, on 127.0.0.1, as finance) M times per query —
//       the first page, a filtered page, a page further on by cursor, the totals — with the
//       same run's GET /healthz as the baseline: p50/p95/p99 per view.
//   start --db URL --instances N / work --db URL --expect N --id NAME
//       scale-out: one process starts N instances; each worker process runs until all N
//       are completed and reports what it did.
#include "app/book_generator.hpp"
#include "app/composition.hpp"
#include "app/http/api.hpp"
#include "app/http/server.hpp"
#include "engine/history/event_type.hpp"
#include "engine/scheduler/worker.hpp"
#include "engine/time_format.hpp"
#include "workflows/compiler.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

namespace {

using Clock = std::chrono::steady_clock;
using covenant::engine::ActivityCall;
using covenant::engine::ActivityResult;
using covenant::engine::history::EventType;
using nlohmann::json;
namespace ce = covenant::engine;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

json percentiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<std::size_t>(q * v.size()))];
  };
  return {{"p50_ms", at(0.50)},
          {"p95_ms", at(0.95)},
          {"p99_ms", at(0.99)},
          {"max_ms", v.empty() ? 0.0 : v.back()},
          {"n", v.size()}};
}

// bench.step returns at once (or after --step-us); bench.invoice is the financial write and
// notes when it was dispatched. Every call is counted by idempotency key, to find repeats.
class Activities final : public ce::ActivityExecutor {
 public:
  explicit Activities(int step_us = 0) : step_us_(step_us) {}
  ActivityResult execute(const ActivityCall& c) override {
    if (step_us_ > 0) std::this_thread::sleep_for(std::chrono::microseconds(step_us_));
    calls_++;
    if (c.activity == "bench.invoice") {
      std::lock_guard lock(mu_);
      dispatched_[c.instance_id] = Clock::now();
    }
    return ActivityResult::success({{"ok", true}});
  }
  std::optional<Clock::time_point> dispatched(const std::string& instance) {
    std::lock_guard lock(mu_);
    auto it = dispatched_.find(instance);
    if (it == dispatched_.end()) return std::nullopt;
    return it->second;
  }
  long calls() const { return calls_; }

 private:
  int step_us_;
  std::atomic<long> calls_{0};
  std::mutex mu_;
  std::map<std::string, Clock::time_point> dispatched_;
};

class Catalog final : public covenant::workflows::ActivityCatalog {
 public:
  const covenant::workflows::ActivityInfo* find(std::string_view n) const override {
    for (const auto& i : infos_)
      if (i.name == n) return &i;
    return nullptr;
  }
  std::vector<const covenant::workflows::ActivityInfo*> all() const override {
    return {&infos_[0], &infos_[1]};
  }

 private:
  std::vector<covenant::workflows::ActivityInfo> infos_{{"bench.step", false, "", {}, true},
                                                        {"bench.invoice", true, "", {}, true}};
};

std::string seven_steps() {
  std::string y =
      "apiVersion: covenant/v1\nkind: Workflow\nmetadata: { name: bench }\nstart: s1\nstates:\n";
  for (int i = 1; i <= 7; ++i)
    y += "  s" + std::to_string(i) + ": { type: task, activity: bench.step, output: .r" +
         std::to_string(i) +
         ", next: " + (i < 7 ? "s" + std::to_string(i + 1) : std::string("done")) + " }\n";
  return y + "  done: { type: succeed }\n";
}

constexpr const char* kApproval = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: bench-approval }
start: prepare
states:
  prepare: { type: task, activity: bench.step, output: .prepared, next: gate }
  gate:
    type: approval
    authorizes: [bench.invoice]
    subject:
      n: { from: "${ .n }", type: integer }
    approvers:
      - { role: finance }
    next: invoice
  invoice: { type: task, activity: bench.invoice, input: { n: "${ .n }" }, output: .invoice, next: done }
  done: { type: succeed }
)";

struct Bench {
  std::unique_ptr<covenant::app::Engine> engine;
  Activities activities;

  Bench(const std::string& url, int pool, int step_us = 0) : activities(step_us) {
    auto e = covenant::app::open_engine(url, pool);
    if (!e) throw std::runtime_error("cannot open " + url + ": " + e.error().message);
    engine = std::move(*e);
    Catalog catalog;
    for (const std::string& source : {seven_steps(), std::string(kApproval)}) {
      auto c = covenant::workflows::compile(source, "bench.yaml", catalog);
      if (!c.workflow) {
        std::string why;
        for (const auto& d : c.diagnostics) why += "\n  " + d.code + ": " + d.message;
        throw std::runtime_error("the bench workflow does not compile:" + why);
      }
      auto put = engine->store->definitions.put("default", c.workflow->name(), c.workflow->digest(),
                                                source, c.workflow->canonical_text(),
                                                ce::to_micros(engine->clock.now()));
      if (!put) throw std::runtime_error(put.error().message);
    }
  }
  ce::runtime::Runtime& rt() { return *engine->runtime; }
  std::uint64_t completed() const { return engine->metrics.events(EventType::WorkflowCompleted); }
  void wait_completed(std::uint64_t n) const {
    while (completed() < n) std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  std::vector<std::string> start(const char* workflow, int n, int from = 0) {
    std::vector<json> inputs;
    for (int i = 0; i < n; ++i) inputs.push_back({{"n", from + i}});
    auto ids = rt().start_many(workflow, inputs, {});
    if (!ids) throw std::runtime_error("start: " + ids.error().message);
    return *ids;
  }
  long long count(const std::string& status) {
    auto st = engine->store->stats();
    if (!st) throw std::runtime_error(st.error().message);
    auto it = st->instances_by_status.find(status);
    return it == st->instances_by_status.end() ? 0 : it->second;
  }
};

// Runs a worker on its own thread for the scope's lifetime.
struct Running {
  ce::scheduler::Worker worker;
  std::thread thread;
  Running(Bench& b, int concurrency, const std::string& id = "bench")
      : worker(b.rt(), b.activities, {id, concurrency}), thread([this] { worker.run(); }) {}
  ~Running() {
    worker.stop();
    thread.join();
  }
};

long rss_kib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

long long database_bytes(Bench& b, const std::string& url) {
  if (url.rfind("sqlite:", 0) == 0) {
    std::string path = url.substr(7);
    long long n = 0;
    for (const char* suffix : {"", "-wal"}) {
      std::error_code ec;
      auto size = std::filesystem::file_size(path + suffix, ec);
      if (!ec) n += static_cast<long long>(size);
    }
    return n;
  }
  auto tx = b.engine->store->begin(covenant::engine::store::Scope::all(), false);
  long long n = 0;
  (*tx)->sql() << "SELECT pg_database_size(current_database())", soci::into(n);
  return n;
}

// What an operator does after a bulk load, so that the load's after-effects are not measured as
// the cost of holding it: PostgreSQL vacuums and analyses the tables (the insert counters that
// would start autovacuum during the measurement are reset; the planner sees the new sizes) and
// checkpoints (the load's dirty pages are written now, not spread over the next minutes);
// SQLite checkpoints its WAL into the database file. Returns the seconds it took.
double settle(Bench& b, const std::string& url) {
  auto t = Clock::now();
  auto tx = b.engine->store->begin(covenant::engine::store::Scope::all(), false);
  if (!tx) throw std::runtime_error(tx.error().message);
  if (url.rfind("sqlite:", 0) == 0) {
    (*tx)->sql() << "PRAGMA wal_checkpoint(TRUNCATE)";
  } else {
    (*tx)->sql() << "COMMIT";  // VACUUM runs outside a transaction block
    (*tx)->sql() << "VACUUM (ANALYZE)";
    (*tx)->sql() << "CHECKPOINT";
    (*tx)->sql() << "BEGIN";
  }
  return ms_since(t) / 1000;
}

json baseline(const std::string& url, double seconds) {
  auto store = ce::store::Store::open(url, 2);
  if (!store) throw std::runtime_error(store.error().message);
  {
    auto tx = (*store)->begin(covenant::engine::store::Scope::all());
    (*tx)->sql() << "CREATE TABLE IF NOT EXISTS bench_baseline (id BIGINT PRIMARY KEY, payload "
                    "TEXT NOT NULL)";
    (*tx)->sql() << "DELETE FROM bench_baseline";
    if (auto c = (*tx)->commit(); !c) throw std::runtime_error(c.error().message);
  }
  std::string payload(200, 'x');
  auto t = Clock::now();
  long long n = 0;
  while (ms_since(t) < seconds * 1000) {
    auto tx = (*store)->begin(covenant::engine::store::Scope::all());
    (*tx)->sql() << "INSERT INTO bench_baseline (id, payload) VALUES (:i, :p)", soci::use(n),
        soci::use(payload);
    if (auto c = (*tx)->commit(); !c) throw std::runtime_error(c.error().message);
    ++n;
  }
  return {{"tx_per_s", static_cast<double>(n) / (ms_since(t) / 1000)}};
}

json throughput(const std::string& url, int concurrency, int n) {
  Bench b(url, 4);
  Running w(b, concurrency);
  auto t = Clock::now();
  int started = 0;
  while (started < n) {
    auto in_flight = static_cast<int>(started - static_cast<int>(b.completed()));
    int room = std::min(concurrency - in_flight, n - started);
    // Start in bulk once a quarter of the slots is free (or the last ones): each start is
    // a durable commit of its own, so starting one instance per freed slot would spend the
    // commit budget on starts.
    if (room <= 0 || (room < std::max(1, concurrency / 4) && started + room < n)) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    b.start("bench", room, started);
    started += room;
  }
  b.wait_completed(static_cast<std::uint64_t>(n));
  double s = ms_since(t) / 1000;
  if (b.count("completed") != n) throw std::runtime_error("not every instance completed");
  auto k = w.worker.counts();
  return {{"instances", n},
          {"claims", k.claims},
          {"mean_claim", k.claims ? static_cast<double>(k.claimed) / k.claims : 0.0},
          {"batches", k.batches},
          {"eager", k.eager},
          {"mean_batch", k.batches ? static_cast<double>(k.completed) / k.batches : 0.0},
          {"concurrency", concurrency},
          {"seconds", s},
          {"transitions_per_s", 8.0 * n / s},
          {"steps_per_s", 7.0 * n / s},
          {"instances_per_s", n / s}};
}

json latency(const std::string& url, int runs) {
  Bench b(url, 4);
  Running w(b, 4);
  std::vector<double> ms;
  for (int i = 0; i < runs + 5; ++i) {
    auto t = Clock::now();
    auto done = b.completed();
    b.start("bench", 1, i);
    b.wait_completed(done + 1);
    if (i >= 5) ms.push_back(ms_since(t));  // the first few warm caches
  }
  return percentiles(ms);
}

// Approves `ids` one at a time through the HTTP API; latency to the invoice's dispatch.
std::vector<double> approve_all(Bench& b, httplib::Client& http, const std::string& token,
                                const std::vector<std::string>& ids) {
  std::vector<double> ms;
  for (const auto& id : ids) {
    auto rows = b.engine->store->approvals.of_instance(covenant::engine::store::Scope::all(), id);
    if (!rows || rows->empty() || rows->front().status != "open")
      throw std::runtime_error("instance " + id + " is not at its gate");
    const auto& a = rows->front();
    json body = {{"decision", "approve"}, {"digest", a.digest}, {"comment", "bench"}};
    auto t = Clock::now();
    auto res = http.Post("/v1/approvals/" + a.id + "/decisions",
                         {{"Authorization", "Bearer " + token}}, body.dump(), "application/json");
    if (!res || res->status != 201)
      throw std::runtime_error("decision refused: " + (res ? res->body : std::string("no answer")));
    std::optional<Clock::time_point> at;
    while (!(at = b.activities.dispatched(id)))
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    ms.push_back(std::chrono::duration<double, std::milli>(*at - t).count());
  }
  return ms;
}

void wait_parked(Bench& b, long long n) {
  while (b.engine->metrics.events(EventType::ApprovalRequested) < static_cast<std::uint64_t>(n))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

json approval(const std::string& url, int runs, int parked) {
  Bench b(url, 8);
  auto token = b.engine->principals->add("default", "bench-finance", {"finance"});
  if (!token) throw std::runtime_error(token.error().message);
  covenant::app::http::Api api(b.engine->services(""));
  covenant::app::http::add_all_routes(api);
  covenant::app::http::Server server(api);
  int port = server.bind("127.0.0.1", 0);
  std::thread serving([&] { server.run(); });
  json out;
  {
    Running w(b, 16);
    httplib::Client http("127.0.0.1", port);
    http.set_keep_alive(true);
    http.set_tcp_nodelay(true);
    auto ids = b.start("bench-approval", runs + 5);
    wait_parked(b, runs + 5);
    auto ms = approve_all(b, http, *token, ids);
    ms.erase(ms.begin(), ms.begin() + 5);
    out["empty"] = percentiles(ms);
    if (parked > 0) {
      long rss_before = rss_kib();
      long long bytes_before = database_bytes(b, url);
      auto t = Clock::now();
      for (int i = 0; i < parked; i += 1000) b.start("bench-approval", std::min(1000, parked - i));
      wait_parked(b, runs + 5 + parked);
      double park_s = ms_since(t) / 1000;
      long long bytes_after = database_bytes(b, url);
      // Two sets decided with the others parked: the first right after the load (its
      // checkpoint and autovacuum still at work), the second once the database has settled.
      auto more = b.start("bench-approval", 2 * (runs + 5), parked);
      wait_parked(b, runs + 5 + parked + 2 * (runs + 5));
      std::vector<std::string> first(more.begin(), more.begin() + runs + 5),
          second(more.begin() + runs + 5, more.end());
      auto ms_loaded = approve_all(b, http, *token, first);
      ms_loaded.erase(ms_loaded.begin(), ms_loaded.begin() + 5);
      double settle_s = settle(b, url);
      auto ms2 = approve_all(b, http, *token, second);
      ms2.erase(ms2.begin(), ms2.begin() + 5);
      out["parked"] = percentiles(ms2);
      out["parked"]["settle_s"] = settle_s;
      out["parked"]["right_after_load"] = percentiles(ms_loaded);
      out["parked"]["instances"] = parked;
      out["parked"]["seconds_to_park"] = park_s;
      out["parked"]["rss_kib_before"] = rss_before;
      out["parked"]["rss_kib"] = rss_kib();
      out["parked"]["db_bytes_per_instance"] =
          static_cast<double>(bytes_after - bytes_before) / parked;
    }
  }
  server.stop();
  serving.join();
  return out;
}

[[noreturn]] void load(const std::string& url, int n, int step_us) {
  Bench b(url, 4, step_us);
  Running w(b, 64, "bench-recovery");
  for (int i = 0; i < n; i += 1000) b.start("bench", std::min(1000, n - i), i);
  std::cout << json{{"started", n}}.dump() << std::endl;
  while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
}

// Every instance's history: one chain, intact, WorkflowStarted first, each task's completion
// recorded once, WorkflowCompleted last.
json check_histories(Bench& b, int expected) {
  ce::store::InstanceFilter f;
  f.workflow = "bench";
  int completed = 0, broken = 0, repeated = 0, total = 0;
  while (true) {
    f.limit = 1000;
    auto page = b.engine->store->instances.find(covenant::engine::store::Scope::all(), f);
    if (!page) throw std::runtime_error(page.error().message);
    for (const auto& inst : *page) {
      ++total;
      if (inst.status == "completed") ++completed;
      auto h = b.engine->store->instances.history(covenant::engine::store::Scope::all(), inst.id);
      if (!h) throw std::runtime_error(h.error().message);
      std::map<std::string, int> done;
      std::string prev;
      for (const auto& e : *h) {
        if (e.prev_hash != prev) ++broken;
        prev = e.hash;
        if (e.type == EventType::ActivityCompleted && ++done[e.state] > 1) ++repeated;
      }
      if (done.size() != 7) ++broken;
    }
    if (page->size() < 1000) break;
    f.after_us = page->back().created_us;
    f.after_id = page->back().id;
  }
  return {{"instances", total},         {"expected", expected},
          {"completed", completed},     {"lost", expected - completed},
          {"broken_histories", broken}, {"repeated_steps", repeated}};
}

json recover(const std::string& url, int n) {
  auto t = Clock::now();
  Bench b(url, 4);
  long long before = b.count("completed");
  double resumed_ms = 0;
  {
    Running w(b, 64, "bench-recovery");
    while (b.count("running") > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    resumed_ms = ms_since(t);
  }
  json out = check_histories(b, n);
  out["completed_before_restart"] = before;
  out["seconds_to_complete_all"] = resumed_ms / 1000;
  out["activity_calls_after_restart"] = b.activities.calls();
  return out;
}

json work(const std::string& url, int expect, const std::string& id) {
  Bench b(url, 4);
  auto t = Clock::now();
  {
    Running w(b, 64, id);
    while (b.count("completed") < expect)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  struct rusage u {};
  ::getrusage(RUSAGE_SELF, &u);
  double cpu = static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
               static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  return {{"worker", id},
          {"seconds", ms_since(t) / 1000},
          {"activity_calls", b.activities.calls()},
          {"cpu_seconds", cpu}};
}

// A definition of `states` states: task → choice → wait, repeated, each writing or reading
// its own path, so nothing is shared between states.
std::string chain(int states) {
  std::string y =
      "apiVersion: covenant/v1\nkind: Workflow\nmetadata: { name: chain, owner: revops }\n"
      "start: s0\nstates:\n";
  for (int i = 0; i < states; ++i) {
    std::string me = "s" + std::to_string(i), n = std::to_string(i);
    std::string next = i + 1 < states ? "s" + std::to_string(i + 1) : "done";
    switch (i % 3) {
      case 0:
        y += "  " + me + ": { type: task, activity: bench.step, input: { n: \"${ .n }\" }, " +
             "output: .r" + n + ", next: " + next + " }\n";
        break;
      case 1:
        y += "  " + me + ":\n    type: choice\n    choices: [{ when: \"${ .n == " + n + " and (.r" +
             std::to_string(i - 1) + " != null) }\", next: " + next + " }]\n    default: " + next +
             "\n";
        break;
      default:
        y += "  " + me + ": { type: wait, event: e" + n + ", output: .e" + n + ", next: " + next +
             " }\n";
    }
  }
  return y + "  done: { type: succeed }\n";
}

json validate(int states) {
  Catalog catalog;
  json runs = json::array();
  for (int n : {states / 8, states / 4, states / 2, states}) {
    std::string source = chain(n);
    auto t = std::chrono::steady_clock::now();
    auto c = covenant::workflows::compile(source, "chain.yaml", catalog);
    double ms = ms_since(t);
    if (!c.workflow) {
      std::string why;
      for (const auto& d : c.diagnostics) why += "\n  " + d.code + ": " + d.message;
      throw std::runtime_error("the chain does not compile:" + why);
    }
    runs.push_back({{"states", n}, {"bytes", source.size()}, {"ms", ms}});
  }
  return {{"runs", runs}};
}

}  // namespace

// Each view's API on a book of `contracts`, `runs` times per query (docs/views.md).
json views(const std::string& url, int contracts, int runs) {
  auto e = covenant::app::open_engine(url, 4);
  if (!e) throw std::runtime_error("cannot open " + url + ": " + e.error().message);
  auto& engine = **e;
  auto now = ce::to_micros(engine.clock.now());
  auto have = engine.store->contracts.get("default", "G-000001");
  if (!have) throw std::runtime_error(have.error().message);
  json out;
  if (!*have) {
    auto t = Clock::now();
    auto made = covenant::app::generate_book(*engine.store, "default", contracts, 1,
                                             now / (86'400LL * 1'000'000), now);
    if (!made) throw std::runtime_error(made.error().message);
    out["generated"] = {{"contracts", made->contracts}, {"seconds", ms_since(t) / 1000}};
  }
  // A principal of its own per run: the book may be one an earlier run generated.
  auto token = engine.principals->add("default", "bench-views-" + std::to_string(now), {"finance"});
  if (!token) throw std::runtime_error(token.error().message);
  covenant::app::http::Api api(engine.services(""));
  covenant::app::http::add_all_routes(api);
  covenant::app::http::Server server(api);
  int port = server.bind("127.0.0.1", 0);
  std::thread serving([&] { server.run(); });
  httplib::Client http("127.0.0.1", port);
  http.set_keep_alive(true);
  http.set_read_timeout(60, 0);
  httplib::Headers auth = {{"Authorization", "Bearer " + *token}};
  auto get = [&](const std::string& path) -> json {
    auto r = http.Get(path, auth);
    if (!r || r->status != 200)
      throw std::runtime_error(
          "GET " + path + ": " +
          (r ? std::to_string(r->status) + " " + r->body.substr(0, 300) : "no answer"));
    return r->get_header_value("Content-Type").rfind("application/json", 0) == 0
               ? json::parse(r->body)
               : json();
  };
  auto measure = [&](const std::vector<std::string>& paths) {
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i)
      for (const auto& p : paths) {
        auto t = Clock::now();
        get(p);
        ms.push_back(ms_since(t));
      }
    return percentiles(ms);
  };
  // A cursor some pages on, for each paged view.
  auto further = [&](const std::string& path) {
    std::string cursor;
    for (int i = 0; i < 5; ++i) {
      auto page = get(path + (cursor.empty() ? "" : "&cursor=" + cursor));
      if (page["next"].is_null()) break;
      cursor = page["next"];
    }
    return path + (cursor.empty() ? "" : "&cursor=" + cursor);
  };
  out["contracts"] = contracts;
  out["healthz"] = measure({"/healthz"});
  out["views"]["renewals"] = measure({"/v1/views/renewals?within=90",
                                      "/v1/views/renewals?within=365&owner=005000000000JAN",
                                      "/v1/views/renewals?within=365&currency=EUR&kind=agreement",
                                      further("/v1/views/renewals?within=365&limit=50")});
  out["views"]["billing-accuracy"] =
      measure({"/v1/views/billing-accuracy", "/v1/views/billing-accuracy?only=differs&currency=GBP",
               "/v1/views/billing-accuracy?customer=CUST-0042",
               further("/v1/views/billing-accuracy?limit=50")});
  out["views"]["sla"] =
      measure({"/v1/views/sla?only=breached", "/v1/views/sla?owner=005000000000SAM",
               further("/v1/views/sla?limit=50")});
  out["views"]["revenue"] =
      measure({"/v1/views/revenue", "/v1/views/revenue?currency=USD&kind=agreement",
               "/v1/views/revenue?customer=CUST-0042&from=2025-01&to=2029-12",
               "/v1/views/revenue?by=contract&limit=50",
               further("/v1/views/revenue?by=contract&limit=50")});
  out["views"]["handoffs"] = measure({"/v1/views/handoffs", "/v1/views/handoffs?show=in_flight",
                                      "/v1/views/handoffs?owner=005000000000JAN&currency=EUR",
                                      further("/v1/views/handoffs?limit=50")});
  out["views"]["renewal-risk"] =
      measure({"/v1/views/renewal-risk?within=90", "/v1/views/renewal-risk?within=365",
               "/v1/views/renewal-risk?within=30&level=high",
               "/v1/views/renewal-risk?within=90&owner=005000000000JAN",
               further("/v1/views/renewal-risk?within=90&limit=50")});
  server.stop();
  serving.join();
  return out;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: covenant-bench MODE [--db URL] [options] (see the source's header)\n";
    return 2;
  }
  std::string mode = argv[1], db, id = "bench";
  int concurrency = 1, instances = 1000, runs = 100, parked = 0, step_us = 0, expect = 0;
  double seconds = 5;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--db")
      db = v;
    else if (a == "--concurrency")
      concurrency = std::stoi(v);
    else if (a == "--instances")
      instances = std::stoi(v);
    else if (a == "--runs")
      runs = std::stoi(v);
    else if (a == "--parked")
      parked = std::stoi(v);
    else if (a == "--step-us")
      step_us = std::stoi(v);
    else if (a == "--expect")
      expect = std::stoi(v);
    else if (a == "--id")
      id = v;
    else if (a == "--seconds")
      seconds = std::stod(v);
    else {
      std::cerr << "covenant-bench: unknown option " << a << '\n';
      return 2;
    }
  }
  try {
    json out;
    if (mode == "baseline")
      out = baseline(db, seconds);
    else if (mode == "throughput")
      out = throughput(db, concurrency, instances);
    else if (mode == "latency")
      out = latency(db, runs);
    else if (mode == "approval")
      out = approval(db, runs, parked);
    else if (mode == "validate")
      out = validate(instances);
    else if (mode == "views")
      out = views(db, instances, runs);
    else if (mode == "load")
      load(db, instances, step_us);
    else if (mode == "recover")
      out = recover(db, instances);
    else if (mode == "start") {
      Bench b(db, 4);
      for (int i = 0; i < instances; i += 1000) b.start("bench", std::min(1000, instances - i), i);
      out = {{"started", instances}};
    } else if (mode == "work")
      out = work(db, expect, id);
    else {
      std::cerr << "covenant-bench: unknown mode " << mode << '\n';
      return 2;
    }
    std::cout << out.dump() << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "covenant-bench " << mode << ": " << e.what() << '\n';
    return 1;
  }
  return 0;
}
