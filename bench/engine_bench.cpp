// A first engine benchmark: a seven-task workflow with trivial activities, run in-process on
// SQLite and PostgreSQL. Reported next to a baseline measured in the same run on the same
// database: one-row INSERT transactions per second through the same driver, i.e. the commit
// ceiling the engine's transitions pay into. Usage:
//   engine_bench [--instances N] [--latency-runs M] [--pg URL] [--json FILE]
#include "engine/clock.hpp"
#include "engine/ids.hpp"
#include "engine/runtime/runtime.hpp"
#include "engine/scheduler/worker.hpp"
#include "engine/store/session.hpp"
#include "engine/store/store.hpp"
#include "engine/time_format.hpp"
#include "workflows/compiler.hpp"

#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace {

using Clock = std::chrono::steady_clock;
using covenant::engine::ActivityCall;
using covenant::engine::ActivityResult;

class Trivial final : public covenant::engine::ActivityExecutor {
 public:
  ActivityResult execute(const ActivityCall& c) override {
    return ActivityResult::success({{"ok", c.idempotency_key.size()}});
  }
};

class Catalog final : public covenant::workflows::ActivityCatalog {
 public:
  const covenant::workflows::ActivityInfo* find(std::string_view n) const override {
    return n == info_.name ? &info_ : nullptr;
  }
  std::vector<const covenant::workflows::ActivityInfo*> all() const override { return {&info_}; }

 private:
  covenant::workflows::ActivityInfo info_{"bench.step", false, "", {}, true};
};

std::string workflow_yaml() {
  std::string y =
      "apiVersion: covenant/v1\nkind: Workflow\nmetadata: { name: bench }\nstart: s1\nstates:\n";
  for (int i = 1; i <= 7; ++i)
    y += "  s" + std::to_string(i) + ": { type: task, activity: bench.step, output: .r" +
         std::to_string(i) +
         ", next: " + (i < 7 ? "s" + std::to_string(i + 1) : std::string("done")) + " }\n";
  return y + "  done: { type: succeed }\n";
}

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Baseline: one ~200-byte INSERT per transaction, through SOCI, for `n` transactions.
double insert_ceiling(const std::string& url, int n) {
  auto parsed = covenant::engine::store::parse_database_url(url);
  auto s = covenant::engine::store::open_session(*parsed);
  auto& sql = **s;
  sql << "CREATE TABLE IF NOT EXISTS bench_baseline (id BIGINT PRIMARY KEY, payload TEXT NOT NULL)";
  std::string payload(200, 'x');
  auto t = Clock::now();
  for (long long i = 0; i < n; ++i) {
    sql << "BEGIN";
    sql << "INSERT INTO bench_baseline (id, payload) VALUES (:i, :p)", soci::use(i),
        soci::use(payload);
    sql << "COMMIT";
  }
  return n / seconds(Clock::now() - t);
}

nlohmann::json run_store(const std::string& label, const std::string& url, int instances,
                         int runs) {
  auto store = covenant::engine::store::Store::open(url, 8);
  if (!store) throw std::runtime_error(store.error().message);
  covenant::engine::SystemClock clock;
  covenant::engine::SequentialIds ids("bench-");
  covenant::engine::runtime::Runtime rt(**store, clock, ids);
  Trivial act;
  covenant::engine::scheduler::Worker worker(rt, act, {"bench", 4});
  Catalog catalog;
  auto c = covenant::workflows::compile(workflow_yaml(), "bench.yaml", catalog);
  (*store)->put_definition("bench", c.workflow->digest(), workflow_yaml(),
                           c.workflow->canonical_text(), covenant::engine::to_micros(clock.now()));

  // Throughput: start N instances, then drain.
  auto t = Clock::now();
  for (int i = 0; i < instances; ++i) {
    if (!rt.start("bench", nlohmann::json::object(), {})) throw std::runtime_error("start failed");
  }
  while (true) {
    auto s = worker.run_due();
    if (s.tasks + s.timers == 0) break;
  }
  double elapsed = seconds(Clock::now() - t);
  covenant::engine::store::InstanceFilter filter;
  filter.status = "completed";
  filter.workflow = "bench";
  filter.limit = instances + 1;
  auto done = (*store)->instances(filter);
  if (!done || static_cast<int>(done->size()) != instances)
    throw std::runtime_error("not all completed");
  int transitions = instances * 8;  // start + seven activity completions

  // Latency: one instance at a time, start to completion.
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto s = Clock::now();
    auto id = rt.start("bench", nlohmann::json::object(), {});
    while (true) {
      auto p = worker.run_due();
      if (p.tasks + p.timers == 0) break;
    }
    ms.push_back(seconds(Clock::now() - s) * 1000);
  }
  std::sort(ms.begin(), ms.end());
  double ceiling = insert_ceiling(url, 2000);
  nlohmann::json r = {{"store", label},
                      {"instances", instances},
                      {"seconds", elapsed},
                      {"transitions_per_s", transitions / elapsed},
                      {"instances_per_s", instances / elapsed},
                      {"latency_ms_p50", ms[ms.size() / 2]},
                      {"latency_ms_p99", ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]},
                      {"baseline_insert_tx_per_s", ceiling},
                      {"transitions_vs_baseline", transitions / elapsed / ceiling}};
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int instances = 300, runs = 50;
  std::string pg, json_out;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--instances")
      instances = std::stoi(argv[i + 1]);
    else if (a == "--latency-runs")
      runs = std::stoi(argv[i + 1]);
    else if (a == "--pg")
      pg = argv[i + 1];
    else if (a == "--json")
      json_out = argv[i + 1];
  }
  nlohmann::json all = nlohmann::json::array();
  auto dir =
      std::filesystem::temp_directory_path() / ("covenant-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  try {
    all.push_back(run_store("sqlite", "sqlite:" + (dir / "bench.db").string(), instances, runs));
    if (!pg.empty()) all.push_back(run_store("postgres", pg, instances, runs));
  } catch (const std::exception& e) {
    std::cerr << "engine_bench: " << e.what() << '\n';
    std::filesystem::remove_all(dir);
    return 1;
  }
  std::filesystem::remove_all(dir);
  std::printf(
      "| store | instances | transitions/s | instances/s | p50 ms | p99 ms | baseline tx/s | "
      "transitions / baseline |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (const auto& r : all)
    std::printf("| %s | %d | %.0f | %.1f | %.2f | %.2f | %.0f | %.2f |\n",
                r["store"].get<std::string>().c_str(), r["instances"].get<int>(),
                r["transitions_per_s"].get<double>(), r["instances_per_s"].get<double>(),
                r["latency_ms_p50"].get<double>(), r["latency_ms_p99"].get<double>(),
                r["baseline_insert_tx_per_s"].get<double>(),
                r["transitions_vs_baseline"].get<double>());
  if (!json_out.empty()) std::ofstream(json_out) << all.dump(2) << '\n';
  return 0;
}
