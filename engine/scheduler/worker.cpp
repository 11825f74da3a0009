#include "engine/scheduler/worker.hpp"

#include "engine/store/work_listener.hpp"
#include "engine/time_format.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <unistd.h>

#include <future>
#include <iostream>

namespace covenant::engine::scheduler {

Worker::Worker(runtime::Runtime& rt, ActivityExecutor& executor, WorkerOptions opts)
    : rt_(rt), executor_(executor), opts_(std::move(opts)) {}

Worker::~Worker() = default;

void Worker::run_task(const store::TaskRow& t) {
  ActivityResult result;
  // A recorded effect means the call already succeeded: never repeat it.
  auto recorded = rt_.store().find_effect(t.key);
  if (recorded && *recorded) {
    result = ActivityResult::success(**recorded);
  } else {
    TimePoint start = rt_.clock().now();
    ActivityCall call{t.activity,
                      t.input,
                      t.key,
                      t.attempt,
                      t.instance_id,
                      t.timeout_us ? start + std::chrono::microseconds(t.timeout_us) : TimePoint{}};
    try {
      result = executor_.execute(call);
    } catch (const std::exception& e) {  // boundary: an activity must not kill the worker
      result = ActivityResult::failure("ActivityCrashed", e.what(), true);
    }
    if (auto* m = rt_.metrics())
      m->task_duration_us(to_micros(rt_.clock().now()) - to_micros(start));
    if (t.timeout_us && rt_.clock().now() > call.deadline)
      result =
          ActivityResult::failure("Timeout", "the activity took longer than its timeout", true);
  }
  if (auto r = rt_.complete_task(t, result); !r)
    std::cerr << "worker " << opts_.worker_id << ": task " << t.key << ": " << r.error().message
              << '\n';
}

PassStats Worker::run_due() {
  PassStats stats;
  std::int64_t now = to_micros(rt_.clock().now());
  if (auto timers = rt_.store().due_timers(now, opts_.timer_batch)) {
    for (const auto& t : *timers) {
      if (auto r = rt_.fire_timer(t); !r) {
        ++stats.errors;
        std::cerr << "worker " << opts_.worker_id << ": timer " << t.key << ": "
                  << r.error().message << '\n';
      } else {
        ++stats.timers;
      }
    }
  } else {
    ++stats.errors;
  }
  auto tasks =
      rt_.store().claim_tasks(opts_.worker_id, now, opts_.lease.count(), opts_.concurrency);
  if (!tasks) {
    ++stats.errors;
    std::cerr << "worker " << opts_.worker_id << ": claim: " << tasks.error().message << '\n';
    return stats;
  }
  stats.tasks = static_cast<int>(tasks->size());
  if (tasks->size() == 1) {
    run_task(tasks->front());
  } else if (!tasks->empty()) {
    boost::asio::thread_pool pool(static_cast<std::size_t>(opts_.concurrency));
    std::vector<std::future<void>> done;
    for (const auto& t : *tasks) {
      auto task = std::make_shared<std::packaged_task<void()>>([this, &t] { run_task(t); });
      done.push_back(task->get_future());
      boost::asio::post(pool, [task] { (*task)(); });
    }
    std::vector<std::int64_t> ids;
    for (const auto& t : *tasks) ids.push_back(t.id);
    // Heartbeats: extend the leases while the activities run.
    for (auto& f : done) {
      while (f.wait_for(opts_.lease / 3) != std::future_status::ready) {
        auto until = to_micros(rt_.clock().now()) + opts_.lease.count();
        if (auto r = rt_.store().extend_leases(opts_.worker_id, ids, until); !r)
          std::cerr << "worker " << opts_.worker_id << ": heartbeat: " << r.error().message << '\n';
      }
    }
    pool.join();
  }
  return stats;
}

void Worker::run() {
  boost::asio::steady_timer timer(io_);
  // On PostgreSQL, a NOTIFY from any process cuts the sleep short; polling stays the fallback.
  auto listener = store::WorkListener::open(rt_.store());
  std::unique_ptr<boost::asio::posix::stream_descriptor> socket;
  if (listener)
    socket = std::make_unique<boost::asio::posix::stream_descriptor>(io_, ::dup(listener->fd()));
  while (!stopping_) {
    if (listener) listener->drain();
    PassStats s = run_due();
    if (s.timers + s.tasks > 0) continue;  // more may be due at once
    auto wait = opts_.poll;
    if (auto next = rt_.store().next_due_us(); next && *next) {
      auto until = std::chrono::microseconds(**next - to_micros(rt_.clock().now()));
      if (until < wait)
        wait = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(until),
                        std::chrono::milliseconds(1));
    }
    timer.expires_after(wait);
    timer.async_wait([](const boost::system::error_code&) {});
    if (socket)
      socket->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                         [](const boost::system::error_code&) {});
    io_.restart();
    io_.run_one();
    // Whichever woke us, cancel the other wait and let its handler run before the next pass.
    timer.cancel();
    if (socket) socket->cancel();
    io_.restart();
    io_.poll();
  }
}

void Worker::stop() {
  stopping_ = true;
  boost::asio::post(io_, [] {});
}

}  // namespace covenant::engine::scheduler
