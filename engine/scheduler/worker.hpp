// Worker: takes due work from the store and feeds it to the runtime. One pass (run_due)
// fires due timers, then claims due tasks under a lease and runs their activities on a
// thread pool, extending the leases while they run (heartbeats). A task whose worker died
// is claimed again once its lease expires. Several workers, in one process or many, may
// share a PostgreSQL database: claims use FOR UPDATE SKIP LOCKED. run() loops until stop():
// an Asio steady_timer decides when to look next (the earliest due time, or the poll
// interval). Tests call run_due() with a ManualClock and never wait.
// Thread-safety: run() on one thread; stop() from any thread.
#pragma once

#include "engine/activity_executor.hpp"
#include "engine/runtime/runtime.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <string>

namespace covenant::engine::scheduler {

struct WorkerOptions {
  std::string worker_id = "worker";
  int concurrency = 4;                  // activities run at once
  std::chrono::milliseconds poll{250};  // longest sleep between looks
  std::chrono::microseconds lease{std::chrono::seconds(30)};
  int timer_batch = 256;
};

struct PassStats {
  int timers = 0;
  int tasks = 0;
  int errors = 0;
};

class Worker {
 public:
  Worker(runtime::Runtime& rt, ActivityExecutor& executor, WorkerOptions opts);
  ~Worker();

  // One pass over due timers and tasks. Errors on single items are counted and logged to
  // stderr, never thrown: one bad task does not stop the worker.
  PassStats run_due();
  void run();
  void stop();

 private:
  void run_task(const store::TaskRow& t);

  runtime::Runtime& rt_;
  ActivityExecutor& executor_;
  WorkerOptions opts_;
  std::atomic<bool> stopping_{false};
  boost::asio::io_context io_;
};

}  // namespace covenant::engine::scheduler
