#include "engine/runtime/runtime.hpp"

#include "engine/history/hash_chain.hpp"
#include "engine/log.hpp"
#include "engine/runtime/replay.hpp"
#include "engine/runtime/side_records.hpp"
#include "engine/time_format.hpp"
#include "workflows/json_input.hpp"
#include "workflows/loader.hpp"

#include <algorithm>
#include <chrono>
#include <set>

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
    const std::string& ns, const std::string& digest, store::Tx* tx) {
  std::string key = ns + '/' + digest;
  {
    std::lock_guard lock(mu_);
    if (auto it = workflows_.find(key); it != workflows_.end()) return it->second;
  }
  auto rec = tx ? store_.definitions.get(*tx, ns, digest) : store_.definitions.get(ns, digest);
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
  workflows_.emplace(key, wf);
  return wf;
}

void Runtime::seal(Instance& inst, Decision& d, std::int64_t now_us,
                   std::vector<history::Event>& out) const {
  for (auto& ne : d.events) {
    history::Event e;
    e.instance_id = inst.id;
    e.seq = inst.next_seq++;
    e.type = ne.type;
    e.at_us = now_us;
    e.frame = ne.frame;
    e.state = ne.state;
    e.payload = std::move(ne.payload);
    e.payload_text = e.payload.dump();  // once: for the hash and for the stored row
    e.prev_hash = inst.last_hash;
    e.hash = history::event_hash(e, e.payload_text);
    inst.last_hash = e.hash;
    out.push_back(std::move(e));
  }
}

Result<std::shared_ptr<const workflows::CompiledWorkflow>> Runtime::latest_workflow(
    const std::string& ns, const std::string& name) {
  auto rec = store_.definitions.latest(ns, name);
  if (!rec) {
    if (rec.error().code == ErrorCode::NotFound)
      return fail(ErrorCode::NotFound, "no workflow named '" + name + "' is deployed", name);
    return tl::unexpected(rec.error());
  }
  return workflow(ns, rec->digest);
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
  if (auto bad = store::check_namespace(opts.ns); !bad) return tl::unexpected(bad.error());
  auto wf = latest_workflow(opts.ns, workflow_name);
  if (!wf) return tl::unexpected(wf.error());
  Unit u;
  u.scope = store::Scope::of(opts.ns);
  u.workflow = *wf;
  u.start = &opts;
  u.steps.emplace_back("", StartInput{input});
  auto r = transact(u);
  if (!r) return tl::unexpected(r.error());
  if (!r->replayed.empty()) return Started{r->replayed, true};
  return Started{u.steps.front().started, false};
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
  if (auto bad = store::check_namespace(opts.ns); !bad) return tl::unexpected(bad.error());
  auto wf = latest_workflow(opts.ns, workflow_name);
  if (!wf) return tl::unexpected(wf.error());
  Unit u;
  u.scope = store::Scope::of(opts.ns);
  u.workflow = *wf;
  u.start = &opts;
  for (const auto& input : inputs) u.steps.emplace_back("", StartInput{input});
  auto r = transact(u);
  if (!r) return tl::unexpected(r.error());
  std::vector<std::string> ids;
  for (const auto& step : u.steps) ids.push_back(step.started);
  return ids;
}

Result<Runtime::Committed> Runtime::transact(Unit& u) {
  auto began = monotonic_us();
  for (int attempt = 0;; ++attempt) {
    for (auto& step : u.steps) {
      step.started.clear();
      step.late = false;
    }
    Result<Committed> r = [&]() -> Result<Committed> {
      try {
        return transact_once(u);
      } catch (const std::exception& e) {
        // Boundary: a bug in deciding must not escape; the transaction has rolled back.
        std::string what = u.steps.size() == 1 && !u.steps.front().instance_id.empty()
                               ? "advancing " + u.steps.front().instance_id
                               : "a unit of " + std::to_string(u.steps.size()) + " transitions";
        return fail(ErrorCode::Internal, what + ": " + e.what());
      }
    }();
    if (r) {
      for (const auto& step : u.steps)
        if (step.late) late(*step.task);
      if (metrics_) {
        metrics_->transition_duration.observe_us(monotonic_us() - began);
        for (int i = 0; i < r->transitions; ++i) metrics_->transition(true);
        for (auto type : r->events) metrics_->event(type);
        for (const auto& [ns, work] : r->by_ns) metrics_->namespace_work(ns, work);
      }
      woke(r->wake);
      return r;
    }
    bool retry = r.error().code == ErrorCode::Unavailable || r.error().code == ErrorCode::Conflict;
    if (!retry || attempt + 1 >= kAttempts) {
      if (metrics_ &&
          (r.error().code == ErrorCode::Internal || r.error().code == ErrorCode::Unavailable))
        metrics_->transition(false);
      return r;
    }
  }
}

