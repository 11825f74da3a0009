// libFuzzer target: arbitrary bytes, parsed as JSON, through every computing activity
// (resolve.products, bill.plan, revenue.schedule, provision.entitlements, milestones.schedule,
// bill.rate_usage, contract.merge_terms, revenue.modify, bill.plan_change) — what `covenant
// compute` runs. Each must
// answer with a result or a refusal naming the field: a crash, an escaping exception, a sanitizer
// report or an "Internal" outcome is a bug. The input may also be {"plan": …} fed to
// revenue.schedule after bill.plan ran on it, so the fuzzer reaches the schedule with real plans.
// Run: scripts/fuzz compute [seconds]
#include "activities/runner.hpp"
#include "workflows/json_input.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const covenant::activities::Runner runner{covenant::activities::Systems{}};
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (covenant::workflows::json_too_deep(text))
    return 0;  // refused before parsing, as compute does
  auto input = nlohmann::json::parse(text, nullptr, false);
  if (input.is_discarded()) return 0;
  for (const char* activity : {"resolve.products", "bill.plan", "revenue.schedule",
                               "provision.entitlements", "milestones.schedule", "bill.rate_usage",
                               "contract.merge_terms", "revenue.modify", "bill.plan_change"}) {
    auto r = runner.run(activity, input, "fuzz", "default");
    if (!r.ok && (r.code == "Internal" || r.message.empty())) __builtin_trap();
    // A plan that was made must schedule or be refused cleanly, with the same products.
    if (r.ok && std::string(activity) == "bill.plan" && input.is_object()) {
      nlohmann::json next = {{"plan", r.result},
                             {"products", input.value("products", nlohmann::json())}};
      auto rev = runner.run("revenue.schedule", next, "fuzz", "default");
      if (!rev.ok && (rev.code == "Internal" || rev.message.empty())) __builtin_trap();
      // And an amendment of it: the plan against itself from the fuzzer's date, and against
      // the fuzzer's `after` when it gives one.
      nlohmann::json amend = {
          {"contract_id", "A1"},
          {"before", r.result},
          {"after", input.contains("after") ? input["after"] : r.result},
          {"effective_date", input.value("amended_from", nlohmann::json("2027-06-16"))},
          {"as_of", input.value("as_of", nlohmann::json("2027-06-20"))},
          {"written", input.value("written", nlohmann::json::object())}};
      auto ch = runner.run("bill.plan_change", amend, "fuzz", "default");
      if (!ch.ok && (ch.code == "Internal" || ch.message.empty())) __builtin_trap();
    }
  }
  return 0;
}
