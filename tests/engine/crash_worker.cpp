// crash_worker DB_URL RECORD_FILE [LEASE_MS]: a worker process for the crash test. It runs
// the engine's Worker loop with an executor that writes to a "recording system" — a separate
// SQLite file that, like a real system honouring idempotency keys, keeps one effect per key
// and counts every call. The crash test kills this process with SIGKILL at random moments.
// Activity `work.flaky` (the freeze test): its first call under a key takes 1.5 s and
// succeeds, the second fails (retryable), any later one succeeds.
#include "engine/clock.hpp"
#include "engine/ids.hpp"
#include "engine/runtime/runtime.hpp"
#include "engine/scheduler/worker.hpp"
#include "engine/store/store.hpp"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <iostream>
#include <mutex>
#include <thread>

namespace {

class RecordingFile final : public covenant::engine::ActivityExecutor {
 public:
  explicit RecordingFile(const std::string& path) : path_(path) {}

  covenant::engine::ActivityResult execute(const covenant::engine::ActivityCall& call) override {
    soci::session s(*soci::factory_sqlite3(), "db=" + path_ + " timeout=60");
    std::string key = call.idempotency_key, activity = call.activity;
    int before = 0;
    s << "SELECT COUNT(*) FROM calls WHERE idempotency_key = :k", soci::use(key),
        soci::into(before);
    s << "INSERT INTO calls (idempotency_key) VALUES (:k)", soci::use(key);
    if (activity == "work.flaky" && before == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    if (activity == "work.flaky" && before == 1)
      return covenant::engine::ActivityResult::failure("Unavailable", "the second call fails",
                                                       true);
    s << "INSERT OR IGNORE INTO effects (idempotency_key, activity) VALUES (:k, :a)",
        soci::use(key), soci::use(activity);
    return covenant::engine::ActivityResult::success({{"recorded", key}});
  }

 private:
  std::string path_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: crash_worker DB_URL RECORD_FILE [LEASE_MS]\n";
    return 2;
  }
  try {
    auto store = covenant::engine::store::Store::open(argv[1], 6);
    if (!store) {
      std::cerr << "crash_worker: " << store.error().message << '\n';
      return 1;
    }
    covenant::engine::SystemClock clock;
    covenant::engine::RandomIds ids;
    covenant::engine::runtime::Runtime rt(**store, clock, ids);
    RecordingFile system(argv[2]);
    covenant::engine::scheduler::WorkerOptions opts;
    // Unique among running workers (a worker takes back the leases held under its name). Not a
    // prefix of an instance id: those lead with the time, the same for workers started together.
    opts.worker_id = "crash-worker-" + ids.token().substr(0, 16);
    opts.concurrency = 4;
    opts.lease = std::chrono::milliseconds(argc > 3 ? std::stoi(argv[3]) : 1000);
    opts.poll = std::chrono::milliseconds(20);
    covenant::engine::scheduler::Worker worker(rt, system, opts);
    worker.run();
  } catch (const std::exception& e) {
    std::cerr << "crash_worker: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
