#include "engine/runtime/instance_cache.hpp"

namespace covenant::engine::runtime {

std::optional<model::Instance> InstanceCache::take(const std::string& id, std::int64_t version) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  std::optional<model::Instance> out;
  if (it->second.instance.version == version) out = std::move(it->second.instance);
  order_.erase(it->second.position);
  entries_.erase(it);
  return out;
}

void InstanceCache::put(model::Instance inst) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mu_);
  std::string id = inst.id;
  if (auto it = entries_.find(id); it != entries_.end()) {
    order_.erase(it->second.position);
    entries_.erase(it);
  }
  order_.push_front(id);
  entries_.emplace(std::move(id), Entry{std::move(inst), order_.begin()});
  while (entries_.size() > capacity_) {
    entries_.erase(order_.back());
    order_.pop_back();
  }
}

bool InstanceCache::holds(const std::string& id) {
  std::lock_guard lock(mu_);
  return entries_.count(id) > 0;
}

}  // namespace covenant::engine::runtime
