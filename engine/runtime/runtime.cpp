#include "engine/runtime/runtime.hpp"

#include "engine/history/hash_chain.hpp"
#include "engine/runtime/side_records.hpp"
#include "engine/time_format.hpp"
#include "workflows/json_input.hpp"
#include "workflows/loader.hpp"

#include <algorithm>
#include <iostream>

namespace covenant::engine::runtime {

using nlohmann::json;

namespace {
constexpr int kAttempts = 8;  // for lost races on the instance row

std::string too_deep_message(const std::string& what, const std::string& deep) {
  return what + " is " + deep + " (the limit is " + std::to_string(workflows::kMaxJsonDepth) +
         " levels)";
}

// What an instance is started with: a JSON object within the depth every value is held to.
Result<void> bounded(const std::string& what, const json& input) {
  if (!input.is_object())
    return fail(ErrorCode::InvalidArgument, "the input must be a JSON object", what);
  if (auto deep = workflows::json_value_too_deep(input))
    return fail(ErrorCode::InvalidArgument, too_deep_message("the input", *deep), what);
  return {};
}

ActivityOutcome outcome_of(const store::TaskRow& t, const ActivityResult& r) {
  return {t.frame, t.state,  t.occurrence, t.attempt, t.compensation,
          r.ok,    r.result, r.error_code, r.message, r.retryable};
}

}  // namespace

Runtime::Runtime(store::Store& store, const Clock& clock, IdSource& ids, Metrics* metrics)
    : store_(store), clock_(clock), ids_(ids), metrics_(metrics) {}

std::unique_ptr<workflows::JqEvaluator> Runtime::borrow_jq() {
  std::lock_guard lock(mu_);
  if (jq_pool_.empty()) return std::make_unique<workflows::JqEvaluator>();
  auto jq = std::move(jq_pool_.back());
  jq_pool_.pop_back();
  return jq;
}

void Runtime::give_back(std::unique_ptr<workflows::JqEvaluator> jq) {
  std::lock_guard lock(mu_);
  jq_pool_.push_back(std::move(jq));
}

Result<std::shared_ptr<const workflows::CompiledWorkflow>> Runtime::workflow(
    const std::string& digest, store::Tx* tx) {
  {
    std::lock_guard lock(mu_);
    if (auto it = workflows_.find(digest); it != workflows_.end()) return it->second;
  }
  auto rec = tx ? store_.definition(*tx, digest) : store_.definition(digest);
  if (!rec) return tl::unexpected(rec.error());
  // The stored canonical form is the identity (and carries the financial flags as deployed);
  // the source gives the syntax tree decide() walks.
  auto loaded = workflows::load(rec->source, rec->name + "@" + std::to_string(rec->version));
  if (!loaded.definition || workflows::has_errors(loaded.diagnostics))
    return fail(ErrorCode::Internal, "stored definition " + digest + " no longer loads", digest);
  auto wf = std::make_shared<const workflows::CompiledWorkflow>(std::move(*loaded.definition),
                                                                json::parse(rec->canonical));
  if (wf->digest() != digest)
    return fail(ErrorCode::Internal, "stored definition " + digest + " does not match its digest",
                digest);
  std::lock_guard lock(mu_);
  workflows_.emplace(digest, wf);
  return wf;
}

void Runtime::seal(Instance& inst, const Decision& d, std::int64_t now_us,
                   std::vector<history::Event>& out) const {
  for (const auto& ne : d.events) {
    history::Event e;
    e.instance_id = inst.id;
    e.seq = inst.next_seq++;
    e.type = ne.type;
    e.at_us = now_us;
    e.frame = ne.frame;
    e.state = ne.state;
    e.payload = ne.payload;
    e.prev_hash = inst.last_hash;
    e.hash = history::event_hash(e);
    inst.last_hash = e.hash;
    out.push_back(std::move(e));
  }
}

Result<std::shared_ptr<const workflows::CompiledWorkflow>> Runtime::latest_workflow(
    const std::string& name) {
  auto rec = store_.latest_definition(name);
  if (!rec) {
    if (rec.error().code == ErrorCode::NotFound)
      return fail(ErrorCode::NotFound, "no workflow named '" + name + "' is deployed", name);
    return tl::unexpected(rec.error());
  }
  return workflow(rec->digest);
}

Instance Runtime::new_instance(const std::string& workflow_name, const std::string& digest,
                               const StartOptions& opts, std::int64_t now_us) {
  Instance inst;
  inst.id = ids_.instance_id();
  inst.ns = opts.ns;
  inst.workflow = workflow_name;
  inst.digest = digest;
  inst.business_key = opts.business_key;
  inst.started_by = opts.started_by;
  inst.created_us = inst.updated_us = now_us;
  return inst;
}

Result<Started> Runtime::start(const std::string& workflow_name, const json& input,
                               const StartOptions& opts) {
  if (auto bad = bounded("input", input); !bad) return tl::unexpected(bad.error());
  auto wf = latest_workflow(workflow_name);
  if (!wf) return tl::unexpected(wf.error());
  for (int attempt = 0;; ++attempt) {
    auto tx = store_.begin();
    if (!tx) return tl::unexpected(tx.error());
    if (!opts.start_key.empty()) {
      auto existing = store_.instance_for_start_key(**tx, opts.start_key);
      if (!existing) return tl::unexpected(existing.error());
      if (*existing) return Started{**existing, true};
    }
    TimePoint now = clock_.now();
    Instance inst = new_instance(workflow_name, (*wf)->digest(), opts, to_micros(now));
    auto jq = borrow_jq();
    auto d = decide(inst, StartInput{input}, now, **wf, *jq);
    give_back(std::move(jq));
    if (!d) return tl::unexpected(d.error());
    std::vector<history::Event> events;
    seal(inst, *d, to_micros(now), events);
    inst.version = 1;
    Result<void> r = store_.insert_instance(**tx, inst, opts.start_key);
    if (r) r = store_.append_events(**tx, events);
    if (r) r = write_side_records(**tx, side_records({}, inst, events));
    if (r) r = store_.apply_work(**tx, inst.id, *d, to_micros(now));
    if (r && !(d->tasks.empty() && d->timers.empty())) r = store_.notify_work(**tx);
    if (r) r = (*tx)->commit();
    if (r) {
      count(events, true);
      woke(!(d->tasks.empty() && d->timers.empty()));
      return Started{inst.id, false};
    }
    bool retry = r.error().code == ErrorCode::Unavailable || r.error().code == ErrorCode::Conflict;
    if (!retry || attempt + 1 >= kAttempts) return tl::unexpected(r.error());
  }
}

Result<std::vector<std::string>> Runtime::start_many(const std::string& workflow_name,
                                                     const std::vector<json>& inputs,
                                                     const StartOptions& opts) {
  if (!opts.start_key.empty())
    return fail(ErrorCode::InvalidArgument, "a start key names one instance, not many",
                "start_key");
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (auto bad = bounded("inputs[" + std::to_string(i) + "]", inputs[i]); !bad)
      return tl::unexpected(bad.error());
  auto wf = latest_workflow(workflow_name);
  if (!wf) return tl::unexpected(wf.error());
  for (int attempt = 0;; ++attempt) {
    std::vector<std::string> ids;
    std::vector<history::Event> all_events;
    bool new_work = false;
    Result<void> r = [&]() -> Result<void> {
      auto tx = store_.begin();
      if (!tx) return tl::unexpected(tx.error());
      TimePoint now = clock_.now();
      std::int64_t now_us = to_micros(now);
      store::WriteBatch writes;
      JqLease jq(*this);
      for (const auto& input : inputs) {
        Instance inst = new_instance(workflow_name, (*wf)->digest(), opts, now_us);
        auto d = decide(inst, StartInput{input}, now, **wf, *jq);
        if (!d) return tl::unexpected(d.error());
        std::vector<history::Event> events;
        seal(inst, *d, now_us, events);
        inst.version = 1;
        writes.insert_instance(inst, "");
        writes.append(events);
        auto side = side_records({}, inst, events);
        if (!side.approvals.empty() || !side.outbox.empty()) {
          if (auto f = store_.flush(**tx, writes); !f) return f;
          if (auto w = write_side_records(**tx, side); !w) return w;
        }
        if (auto w = store_.add_work(**tx, writes, inst.id, *d, now_us); !w) return w;
        new_work = new_work || !(d->tasks.empty() && d->timers.empty());
        ids.push_back(inst.id);
        for (auto& e : events) all_events.push_back(std::move(e));
      }
      if (auto f = store_.flush(**tx, writes); !f) return f;
      if (new_work)
        if (auto n = store_.notify_work(**tx); !n) return n;
      return (*tx)->commit();
    }();
    if (r) {
      for (std::size_t i = 0; i < ids.size(); ++i) count({}, true);
      if (metrics_)
        for (const auto& e : all_events) metrics_->event(e.type);
      woke(new_work);
      return ids;
    }
    bool retry = r.error().code == ErrorCode::Unavailable || r.error().code == ErrorCode::Conflict;
    if (!retry || attempt + 1 >= kAttempts) return tl::unexpected(r.error());
  }
}

Result<void> Runtime::write_side_records(store::Tx& tx, const SideRecords& side) {
  for (const auto& a : side.approvals)
    if (auto r = store_.save_approval(tx, a); !r) return r;
  return store_.enqueue(tx, side.outbox);
}

Result<void> Runtime::advance(
    const std::string& id, const Input& in, const std::function<Result<bool>(store::Tx&)>& before,
    const std::function<Result<void>(store::Tx&, const Instance&)>& after) {
  for (int attempt = 0;; ++attempt) {
    Result<void> r = [&]() -> Result<void> {
      try {
        auto tx = store_.begin();
        if (!tx) return tl::unexpected(tx.error());
        auto loaded = store_.lock_instance(**tx, id);
        if (!loaded) return tl::unexpected(loaded.error());
        if (!*loaded) return fail(ErrorCode::NotFound, "no instance " + id, id);
        if (before) {
          auto go = before(**tx);
          if (!go) return tl::unexpected(go.error());
          if (!*go) return (*tx)->commit();
        }
        Instance inst = std::move(**loaded);
        auto wf = workflow(inst.digest, tx->get());
        if (!wf) return tl::unexpected(wf.error());
        TimePoint now = clock_.now();  // read once per transition
        std::int64_t expected = inst.version;
        auto gates = open_gates(inst);
        auto jq = borrow_jq();
        auto d = decide(inst, in, now, **wf, *jq);
        give_back(std::move(jq));
        if (!d) return tl::unexpected(d.error());
        if (d->events.empty() && d->tasks.empty() && d->timers.empty()) return (*tx)->commit();
        std::vector<history::Event> events;
        seal(inst, *d, to_micros(now), events);
        inst.version = expected + 1;
        inst.updated_us = to_micros(now);
        Result<void> w = store_.update_instance(**tx, inst, expected);
        if (w) w = store_.append_events(**tx, events);
        if (w) w = write_side_records(**tx, side_records(gates, inst, events));
        if (w && after) w = after(**tx, inst);
        if (w) w = store_.apply_work(**tx, inst.id, *d, to_micros(now));
        if (w && !(d->tasks.empty() && d->timers.empty())) w = store_.notify_work(**tx);
        if (w) w = (*tx)->commit();
        if (w) {
          count(events, true);
          woke(!(d->tasks.empty() && d->timers.empty()));
        }
        return w;
      } catch (const std::exception& e) {
        // Boundary: a bug in deciding must not escape; the transaction has rolled back.
        return fail(ErrorCode::Internal, std::string("advancing ") + id + ": " + e.what(), id);
      }
    }();
    if (r) return r;
    bool retry = r.error().code == ErrorCode::Unavailable || r.error().code == ErrorCode::Conflict;
    if (!retry || attempt + 1 >= kAttempts) {
      if (r.error().code == ErrorCode::Internal || r.error().code == ErrorCode::Unavailable)
        count({}, false);
      return r;
    }
  }
}

void Runtime::late(const store::TaskRow& t) {
  if (metrics_) metrics_->late_outcome();
  std::cerr << "covenant: late outcome of task " << t.key << " (attempt " << t.attempt
            << ", worker " << t.lease_owner
            << ") ignored: its lease was taken over or its attempt superseded\n";
}

void Runtime::count(const std::vector<history::Event>& events, bool ok) {
  if (!metrics_) return;
  metrics_->transition(ok);
  for (const auto& e : events) metrics_->event(e.type);
}

Result<void> Runtime::signal(const std::string& id, const std::string& event, const json& payload,
                             const std::string& by, const json& corrections) {
  return signal(id, SignalInput{event, payload, by, corrections, "", 0});
}

Result<void> Runtime::signal(const std::string& id, const SignalInput& in) {
  if (auto deep = workflows::json_value_too_deep(in.payload))
    return fail(ErrorCode::InvalidArgument, too_deep_message("the event's payload", *deep),
                "payload");
  if (!in.corrections.is_null() && !in.corrections.is_array())
    return fail(ErrorCode::InvalidArgument, "corrections must be a list", "corrections");
  return advance(id, in);
}

Result<void> Runtime::cancel(const std::string& id, const std::string& reason,
                             const std::string& by) {
  return advance(id, CancelInput{reason, by});
}

Result<void> Runtime::decide_approval(
    const std::string& id, const ApprovalInput& in,
    const std::function<Result<bool>(store::Tx&)>& before,
    const std::function<Result<void>(store::Tx&, const Instance&)>& after) {
  return advance(id, in, before, after);
}

Result<void> Runtime::fire_timer(const store::TimerRow& t) {
  return advance(t.instance_id, TimerInput{t.frame, t.state, t.occurrence, t.kind},
                 [&](store::Tx& tx) { return store_.take_timer(tx, t.id); });
}

Result<void> Runtime::complete_task(const store::TaskRow& t, const ActivityResult& r) {
  bool dropped = false;  // of the transaction that committed (a retried one decides again)
  auto result = advance(t.instance_id, outcome_of(t, r), [&](store::Tx& tx) -> Result<bool> {
    auto closed = store_.finish_tasks(tx, {&t});
    if (!closed) return tl::unexpected(closed.error());
    dropped = closed->empty();
    if (dropped) return false;
    if (r.ok) {
      auto rec = store_.record_effect(tx, t.key, t.instance_id, t.activity, t.attempt, r.result,
                                      to_micros(clock_.now()));
      if (!rec) return tl::unexpected(rec.error());
    }
    return true;
  });
  // An instance deleted or never there: the task is moot.
  if (!result && result.error().code == ErrorCode::NotFound) return {};
  if (result && dropped) late(t);
  return result;
}

int Runtime::add_new_work_listener(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  new_work_listeners_.emplace(next_listener_, std::move(fn));
  return next_listener_++;
}

void Runtime::remove_new_work_listener(int id) {
  std::lock_guard lock(mu_);
  new_work_listeners_.erase(id);
}

void Runtime::woke(bool new_work) {
  if (!new_work) return;
  std::lock_guard lock(mu_);
  for (const auto& [id, fn] : new_work_listeners_) fn();
}

Runtime::Completed Runtime::complete_tasks(const std::vector<Completion>& batch,
                                           const store::EagerLease* lease) {
  Completed out;
  if (batch.empty()) return out;
  auto leased = complete_batch(batch, lease, out.left_ready);
  if (leased) {
    out.leased = std::move(*leased);
    return out;
  }
  out.left_ready = true;  // one transaction each: whatever they schedule is left for claiming
  for (const auto& c : batch) {
    if (auto r = complete_task(c.task, c.result); !r) {
      ++out.failed;
      std::cerr << "covenant: task " << c.task.key << ": " << r.error().message << '\n';
    }
  }
  return out;
}

Result<std::vector<store::TaskRow>> Runtime::complete_batch(const std::vector<Completion>& batch,
                                                            const store::EagerLease* lease,
                                                            bool& left_ready) {
  try {
    auto tx = store_.begin();
    if (!tx) return tl::unexpected(tx.error());
    std::vector<std::string> ids;
    for (const auto& c : batch) ids.push_back(c.task.instance_id);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    auto locked = store_.lock_instances(**tx, ids);
    if (!locked) return tl::unexpected(locked.error());
    std::vector<const store::TaskRow*> fences, dropped;
    for (const auto& c : batch) fences.push_back(&c.task);
    auto closed = store_.finish_tasks(**tx, fences);
    if (!closed) return tl::unexpected(closed.error());
    std::map<std::string, std::int64_t> expected;
    for (const auto& [id, inst] : *locked) expected.emplace(id, inst.version);
    TimePoint now = clock_.now();  // one time for the whole batch: one commit
    std::int64_t now_us = to_micros(now);
    store::WriteBatch writes;
    if (lease) {
      store::EagerLease l = *lease;
      l.now_us = now_us;  // tasks due by the batch's own time
      writes = store::WriteBatch(std::move(l));
    }
    std::vector<std::pair<std::string, TaskIntent>> scheduled;  // (instance, task)
    std::vector<history::Event> all_events;
    bool new_work = false, new_timers = false;
    JqLease jq(*this);
    for (const auto& c : batch) {
      const auto& t = c.task;
      const auto& r = c.result;
      if (!closed->count(t.id)) {
        dropped.push_back(&t);
        continue;
      }
      auto it = locked->find(t.instance_id);
      if (it == locked->end()) continue;  // the instance is gone: the task is moot
      if (r.ok) writes.record_effect(t.key, t.instance_id, t.activity, t.attempt, r.result, now_us);
      Instance& inst = it->second;
      auto wf = workflow(inst.digest, tx->get());
      if (!wf) return tl::unexpected(wf.error());
      auto gates = open_gates(inst);
      auto d = decide(inst, outcome_of(t, r), now, **wf, *jq);
      if (!d) return tl::unexpected(d.error());
      if (d->events.empty() && d->tasks.empty() && d->timers.empty()) continue;
      std::vector<history::Event> events;
      seal(inst, *d, now_us, events);
      inst.version += 1;
      inst.updated_us = now_us;
      writes.update_instance(inst, expected.at(inst.id));
      writes.append(events);
      auto side = side_records(gates, inst, events);
      if (!side.approvals.empty() || !side.outbox.empty()) {
        // Rare on this path (a task that opens a gate): written in order, after what precedes.
        if (auto f = store_.flush(**tx, writes); !f) return tl::unexpected(f.error());
        if (auto w = write_side_records(**tx, side); !w) return tl::unexpected(w.error());
      }
      if (auto w = store_.add_work(**tx, writes, inst.id, *d, now_us); !w)
        return tl::unexpected(w.error());
      new_work = new_work || !(d->tasks.empty() && d->timers.empty());
      new_timers = new_timers || !d->timers.empty();
      for (const auto& task : d->tasks) scheduled.emplace_back(inst.id, task);
      for (auto& e : events) all_events.push_back(std::move(e));
    }
    if (auto f = store_.flush(**tx, writes); !f) return tl::unexpected(f.error());
    // Others need to hear only of work not leased to the committing worker.
    bool for_others = new_timers || writes.left_ready() > 0 ||
                      (new_work && writes.leased().empty() && !scheduled.empty());
    if (for_others)
      if (auto n = store_.notify_work(**tx); !n) return tl::unexpected(n.error());
    if (auto c = (*tx)->commit(); !c) return tl::unexpected(c.error());
    for (const auto* t : dropped) late(*t);
    for (std::size_t i = 0; i < batch.size(); ++i) count({}, true);
    if (metrics_)
      for (const auto& e : all_events) metrics_->event(e.type);
    woke(for_others);
    left_ready = writes.left_ready() > 0;
    std::vector<store::TaskRow> leased;
    for (auto& [instance_id, t] : scheduled) {
      auto it = writes.leased().find(t.key);
      if (it == writes.leased().end()) continue;
      store::TaskRow row;
      row.id = it->second;
      row.lease_owner = lease->worker;
      row.key = t.key;
      row.instance_id = instance_id;
      row.frame = t.frame;
      row.state = t.state;
      row.occurrence = t.occurrence;
      row.compensation = t.compensation;
      row.activity = t.activity;
      row.input = std::move(t.input);
      row.attempt = t.attempt;
      row.timeout_us = t.timeout_us;
      row.due_us = t.due_us;
      leased.push_back(std::move(row));
    }
    return leased;
  } catch (const std::exception& e) {
    // Boundary: a bug in deciding must not escape; the transaction has rolled back.
    return fail(ErrorCode::Internal, std::string("a batch of task outcomes: ") + e.what());
  }
}

}  // namespace covenant::engine::runtime
