// The sweeper: finds instances that are running but can never move again — no ready or
// leased task, no pending timer, no open approval, and no frame awaiting an event. That is a
// bug (issue 16 found one: a late outcome closed the row of the retry that should have run
// next), so it is never silent: each is logged with its last events, counted in the
// covenant_stranded_instances gauge, and announced once to webhook subscribers as
// `instance.stranded`. Workers sweep at start-up and every WorkerOptions::sweep; operators
// list them with `covenant doctor`.
// Thread-safety: find_stranded is; one Sweeper belongs to one thread.
#pragma once

#include "engine/history/event.hpp"
#include "engine/metrics.hpp"
#include "engine/store/store.hpp"

#include <set>
#include <string>
#include <vector>

namespace covenant::engine::scheduler {

struct Stranded {
  model::Instance instance;
  std::vector<history::Event> last_events;  // the last few, oldest first
};

// Whether a running instance without work (Instances::running_without_work) is stranded: none
// of its frames waits for an external event.
bool stranded(const model::Instance& inst);

// The stranded instances, least recently updated first, each with its last `events` events.
Result<std::vector<Stranded>> find_stranded(store::Store& store, int limit = 100, int events = 3);

class Sweeper {
 public:
  Sweeper(store::Store& store, Metrics* metrics) : store_(store), metrics_(metrics) {}
  // One sweep: returns how many instances are stranded now. Those not seen stranded before
  // by this sweeper are logged and announced.
  Result<int> sweep(std::int64_t now_us);

 private:
  store::Store& store_;
  Metrics* metrics_;
  std::set<std::string> reported_;
};

}  // namespace covenant::engine::scheduler
