// BuiltinCatalog: the activities Covenant ships — its own (ingest, resolve, extract,
// provision, bill, revenue, monitor) and one per adapter operation — as the
// workflows::ActivityCatalog the validator consults. Immutable after construction; safe to
// share between threads.
#pragma once

#include "workflows/activity_catalog.hpp"

#include <map>
#include <string>

namespace covenant::activities {

class BuiltinCatalog final : public workflows::ActivityCatalog {
 public:
  BuiltinCatalog();
  const workflows::ActivityInfo* find(std::string_view name) const override;
  std::vector<const workflows::ActivityInfo*> all() const override;

 private:
  std::map<std::string, workflows::ActivityInfo, std::less<>> by_name_;
};

}  // namespace covenant::activities
