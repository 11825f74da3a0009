#include "engine/scheduler/worker.hpp"

#include "engine/log.hpp"
#include "engine/scheduler/sweeper.hpp"
#include "engine/store/work_listener.hpp"
#include "engine/time_format.hpp"
#include "workflows/json_input.hpp"

#include <boost/asio/post.hpp>
#include <poll.h>

#include <future>
#include <thread>

namespace covenant::engine::scheduler {

Worker::Worker(runtime::Runtime& rt, ActivityExecutor& executor, WorkerOptions opts)
    : rt_(rt),
      executor_(executor),
      opts_(std::move(opts)),
      pool_(static_cast<std::size_t>(std::max(1, opts_.concurrency))) {
  listener_id_ = rt_.add_new_work_listener([this] { wake(); });
}

Worker::~Worker() {
  rt_.remove_new_work_listener(listener_id_);
  pool_.join();
}

runtime::Runtime::Completion Worker::execute(const store::TaskRow& t) {
  ActivityResult result;
  if (t.recorded) {
    // A recorded effect means the call already succeeded: never repeat it.
    result = ActivityResult::success(*t.recorded);
  } else {
    TimePoint start = rt_.clock().now();
    ActivityCall call{
        t.activity,    t.input,
        t.key,         t.attempt,
        t.instance_id, t.timeout_us ? start + std::chrono::microseconds(t.timeout_us) : TimePoint{},
        t.ns};
    try {
      result = executor_.execute(call);
    } catch (const std::exception& e) {  // boundary: an activity must not kill the worker
      result = ActivityResult::failure("ActivityCrashed", e.what(), true);
    }
    if (auto* m = rt_.metrics())
      m->task_duration.observe_us(to_micros(rt_.clock().now()) - to_micros(start));
    if (t.timeout_us && rt_.clock().now() > call.deadline)
      result =
          ActivityResult::failure("Timeout", "the activity took longer than its timeout", true);
    // Where a result enters the engine, it is held to the same bounds as any outside JSON:
    // the same answer would come again, so this is not retried.
    if (result.ok)
      if (auto deep = workflows::json_value_too_deep(result.result))
        result = ActivityResult::failure("InvalidResult",
                                         "the activity's result is " + *deep + " (the limit is " +
                                             std::to_string(workflows::kMaxJsonDepth) + " levels)",
                                         false);
  }
  return {t, std::move(result)};
}

int Worker::fire_timers(std::int64_t now_us) {
  auto timers = rt_.store().work.due_timers(now_us, opts_.timer_batch);
  if (!timers) {
    log::error("worker", "reading due timers failed: " + timers.error().message,
               {{"worker", opts_.worker_id}});
    return 0;
  }
  int fired = 0;
  for (const auto& t : *timers) {
    if (auto r = rt_.fire_timer(t); !r)
      log::error("worker", "timer failed: " + r.error().message,
                 {{"worker", opts_.worker_id}, {"timer", t.key}, {"instance", t.instance_id}});
    else
      ++fired;
  }
  return fired;
}

PassStats Worker::run_due() {
  PassStats stats;
  std::int64_t now = to_micros(rt_.clock().now());
  if (auto timers = rt_.store().work.due_timers(now, opts_.timer_batch)) {
    for (const auto& t : *timers) {
      if (auto r = rt_.fire_timer(t); !r) {
        ++stats.errors;
        log::error("worker", "timer failed: " + r.error().message,
                   {{"worker", opts_.worker_id}, {"timer", t.key}, {"instance", t.instance_id}});
      } else {
        ++stats.timers;
      }
    }
  } else {
    ++stats.errors;
  }
  auto tasks = rt_.store().work.claim(opts_.worker_id, now, opts_.lease.count(), opts_.concurrency,
                                      opts_.partitions);
  if (!tasks) {
    ++stats.errors;
    log::error("worker", "claiming tasks failed: " + tasks.error().message,
               {{"worker", opts_.worker_id}});
    return stats;
  }
  stats.tasks = static_cast<int>(tasks->size());
  std::vector<runtime::Runtime::Completion> done;
  if (tasks->size() == 1) {
    done.push_back(execute(tasks->front()));
  } else if (!tasks->empty()) {
    std::vector<std::future<runtime::Runtime::Completion>> running;
    for (const auto& t : *tasks) {
      auto task = std::make_shared<std::packaged_task<runtime::Runtime::Completion()>>(
          [this, &t] { return execute(t); });
      running.push_back(task->get_future());
      boost::asio::post(pool_, [task] { (*task)(); });
    }
    std::map<std::int64_t, std::string> ids;
    for (const auto& t : *tasks) ids.emplace(t.id, t.instance_id);
    // Heartbeats: extend the leases while the activities run.
    for (auto& f : running) {
      while (f.wait_for(opts_.lease / 3) != std::future_status::ready) {
        auto until = to_micros(rt_.clock().now()) + opts_.lease.count();
        if (auto r = rt_.store().work.extend_leases(opts_.worker_id, ids, until); !r)
          log::warn("worker", "extending leases failed: " + r.error().message,
                    {{"worker", opts_.worker_id}});
      }
      done.push_back(f.get());
    }
  }
  stats.errors += rt_.complete_tasks(done).failed;
  return stats;
}

void Worker::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  loop_cv_.notify_one();
}