Result<Runtime::Committed> Runtime::transact_once(Unit& u) {
  Committed out;
  auto tx = store_.begin(u.scope);
  if (!tx) return tl::unexpected(tx.error());
  if (u.start && !u.start->start_key.empty()) {
    auto existing = store_.instances.for_start_key(**tx, u.start->ns, u.start->start_key);
    if (!existing) return tl::unexpected(existing.error());
    if (*existing) {
      out.replayed = **existing;
      return out;
    }
  }
  if (u.start && !u.start->business_key.empty() && !u.start->allow_duplicate_business_key) {
    const StartOptions& o = *u.start;
    if (u.steps.size() > 1)
      return fail(ErrorCode::InvalidArgument,
                  "a business key names one running instance: " + std::to_string(u.steps.size()) +
                      " instances cannot all start under '" + o.business_key +
                      "' (allow duplicates to start them anyway)",
                  "business_key");
    auto running =
        store_.instances.running_with_business_key(**tx, o.ns, u.workflow->name(), o.business_key);
    if (!running) return tl::unexpected(running.error());
    if (*running)
      return fail(ErrorCode::Conflict,
                  "instance " + **running + " of " + u.workflow->name() +
                      " is running under business key '" + o.business_key +
                      "' (allow a duplicate business key to start another)",
                  **running);
  }
  // Lock: every instance the unit touches, together, in id order (two units never deadlock).
  std::vector<std::string> ids;
  for (const auto& step : u.steps)
    if (!step.instance_id.empty()) ids.push_back(step.instance_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::map<std::string, Instance> locked;
  bool any_cached =
      std::any_of(ids.begin(), ids.end(), [&](const std::string& id) { return cache_.holds(id); });
  if (!ids.empty() && !any_cached) {
    // None kept here (a decision through the API, another process's instance): locked and
    // read in one statement.
    auto loaded = store_.instances.load(**tx, ids, true);
    if (!loaded) return tl::unexpected(loaded.error());
    locked = std::move(*loaded);
  } else if (!ids.empty()) {
    auto versions = store_.instances.lock(**tx, ids);
    if (!versions) return tl::unexpected(versions.error());
    std::vector<std::string> misses;
    for (const auto& [id, version] : *versions) {
      if (auto cached = cache_.take(id, version))
        locked.emplace(id, std::move(*cached));
      else
        misses.push_back(id);
    }
    if (!misses.empty()) {
      auto loaded = store_.instances.load(**tx, misses);
      if (!loaded) return tl::unexpected(loaded.error());
      for (auto& [id, inst] : *loaded) locked.insert_or_assign(id, std::move(inst));
    }
  }
  // Decided without a write: the decision may have changed the copy in memory, so it must not
  // be kept as the stored state.
  std::set<std::string> unwritten;
  std::vector<Instance> started;
  std::map<std::string, std::int64_t> expected;
  for (const auto& [id, inst] : locked) expected.emplace(id, inst.version);
  // Fences: an outcome counts only while its task is still leased to its worker for its
  // attempt; the others are late and dropped.
  std::vector<const store::TaskRow*> fences;
  for (const auto& step : u.steps)
    if (step.task) fences.push_back(step.task);
  std::set<std::int64_t> closed;
  if (!fences.empty()) {
    auto c = store_.work.finish(**tx, fences);
    if (!c) return tl::unexpected(c.error());
    closed = std::move(*c);
  }

  TimePoint now = clock_.now();  // read once per unit: one commit
  std::int64_t now_us = to_micros(now);
  store::WriteBatch writes;
  if (u.lease) {
    store::EagerLease l = *u.lease;
    l.now_us = now_us;  // tasks due by the unit's own time
    writes = store::WriteBatch(std::move(l));
  }
  std::vector<std::pair<std::string, TaskIntent>> scheduled;  // (instance, task)
  std::map<std::string, std::string> ns_of;                   // instance -> its namespace
  bool new_work = false, new_timers = false;
  JqLease jq(*this);
  for (auto& step : u.steps) {
    if (step.task && !closed.count(step.task->id)) {
      step.late = true;
      continue;
    }
    bool starting = step.instance_id.empty();
    Instance fresh;
    Instance* inst = &fresh;
    std::shared_ptr<const workflows::CompiledWorkflow> wf = u.workflow;
    if (starting) {
      if (!u.start || !wf)
        return fail(ErrorCode::Internal, "a start without its workflow", "transact");
      fresh = new_instance(wf->name(), wf->digest(), *u.start, now_us);
    } else {
      auto it = locked.find(step.instance_id);
      if (it == locked.end()) {
        if (u.missing_is_moot) continue;  // the instance is gone: the outcome is moot
        return fail(ErrorCode::NotFound, "no instance " + step.instance_id, step.instance_id);
      }
      inst = &it->second;
      auto w = workflow(inst->ns, inst->digest, tx->get());
      if (!w) return tl::unexpected(w.error());
      wf = std::move(*w);
    }
    if (step.before) {
      auto go = step.before(**tx);
      if (!go) return tl::unexpected(go.error());
      if (!*go) continue;
    }
    if (step.decide_with) wf = step.decide_with;
    if (step.prepare)
      if (auto p = step.prepare(**tx, *inst, step.input); !p) return tl::unexpected(p.error());
    auto gates = starting ? std::map<std::string, json>{} : open_gates(*inst);
    auto d = decide(*inst, step.input, now, *wf, *jq);
    if (!d) return tl::unexpected(d.error());
    if (d->events.empty() && d->tasks.empty() && d->timers.empty()) {
      unwritten.insert(inst->id);
      continue;
    }
    std::vector<history::Event> events;
    seal(*inst, *d, now_us, events);
    if (starting) {
      inst->version = 1;
      writes.insert_instance(
          *inst, u.start->start_key,
          !u.start->business_key.empty() && !u.start->allow_duplicate_business_key);
      step.started = inst->id;
    } else {
      inst->version += 1;
      inst->updated_us = now_us;
      writes.update_instance(*inst, expected.at(inst->id));
    }
    writes.append(events);
    auto side = side_records(gates, *inst, events, wf->milestones());
    for (auto& a : side.approvals) writes.save_approval(std::move(a));
    if (side.handoff) writes.save_handoff(inst->ns, *side.handoff);
    for (auto& o : side.outbox) writes.enqueue(std::move(o));
    if (step.after)
      if (auto a = step.after(**tx, *inst); !a) return tl::unexpected(a.error());
    if (auto w = store_.add_work(**tx, writes, inst->id, *d, now_us); !w)
      return tl::unexpected(w.error());
    new_work = new_work || !(d->tasks.empty() && d->timers.empty());
    new_timers = new_timers || !d->timers.empty();
    for (const auto& task : d->tasks) scheduled.emplace_back(inst->id, task);
    if (!d->tasks.empty()) ns_of[inst->id] = inst->ns;
    ++out.transitions;
    for (const auto& e : events) out.events.push_back(e.type);
    if (metrics_) {  // per namespace, for /metrics only
      auto& work = out.by_ns[inst->ns];
      ++work.transitions;
      for (const auto& e : events) {
        if (e.type == history::EventType::ApprovalDecided) ++work.approval_decisions;
        if (e.type == history::EventType::ActivityCompleted ||
            e.type == history::EventType::ActivityFailed)
          ++work.activity_calls[history::activity_system(e.payload)];
      }
    }
    unwritten.erase(inst->id);
    if (starting) started.push_back(std::move(fresh));
  }
  if (auto f = store_.flush(**tx, writes); !f) return tl::unexpected(f.error());
  // Others need to hear only of work not leased to the committing worker.
  out.wake = new_timers || writes.left_ready() > 0 ||
             (new_work && writes.leased().empty() && !scheduled.empty());
  if (out.wake)
    if (auto n = store_.work.notify(**tx); !n) return tl::unexpected(n.error());
  if (auto c = (*tx)->commit(); !c) return tl::unexpected(c.error());
  for (auto& [id, inst] : locked)
    if (!unwritten.count(id)) cache_.put(std::move(inst));
  for (auto& inst : started) cache_.put(std::move(inst));
  out.left_ready = writes.left_ready() > 0;
  for (auto& [instance_id, t] : scheduled) {
    auto it = writes.leased().find(t.key);
    if (it == writes.leased().end()) continue;
    store::TaskRow row;
    row.id = it->second;
    row.lease_owner = u.lease->worker;
    row.key = t.key;
    row.instance_id = instance_id;
    row.ns = ns_of[instance_id];
    row.frame = t.frame;
    row.state = t.state;
    row.occurrence = t.occurrence;
    row.compensation = t.compensation;
    row.activity = t.activity;
    row.input = std::move(t.input);
    row.attempt = t.attempt;
    row.timeout_us = t.timeout_us;
    row.due_us = t.due_us;
    out.leased.push_back(std::move(row));
  }
  return out;
}

Result<void> Runtime::advance(
    const store::Scope& scope, const std::string& id, const Input& in,
    const std::function<Result<bool>(store::Tx&)>& before,
    const std::function<Result<void>(store::Tx&, const Instance&)>& after) {
  Unit u;
  u.scope = scope;
  Step& step = u.steps.emplace_back(id, in);
  step.before = before;
  step.after = after;
  auto r = transact(u);
  if (!r) return tl::unexpected(r.error());
  return {};
}

void Runtime::late(const store::TaskRow& t) {
  if (metrics_) metrics_->late_outcome();
  log::warn("runtime",
            "late outcome ignored: the task's lease was taken over or its attempt superseded",
            {{"task", t.key},
             {"instance", t.instance_id},
             {"attempt", std::to_string(t.attempt)},
             {"worker", t.lease_owner}});
}

Result<void> Runtime::signal(const store::Scope& scope, const std::string& id,
                             const std::string& event, const json& payload, const std::string& by,
                             const json& corrections) {
  return signal(scope, id, SignalInput{event, payload, by, corrections, "", 0});
}

Result<void> Runtime::signal(const store::Scope& scope, const std::string& id,
                             const SignalInput& in) {
  if (auto deep = workflows::json_value_too_deep(in.payload))
    return fail(ErrorCode::InvalidArgument, too_deep_message("the event's payload", *deep),
                "payload");
  if (!in.corrections.is_null() && !in.corrections.is_array())
    return fail(ErrorCode::InvalidArgument, "corrections must be a list", "corrections");
  return advance(scope, id, in);
}

Result<void> Runtime::migrate(const store::Scope& scope, const std::string& id, MigrateInput in,
                              std::shared_ptr<const workflows::CompiledWorkflow> to) {
  if (!to) return fail(ErrorCode::InvalidArgument, "no version to move to", id);
  Unit u;
  u.scope = scope;
  Step& step = u.steps.emplace_back(id, std::move(in));
  step.decide_with = to;
  step.prepare = [this](store::Tx& tx, Instance& inst, Input& input) -> Result<void> {
    auto timers = store_.work.timers_of(tx, inst.id);
    if (!timers) return tl::unexpected(timers.error());
    auto& m = std::get<MigrateInput>(input);
    m.timers.clear();
    for (const auto& t : *timers)
      m.timers.push_back({t.key, t.frame, t.state, t.occurrence, t.kind, t.fire_us});
    return {};
  };
  auto r = transact(u);
  if (!r) return tl::unexpected(r.error());
  return {};
}

Result<void> Runtime::retry_step(const store::Scope& scope, const std::string& id,
                                 const RetryStepInput& in) {
  if (auto deep = workflows::json_value_too_deep(in.input))
    return fail(ErrorCode::InvalidArgument, too_deep_message("the edited input", *deep), "input");
  auto stored = store_.instances.get(scope, id);
  if (!stored) return tl::unexpected(stored.error());
  if (!*stored) return fail(ErrorCode::NotFound, "no instance " + id, id);
  if ((*stored)->status != "failed")
    return fail(ErrorCode::FailedPrecondition,
                "instance " + id + " is " + (*stored)->status + ": only a failed step runs again");
  auto h = store_.instances.history(scope, id);
  if (!h) return tl::unexpected(h.error());
  auto wf = workflow((*stored)->ns, (*stored)->digest);
  if (!wf) return tl::unexpected(wf.error());
  Result<Instance> rebuilt = [&] {
    JqLease jq(*this);
    return rebuild_before_failure(*h, **wf, *jq);
  }();
  if (!rebuilt) return tl::unexpected(rebuilt.error());
  Unit u;
  u.scope = scope;
  Step& step = u.steps.emplace_back(id, in);
  std::int64_t seen = static_cast<std::int64_t>(h->size());
  step.prepare = [this, seen, before = std::move(*rebuilt)](store::Tx& tx, Instance& inst,
                                                            Input&) -> Result<void> {
    if (inst.status != "failed" || inst.next_seq != seen + 1)
      return fail(ErrorCode::FailedPrecondition,
                  "instance " + inst.id + " changed while its step was being run again", inst.id);
    if (!inst.business_key.empty()) {
      auto holder =
          store_.instances.running_with_business_key(tx, inst.ns, inst.workflow, inst.business_key);
      if (!holder) return tl::unexpected(holder.error());
      if (*holder && **holder != inst.id)
        return fail(ErrorCode::FailedPrecondition,
                    "instance " + **holder + " is running under business key '" +
                        inst.business_key + "' now: " + inst.id + " is not run again beside it",
                    **holder);
    }
    inst.status = before.status;
    inst.frames = before.frames;
    inst.compensations = before.compensations;
    inst.changed_by = before.changed_by;
    inst.output = before.output;
    inst.error.clear();
    inst.failure_code.clear();
    inst.failure_cause.clear();
    inst.left_standing = before.left_standing;
    return {};
  };
  auto r = transact(u);
  if (!r) return tl::unexpected(r.error());
  return {};
}

Result<void> Runtime::cancel(const store::Scope& scope, const std::string& id,
                             const std::string& reason, const std::string& by) {
  return advance(scope, id, CancelInput{reason, by});
}

Result<void> Runtime::decide_approval(
    const store::Scope& scope, const std::string& id, const ApprovalInput& in,
    const std::function<Result<bool>(store::Tx&)>& before,
    const std::function<Result<void>(store::Tx&, const Instance&)>& after) {
  return advance(scope, id, in, before, after);
}

Result<void> Runtime::fire_timer(const store::TimerRow& t) {
  return advance(store::Scope::all(), t.instance_id,
                 TimerInput{t.frame, t.state, t.occurrence, t.kind},
                 [&](store::Tx& tx) { return store_.work.take_timer(tx, t); });
}

Result<void> Runtime::complete_task(const store::TaskRow& t, const ActivityResult& r) {
  Unit u;
  u.missing_is_moot = true;  // an instance deleted or never there: the task is moot
  u.steps.emplace_back(t.instance_id, outcome_of(t, r), &t);
  auto done = transact(u);
  if (!done) return tl::unexpected(done.error());
  return {};
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
  Unit u;
  u.lease = lease;
  u.missing_is_moot = true;
  for (const auto& c : batch)
    u.steps.emplace_back(c.task.instance_id, outcome_of(c.task, c.result), &c.task);
  if (auto done = transact(u); done) {
    out.leased = std::move(done->leased);
    out.left_ready = done->left_ready;
    return out;
  }
  out.left_ready = true;  // one transaction each: whatever they schedule is left for claiming
  for (const auto& c : batch) {
    if (auto r = complete_task(c.task, c.result); !r) {
      ++out.failed;
      log::error("runtime", "recording a task's outcome failed: " + r.error().message,
                 {{"task", c.task.key}, {"instance", c.task.instance_id}});
    }
  }
  return out;
}

}  // namespace covenant::engine::runtime
