#include "app/handoff_view.hpp"

#include "workflows/model.hpp"

#include <algorithm>
#include <map>

namespace covenant::app {

using engine::history::EventType;

namespace {

std::int64_t nearest_rank(const std::vector<std::int64_t>& sorted, int percent) {
  if (sorted.empty()) return 0;
  std::size_t n = sorted.size();
  std::size_t rank = (n * static_cast<std::size_t>(percent) + 99) / 100;  // ceil(p/100 · n)
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

StageStats stats_of(std::string from, std::string to, std::vector<std::int64_t> durations,
                    std::int64_t out_of_order) {
  StageStats s;
  s.from = std::move(from);
  s.to = std::move(to);
  s.out_of_order = out_of_order;
  std::sort(durations.begin(), durations.end());
  s.count = static_cast<std::int64_t>(durations.size());
  s.p50_us = nearest_rank(durations, 50);
  s.p90_us = nearest_rank(durations, 90);
  s.max_us = durations.empty() ? 0 : durations.back();
  for (auto d : durations) {
    std::size_t b = 0;
    while (b < kHandoffBuckets.size() && d >= kHandoffBuckets[b]) ++b;
    ++s.buckets[b];
  }
  return s;
}

}  // namespace

std::vector<StageStats> handoff_stats(const std::vector<engine::store::HandoffTimes>& rows) {
  const auto& names = workflows::kMilestones;
  std::vector<StageStats> out;
  auto stage = [&](std::size_t a, std::size_t b) {
    std::vector<std::int64_t> d;
    std::int64_t disorder = 0;
    for (const auto& r : rows) {
      if (r.at_us[a] == 0 || r.at_us[b] == 0) continue;
      if (r.at_us[b] < r.at_us[a])
        ++disorder;
      else
        d.push_back(r.at_us[b] - r.at_us[a]);
    }
    out.push_back(stats_of(std::string(names[a]), std::string(names[b]), std::move(d), disorder));
  };
  for (std::size_t k = 0; k + 1 < names.size(); ++k) stage(k, k + 1);
  stage(0, names.size() - 1);
  return out;
}

std::string stage_at(const engine::store::HandoffRow& row, std::int64_t at_us) {
  const auto& names = workflows::kMilestones;
  // The first milestone not reached by `at_us` closes the stage it falls in.
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (row.at_us[k] != 0 && row.at_us[k] <= at_us) continue;
    if (k == 0) return "before " + std::string(names[0]);
    return std::string(names[k - 1]) + " → " + std::string(names[k]);
  }
  return "after " + std::string(names.back());
}

std::vector<Waited> waits_of(const std::vector<engine::history::Event>& events,
                             const engine::store::HandoffRow& row, std::int64_t now_us,
                             std::size_t keep) {
  std::vector<Waited> out;
  std::map<std::string, std::size_t> open;  // frame -> its stay in `out`, while it lasts
  auto close = [&](const std::string& frame, std::int64_t at) {
    auto it = open.find(frame);
    if (it == open.end()) return;
    out[it->second].to_us = at;
    open.erase(it);
  };
  std::int64_t ended = 0;
  for (const auto& e : events) {
    switch (e.type) {
      case EventType::StateEntered: {
        close(e.frame, e.at_us);
        std::string type = e.payload.is_object() ? e.payload.value("type", "") : "";
        std::string kind = type == "approval" ? "gate" : type == "wait" ? "wait" : type;
        if (kind != "gate" && kind != "wait" && kind != "task") break;
        Waited w;
        w.state = e.state;
        w.kind = kind;
        w.stage = stage_at(row, e.at_us);
        w.from_us = e.at_us;
        w.occurrence = e.payload.value("occurrence", std::int64_t{1});
        open[e.frame] = out.size();
        out.push_back(std::move(w));
        break;
      }
      case EventType::BranchCompleted:
        if (e.payload.is_object() && e.payload.contains("frame") && e.payload["frame"].is_string())
          close(e.payload["frame"].get<std::string>(), e.at_us);
        break;
      case EventType::WorkflowCompleted:
      case EventType::WorkflowFailed:
      case EventType::WorkflowCancelled:
        ended = e.at_us;
        break;
      default:
        break;
    }
  }
  for (const auto& [frame, i] : open) out[i].to_us = ended;  // 0: there still
  // The handoff path ends at the first invoice: what the instance waited for after it (its
  // monitors, a renewal) is not handoff latency, and a stay across it counts up to it.
  if (std::int64_t invoiced = row.at_us.back(); invoiced > 0) {
    std::erase_if(out, [&](const Waited& w) { return w.from_us >= invoiced; });
    for (auto& w : out)
      if (w.to_us == 0 || w.to_us > invoiced) w.to_us = invoiced;
  }
  auto length = [&](const Waited& w) { return (w.to_us ? w.to_us : now_us) - w.from_us; };
  std::stable_sort(out.begin(), out.end(),
                   [&](const Waited& a, const Waited& b) { return length(a) > length(b); });
  std::erase_if(out, [&](const Waited& w) { return length(w) <= 0; });
  if (out.size() > keep) out.resize(keep);
  return out;
}

}  // namespace covenant::app
