// Fault injection for the sandbox: rules set over its admin endpoint make the next N matching
// requests fail with a status (500, 503, 429 with Retry-After, or a 400 with a message), add
// latency, or — the important one — commit the write and then drop the connection, so that
// the client retries a write that already happened. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace covenant::sandbox {

struct FaultRule {
  std::string method;       // "" : any
  std::string path_prefix;  // "" : any
  int fail_next = 0;        // answer the next N matching requests with `status`
  int status = 503;
  int retry_after_s = -1;     // with 429/503: a Retry-After header
  std::string message;        // the error message (a 400 carries it as the system's own)
  int drop_after_commit = 0;  // the next N matching writes: commit, then drop the connection
  int latency_ms = 0;         // every matching request, while the rule stands
};

// Reads a rule from JSON (the admin endpoint's body); errors say which field.
std::optional<FaultRule> rule_from_json(const nlohmann::json& j, std::string& error);

class Faults {
 public:
  void add(FaultRule r);
  void clear();
  // Before handling: a failure to answer instead (status, retry-after, message) and the
  // latency to add.
  struct Before {
    std::optional<int> status;
    int retry_after_s = -1;
    std::string message;
    int latency_ms = 0;
  };
  Before before(const std::string& method, const std::string& path);
  // After a successful write: whether to drop the connection instead of answering.
  bool drop(const std::string& method, const std::string& path);
  // Requests seen per "METHOD path" (query strings left out), for tests to assert retries.
  void count(const std::string& method, const std::string& path);
  nlohmann::json counts() const;

 private:
  static bool matches(const FaultRule& r, const std::string& method, const std::string& path);
  mutable std::mutex mu_;
  std::vector<FaultRule> rules_;         // GUARDED_BY(mu_)
  std::map<std::string, int> requests_;  // GUARDED_BY(mu_)
};

}  // namespace covenant::sandbox
