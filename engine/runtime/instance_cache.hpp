// Decoded instances kept between transitions. An instance's next transition usually comes to
// the process that made its last one (the worker that committed it runs its next task), and
// decoding the stored row was about a tenth of a transition's CPU. An entry is used only when
// the locked row still holds the entry's version: every write of an instance, from any
// process, moves its version on, so a stale entry is never decided on. Thread-safe; bounded
// (least recently used entries go first).
#pragma once

#include "engine/model/instance.hpp"

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace covenant::engine::runtime {

class InstanceCache {
 public:
  explicit InstanceCache(std::size_t capacity) : capacity_(capacity) {}
  // Takes the entry for `id` out of the cache when it holds `version` (a transition owns it
  // until it puts it back); an entry of another version is dropped.
  std::optional<model::Instance> take(const std::string& id, std::int64_t version);
  // Keeps `inst` as committed (its version is the stored one).
  void put(model::Instance inst);
  // Whether an entry for `id` is kept, of any version.
  bool holds(const std::string& id);

 private:
  struct Entry {
    model::Instance instance;
    std::list<std::string>::iterator position;
  };
  std::mutex mu_;
  std::list<std::string> order_;                    // GUARDED_BY(mu_): most recent first
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mu_)
  std::size_t capacity_;
};

}  // namespace covenant::engine::runtime
