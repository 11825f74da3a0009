// ActivityCatalog: what the validator needs to know about activities it does not own —
// which names exist, which of them write money (financial), and the shape of their input.
// Declared here, implemented by activities/ (which asks adapters/ which operations are
// financial), so the language stays free of any adapter or database code.
// Implementations must be immutable after construction and safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace covenant::workflows {

struct ActivityInput {
  std::string name;
  bool required = false;
  std::string description;
  // What a constant value must be: "any", or "string", "integer", "id", "list", "object".
  std::string type = "any";
  // When not empty, the only values a constant may take (e.g. Stripe's credit-note reasons).
  std::vector<std::string> choices = {};
};

struct ActivityInfo {
  std::string name;        // e.g. "billing.create_invoice"
  bool financial = false;  // writes money to billing or ERP: needs an approval gate
  std::string summary;
  std::vector<ActivityInput> inputs;
  bool open_input = false;  // accepts fields beyond `inputs`
};

class ActivityCatalog {
 public:
  virtual ~ActivityCatalog() = default;
  // The activity called `name`, or nullptr. The pointer stays valid as long as the catalog.
  virtual const ActivityInfo* find(std::string_view name) const = 0;
  // Every activity, sorted by name.
  virtual std::vector<const ActivityInfo*> all() const = 0;
};

}  // namespace covenant::workflows
