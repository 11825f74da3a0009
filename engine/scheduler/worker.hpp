// Worker: takes due work from the store and feeds it to the runtime. Timers are fired as
// they fall due; tasks are claimed under a lease (FOR UPDATE SKIP LOCKED on PostgreSQL, so
// several workers in one process or many share a database), their activities run on a thread
// pool while the leases are extended (heartbeats), and their outcomes are recorded in
// batches: everything that finished while the previous batch was committing goes into the
// next transaction (group commit, Runtime::complete_tasks). A task whose worker died is
// claimed again once its lease expires.
//
// run() is a pipeline on three kinds of threads: the loop (claims, timers, heartbeats, and
// sleeps when idle), the activity pool, and one committer. The loop wakes when the runtime
// commits new work in this process, on PostgreSQL when any process NOTIFYs, when room frees,
// and at the latest after the poll interval. Tests call run_due() with a ManualClock and
// never wait: one synchronous pass.
// Thread-safety: run() on one thread; stop() from any thread; run_due() not during run().
#pragma once

#include "engine/activity_executor.hpp"
#include "engine/runtime/runtime.hpp"

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace covenant::engine::scheduler {

struct WorkerOptions {
  std::string worker_id = "worker";
  int concurrency = 4;                  // activities in flight at once (and pool threads)
  std::chrono::milliseconds poll{250};  // longest sleep between looks
  std::chrono::microseconds lease{std::chrono::seconds(30)};
  int timer_batch = 256;
  // On work tables split by instance: the partitions this worker claims from first
  // (WorkQueue::claim); empty, or tables that are not split: the whole table.
  std::vector<int> partitions{};
  // How often run() looks for stranded instances (scheduler::Sweeper); also at start-up.
  std::chrono::milliseconds sweep{std::chrono::minutes(1)};
};

struct PassStats {
  int timers = 0;
  int tasks = 0;
  int errors = 0;
};

// What run() has done so far (for benchmarks and logs).
struct WorkerCounts {
  std::uint64_t claims = 0, claimed = 0, batches = 0, completed = 0;
  std::uint64_t eager = 0;  // tasks handed over by a batch's commit, without a claim
};

class Worker {
 public:
  Worker(runtime::Runtime& rt, ActivityExecutor& executor, WorkerOptions opts);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // One pass over due timers and tasks: fires the timers, claims up to `concurrency` tasks,
  // runs them and records their outcomes in one batch before returning. Errors on single
  // items are counted and logged to stderr, never thrown: one bad task does not stop the
  // worker.
  PassStats run_due();
  void run();
  void stop();
  // Wakes the loop (new work may be due). Any thread.
  void wake();
  WorkerCounts counts() const;

 private:
  runtime::Runtime::Completion execute(const store::TaskRow& t);
  int fire_timers(std::int64_t now_us);
  void commit_loop();
  void heartbeat_loop();  // extends the leases of running tasks every third of the lease
  void dispatch(store::TaskRow t);

  runtime::Runtime& rt_;
  ActivityExecutor& executor_;
  WorkerOptions opts_;
  int listener_id_ = 0;
  boost::asio::thread_pool pool_;
  std::atomic<bool> stopping_{false};

  std::mutex mu_;
  std::condition_variable loop_cv_, commit_cv_, beat_cv_;
  bool woken_ = false;  // GUARDED_BY(mu_)
  int in_flight_ = 0;   // GUARDED_BY(mu_)
  std::map<std::int64_t, std::string>
      leased_;  // task id → instance                   // GUARDED_BY(mu_)
  std::vector<runtime::Runtime::Completion> done_;  // GUARDED_BY(mu_)
  bool committer_stop_ = false;                     // GUARDED_BY(mu_)
  bool heartbeat_stop_ = false;                     // GUARDED_BY(mu_)
  bool starved_ = false;  // the last claim filled all the room   GUARDED_BY(mu_)
  std::atomic<std::uint64_t> claims_{0}, claimed_{0}, batches_{0}, completed_{0}, eager_{0};
};

}  // namespace covenant::engine::scheduler