void Worker::dispatch(store::TaskRow t) {
  // REQUIRES: mu_ held by the caller, in_flight_ and leased_ counted.
  boost::asio::post(pool_, [this, t = std::move(t)] {
    auto c = execute(t);
    {
      std::lock_guard done_lock(mu_);
      done_.push_back(std::move(c));
    }
    commit_cv_.notify_one();
  });
}

void Worker::commit_loop() {
  while (true) {
    std::vector<runtime::Runtime::Completion> batch;
    int room = 0;
    {
      std::unique_lock lock(mu_);
      commit_cv_.wait(lock, [&] { return !done_.empty() || committer_stop_; });
      if (done_.empty()) return;
      batch.swap(done_);
      room = opts_.concurrency - in_flight_ + static_cast<int>(batch.size());
    }
    // The tasks this batch schedules go straight to this worker while it has room for them.
    store::EagerLease lease{opts_.worker_id, 0, to_micros(rt_.clock().now()) + opts_.lease.count(),
                            stopping_ ? 0 : room};
    auto result = rt_.complete_tasks(batch, &lease);
    batches_++;
    completed_ += batch.size();
    eager_ += result.leased.size();
    {
      std::lock_guard lock(mu_);
      in_flight_ -= static_cast<int>(batch.size());
      for (const auto& c : batch) leased_.erase(c.task.id);
      in_flight_ += static_cast<int>(result.leased.size());
      for (auto& t : result.leased) {
        leased_.emplace(t.id, t.instance_id);
        dispatch(std::move(t));
      }
      // Look again only if there may be work to claim: tasks this batch left ready, or the
      // loop found more than it had room for. (New work from elsewhere wakes it anyway.)
      if (result.left_ready || (starved_ && in_flight_ < opts_.concurrency)) woken_ = true;
    }
    loop_cv_.notify_one();
  }
}

