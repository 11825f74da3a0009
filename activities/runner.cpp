#include "activities/runner.hpp"

#include "activities/input.hpp"
#include "activities/registry.hpp"

#include <functional>
#include <map>

namespace covenant::activities {

using nlohmann::json;
namespace h = adapters::http;

Outcome failed(const h::Error& e) {
  Outcome o;
  o.message = e.message;
  switch (e.kind) {
    case h::Failure::Transient:
      o.code = "Unavailable";
      o.retryable = true;
      return o;
    case h::Failure::AlreadyDone:
      o.code = "Conflict";
      return o;
    case h::Failure::Permanent:
      break;
  }
  if (e.code == "bad_input")
    o.code = "InvalidInput";
  else if (e.status == 401 || e.status == 403)
    o.code = "Unauthorized";
  else if (e.status == 404 || e.code == "resource_missing")
    o.code = "NotFound";
  else if (e.status == 409 || e.code == "idempotency_error")
    o.code = "Conflict";
  else
    o.code = "Invalid";
  return o;
}

Outcome Runner::run(const std::string& activity, const json& input, const std::string& key,
                    const std::string& ns) const {
  const Activity* a = find_activity(activity);
  if (!a) return {false, nullptr, "UnknownActivity", "no activity named '" + activity + "'", false};
  if (!input.is_object())
    return {false, nullptr, "InvalidInput", activity + ": the input must be an object", false};
  // An activity reads its input through activities/input.hpp; a field it refuses is the
  // caller's InvalidInput wherever in the activity it was read.
  // The systems as this call sees them: its instance's namespace.
  Systems s = s_;
  s.ns = ns;
  Outcome o =
      refuse_bad_input(activity.c_str(), [&] { return a->run(s, input, key, timestamp_s_); });
  if (o.code == "NotConfigured") o.message = activity + ": " + o.message;
  return o;
}

}  // namespace covenant::activities
