// provision.entitlements and provision.request: what the customer is entitled to (one
// entitlement per recurring product line) and a provisioning request per entitlement, as a CRM
// task for the provisioning team (each with its own idempotency key, so a retry creates none
// twice). Confirmation comes back as the `provisioning.confirmed` event.
#include "activities/input.hpp"
#include "activities/own.hpp"

namespace covenant::activities {

using nlohmann::json;

Outcome provision_entitlements(const json& in) {
  const char* a = "provision.entitlements";
  const json products = in.value("products", json::object());
  if (!products.is_object() || !products.contains("entitlements"))
    return invalid_input(a, "'products' must be resolve.products' result");
  return refuse_bad_input(a, [&] {
    Field root(in, "");
    std::string account = root.text_or("account", "");
    json out = json::array();
    for (const Field& e : root.at("products").at("entitlements").items()) {
      e.object();
      out.push_back({{"product", e.text_or("product", "")},
                     {"name", e.text_or("name", "")},
                     {"quantity", e.integer_or("quantity", 1, 1, money::kLargest)},
                     {"account", account},
                     {"start", e.has("start") ? json(e.at("start").text()) : json()}});
    }
    return ok({{"entitlements", out}});
  });
}

Outcome provision_request(const Systems& s, const json& in, const std::string& key) {
  const char* a = "provision.request";
  const json ents = in.value("entitlements", json());
  std::string account = in.value("account", "");
  if (!ents.is_array()) return invalid_input(a, "'entitlements' must be a list");
  if (account.empty()) return invalid_input(a, "'account' is required");
  if (!s.crm) return error("NotConfigured", std::string(a) + ": no CRM system is configured");
  json requests = json::array();
  for (std::size_t i = 0; i < ents.size(); ++i) {
    const json& e = ents[i];
    std::string what = std::to_string(e.value("quantity", 1)) + " x " + e.value("name", "");
    json task = {
        {"account", account},
        {"subject", "Provision " + what},
        {"owner", in.value("owner", "provisioning")},
        {"description",
         "Contract " + in.value("contract_id", std::string()) + ": provision " + what + " from " +
             (e.contains("start") && e["start"].is_string() ? e["start"].get<std::string>()
                                                            : std::string("the start")) +
             ", then send provisioning.confirmed."}};
    auto r = s.crm->create_task(task, key + ":" + std::to_string(i));
    if (!r) return failed(r.error());
    requests.push_back({{"entitlement", e}, {"task", (*r).value("id", "")}});
  }
  return ok({{"via", "crm_task"}, {"requests", requests}});
}

}  // namespace covenant::activities