void Worker::run() {
  // On PostgreSQL, a NOTIFY from any process wakes the loop; polling stays the fallback.
  auto listener = store::WorkListener::open(rt_.store());
  std::thread listening;
  if (listener)
    listening = std::thread([this, &listener] {
      // When the connection breaks (the server restarted), its socket reads as ready for
      // ever: drop it and open a new one with backoff, polling the database meanwhile.
      auto backoff = std::chrono::milliseconds(250);
      while (!stopping_) {
        if (!listener) {
          std::this_thread::sleep_for(backoff);
          listener = store::WorkListener::open(rt_.store());
          backoff = listener ? std::chrono::milliseconds(250)
                             : std::min(backoff * 2, std::chrono::milliseconds(8000));
          if (listener) wake();  // what was announced while it was down is due now
          continue;
        }
        pollfd p{listener->fd(), POLLIN, 0};
        int ready = ::poll(&p, 1, 100);
        if (ready <= 0) continue;
        if (listener->drain())
          wake();
        else if (!listener->alive())
          listener.reset();
      }
    });
  // Tasks still leased under this worker's name belong to a previous life of it (a crash):
  // nothing runs them now, so they are taken back at once rather than after their lease.
  if (auto released = rt_.store().work.release_leases(opts_.worker_id); !released)
    log::error("worker", "releasing leases failed: " + released.error().message,
               {{"worker", opts_.worker_id}});
  else if (*released > 0)
    log::info("worker", "took back " + std::to_string(*released) + " tasks leased before a restart",
              {{"worker", opts_.worker_id}});
  std::thread committer([this] { commit_loop(); });
  // Heartbeats on their own thread: a claim or a timer waiting on a lock must not let the
  // leases of running tasks lapse (their outcomes would then be dropped as late).
  std::thread heartbeat([this] { heartbeat_loop(); });
  Sweeper sweeper(rt_.store(), rt_.metrics());
  TimePoint last_sweep{};
  while (!stopping_) {
    int room = 0;
    {
      std::lock_guard lock(mu_);
      woken_ = false;
      room = opts_.concurrency - in_flight_;
    }
    std::int64_t now = to_micros(rt_.clock().now());
    int fired = fire_timers(now);
    int claimed = 0;
    if (room <= 0) {
      std::lock_guard lock(mu_);
      starved_ = true;  // woken with no room: look again when some frees
    }
    if (room > 0) {
      auto tasks =
          rt_.store().work.claim(opts_.worker_id, now, opts_.lease.count(), room, opts_.partitions);
      if (!tasks) {
        log::error("worker", "claiming tasks failed: " + tasks.error().message,
                   {{"worker", opts_.worker_id}});
      } else {
        claimed = static_cast<int>(tasks->size());
        claims_++;
        claimed_ += static_cast<std::uint64_t>(claimed);
        std::lock_guard lock(mu_);
        starved_ = claimed == room;  // perhaps more is ready than there was room for
        in_flight_ += claimed;
        for (auto& t : *tasks) {
          leased_.emplace(t.id, t.instance_id);
          dispatch(std::move(t));
        }
      }
    }
    if (rt_.clock().now() - last_sweep >= opts_.sweep) {
      last_sweep = rt_.clock().now();
      if (auto r = sweeper.sweep(to_micros(last_sweep)); !r)
        log::error("worker", "sweeping for stranded instances failed: " + r.error().message,
                   {{"worker", opts_.worker_id}});
    }
    if (fired > 0 || (claimed > 0 && claimed == room)) {
      // More may be due at once; with no room left, wait for the committer to free some.
      std::unique_lock lock(mu_);
      if (in_flight_ < opts_.concurrency) continue;
    }
    // Sleep until woken, the next due time, a heartbeat, or the poll interval.
    auto wait = std::chrono::duration_cast<std::chrono::microseconds>(opts_.poll);
    bool busy = false;
    {
      std::lock_guard lock(mu_);
      busy = in_flight_ > 0;
    }
    if (busy)
      wait = std::min(wait, std::chrono::duration_cast<std::chrono::microseconds>(opts_.lease / 3));
    if (claimed == 0 && fired == 0) {
      if (auto next = rt_.store().work.next_due_us(); next && *next) {
        auto until = std::chrono::microseconds(**next - to_micros(rt_.clock().now()));
        wait = std::max(std::min(wait, until), std::chrono::microseconds(1000));
      }
    }
    std::unique_lock lock(mu_);
    loop_cv_.wait_for(lock, wait, [&] { return woken_ || stopping_; });
  }
  // Let what is running finish and be recorded, so a stop loses no work.
  {
    std::unique_lock lock(mu_);
    loop_cv_.wait(lock, [&] { return in_flight_ == 0; });
    committer_stop_ = true;
  }
  commit_cv_.notify_one();
  committer.join();
  {
    std::lock_guard lock(mu_);
    heartbeat_stop_ = true;
  }
  beat_cv_.notify_one();
  heartbeat.join();
  if (listening.joinable()) listening.join();
}

void Worker::heartbeat_loop() {
  std::unique_lock lock(mu_);
  while (!beat_cv_.wait_for(lock, opts_.lease / 3, [&] { return heartbeat_stop_; })) {
    auto tasks = leased_;
    lock.unlock();
    auto until = to_micros(rt_.clock().now()) + opts_.lease.count();
    if (auto r = rt_.store().work.extend_leases(opts_.worker_id, tasks, until); !r)
      log::warn("worker", "extending leases failed: " + r.error().message,
                {{"worker", opts_.worker_id}});
    lock.lock();
  }
}

WorkerCounts Worker::counts() const { return {claims_, claimed_, batches_, completed_, eager_}; }

void Worker::stop() {
  stopping_ = true;
  wake();
}

}  // namespace covenant::engine::scheduler
