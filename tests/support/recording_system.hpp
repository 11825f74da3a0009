// RecordingSystem: a stand-in for an external system (billing, ERP…) that behaves like a
// real one with idempotency keys: a repeated call with a known key is answered from what it
// recorded and writes nothing new. It counts calls and distinct effects, and can be told to
// fail the first N calls of an activity (transiently or permanently). Thread-safe.
#pragma once

#include "engine/activity_executor.hpp"

#include <map>
#include <mutex>
#include <string>

namespace covenant::testing {

class RecordingSystem final : public engine::ActivityExecutor {
 public:
  engine::ActivityResult execute(const engine::ActivityCall& call) override {
    std::lock_guard lock(mu_);
    ++calls_[call.activity];
    if (auto f = failures_.find(call.activity); f != failures_.end() && f->second.remaining > 0) {
      --f->second.remaining;
      return engine::ActivityResult::failure(f->second.code, "injected failure",
                                             f->second.retryable);
    }
    auto [it, fresh] = effects_.emplace(call.idempotency_key, call.input);
    if (fresh) ++writes_[call.activity];
    return engine::ActivityResult::success(
        {{"activity", call.activity}, {"key", call.idempotency_key}, {"echo", call.input}});
  }

  void fail_next(const std::string& activity, int times, std::string code, bool retryable) {
    std::lock_guard lock(mu_);
    failures_[activity] = {times, std::move(code), retryable};
  }
  int calls(const std::string& activity) {
    std::lock_guard lock(mu_);
    return calls_[activity];
  }
  int writes(const std::string& activity) {
    std::lock_guard lock(mu_);
    return writes_[activity];
  }
  std::size_t effects() {
    std::lock_guard lock(mu_);
    return effects_.size();
  }

 private:
  struct Failure {
    int remaining;
    std::string code;
    bool retryable;
  };
  std::mutex mu_;
  std::map<std::string, int> calls_, writes_;
  std::map<std::string, nlohmann::json> effects_;
  std::map<std::string, Failure> failures_;
};

}  // namespace covenant::testing
