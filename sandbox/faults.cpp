#include "sandbox/faults.hpp"

namespace covenant::sandbox {

std::optional<FaultRule> rule_from_json(const nlohmann::json& j, std::string& error) {
  if (!j.is_object()) {
    error = "a fault rule is a JSON object";
    return std::nullopt;
  }
  FaultRule r;
  for (const auto& [k, v] : j.items()) {
    bool text = k == "method" || k == "path_prefix" || k == "message";
    bool number = k == "fail_next" || k == "status" || k == "retry_after_s" ||
                  k == "drop_after_commit" || k == "latency_ms";
    if (!text && !number) {
      error = "unknown field '" + k + "'";
      return std::nullopt;
    }
    if (text && !v.is_string()) {
      error = "'" + k + "' must be a string";
      return std::nullopt;
    }
    if (number && !v.is_number_integer()) {
      error = "'" + k + "' must be an integer";
      return std::nullopt;
    }
  }
  r.method = j.value("method", "");
  r.path_prefix = j.value("path_prefix", "");
  r.fail_next = j.value("fail_next", 0);
  r.status = j.value("status", 503);
  r.retry_after_s = j.value("retry_after_s", -1);
  r.message = j.value("message", "");
  r.drop_after_commit = j.value("drop_after_commit", 0);
  r.latency_ms = j.value("latency_ms", 0);
  if (r.status < 400 || r.status > 599) {
    error = "'status' must be an HTTP error status (400-599)";
    return std::nullopt;
  }
  if (r.latency_ms < 0 || r.latency_ms > 60000) {
    error = "'latency_ms' must be from 0 to 60000";
    return std::nullopt;
  }
  return r;
}

bool Faults::matches(const FaultRule& r, const std::string& method, const std::string& path) {
  return (r.method.empty() || r.method == method) && path.rfind(r.path_prefix, 0) == 0;
}

void Faults::add(FaultRule r) {
  std::lock_guard lock(mu_);
  rules_.push_back(std::move(r));
}

void Faults::clear() {
  std::lock_guard lock(mu_);
  rules_.clear();
  requests_.clear();
}

Faults::Before Faults::before(const std::string& method, const std::string& path) {
  std::lock_guard lock(mu_);
  Before b;
  for (auto& r : rules_) {
    if (!matches(r, method, path)) continue;
    b.latency_ms += r.latency_ms;
    if (!b.status && r.fail_next > 0) {
      --r.fail_next;
      b.status = r.status;
      b.retry_after_s = r.retry_after_s;
      b.message = r.message;
    }
  }
  return b;
}

bool Faults::drop(const std::string& method, const std::string& path) {
  std::lock_guard lock(mu_);
  for (auto& r : rules_)
    if (matches(r, method, path) && r.drop_after_commit > 0) {
      --r.drop_after_commit;
      return true;
    }
  return false;
}

void Faults::count(const std::string& method, const std::string& path) {
  std::lock_guard lock(mu_);
  ++requests_[method + " " + path];
}

nlohmann::json Faults::counts() const {
  std::lock_guard lock(mu_);
  return requests_;
}

}  // namespace covenant::sandbox
