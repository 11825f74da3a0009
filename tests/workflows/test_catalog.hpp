// A small catalog for unit tests of the language, independent of the shipped activities.
#pragma once

#include "workflows/activity_catalog.hpp"

#include <map>

namespace covenant::testing {

class TestCatalog final : public workflows::ActivityCatalog {
 public:
  TestCatalog() {
    add({"work.do", false, "", {{"what", false, ""}}, false});
    add({"work.open", false, "", {}, true});
    add({"work.flaky", false, "", {}, true});
    add({"money.charge", true, "", {{"amount", true, ""}, {"customer", true, ""}}, false});
    add({"money.refund", true, "", {}, true});
  }
  const workflows::ActivityInfo* find(std::string_view name) const override {
    auto it = by_name_.find(std::string(name));
    return it == by_name_.end() ? nullptr : &it->second;
  }
  std::vector<const workflows::ActivityInfo*> all() const override {
    std::vector<const workflows::ActivityInfo*> out;
    for (const auto& [k, v] : by_name_) out.push_back(&v);
    return out;
  }

 private:
  void add(workflows::ActivityInfo a) { by_name_.emplace(a.name, std::move(a)); }
  std::map<std::string, workflows::ActivityInfo> by_name_;
};

}  // namespace covenant::testing
