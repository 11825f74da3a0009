#include "engine/scheduler/sweeper.hpp"

#include "engine/log.hpp"
#include "engine/time_format.hpp"

#include <algorithm>

namespace covenant::engine::scheduler {

bool stranded(const model::Instance& inst) {
  return std::none_of(inst.frames.begin(), inst.frames.end(), [](const auto& kv) {
    const model::Frame& f = kv.second;
    return f.status == model::frame_status::kWaiting && !f.event.empty();
  });
}

Result<std::vector<Stranded>> find_stranded(store::Store& store, int limit, int events) {
  auto idle = store.instances.running_without_work(limit);
  if (!idle) return tl::unexpected(idle.error());
  std::vector<Stranded> out;
  for (auto& inst : *idle) {
    if (!stranded(inst)) continue;
    std::int64_t after = std::max<std::int64_t>(0, inst.next_seq - 1 - events);
    auto last = store.instances.history(store::Scope::all(), inst.id, after, events);
    if (!last) return tl::unexpected(last.error());
    out.push_back({std::move(inst), std::move(*last)});
  }
  return out;
}

Result<int> Sweeper::sweep(std::int64_t now_us) {
  auto found = find_stranded(store_, 1000);
  if (!found) return tl::unexpected(found.error());
  if (metrics_) metrics_->stranded(static_cast<std::int64_t>(found->size()));
  std::vector<store::OutboxRow> announce;
  for (const auto& s : *found) {
    const auto& inst = s.instance;
    if (!reported_.insert(inst.id).second) continue;
    std::string last = s.last_events.empty()
                           ? std::string("none")
                           : std::string(history::name(s.last_events.back().type));
    log::warn("sweeper",
              "instance is stranded: " + inst.status +
                  " with no task, timer, approval or awaited event (covenant doctor lists it)",
              {{"instance", inst.id},
               {"workflow", inst.workflow},
               {"business_key", inst.business_key},
               {"last_event", last},
               {"last_event_at", format_rfc3339(from_micros(inst.updated_us))}});
    store::OutboxRow row;
    row.topic = "instance.stranded";
    row.instance_id = inst.id;
    row.ns = inst.ns;
    // The shape of every webhook (docs/webhooks.md); the id names the stranded instance at
    // its last event, so a redelivery or a second sweeper's announcement deduplicates.
    std::int64_t seq = inst.next_seq - 1;
    row.payload = {{"id", "evt_" + inst.id + "_" + std::to_string(seq) + "_stranded"},
                   {"type", row.topic},
                   {"created", format_rfc3339(from_micros(now_us))},
                   {"data",
                    {{"instance_id", inst.id},
                     {"workflow", inst.workflow},
                     {"business_key", inst.business_key},
                     {"seq", seq},
                     {"state", ""},
                     {"event", "Stranded"},
                     {"payload",
                      {{"status", inst.status},
                       {"last_event", last},
                       {"updated_at", format_rfc3339(from_micros(inst.updated_us))}}}}}};
    row.next_us = row.created_us = now_us;
    announce.push_back(std::move(row));
  }
  if (!announce.empty()) {
    auto tx = store_.begin(store::Scope::all());
    if (!tx) return tl::unexpected(tx.error());
    if (auto e = store_.outbox.enqueue(**tx, announce); !e) return tl::unexpected(e.error());
    if (auto c = (*tx)->commit(); !c) return tl::unexpected(c.error());
  }
  return static_cast<int>(found->size());
}

}  // namespace covenant::engine::scheduler
