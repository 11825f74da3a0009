#include "app/activity_bridge.hpp"

#include "activities/catalog.hpp"

namespace covenant::app {

engine::ActivityResult ActivityBridge::execute(const engine::ActivityCall& call) {
  static const activities::BuiltinCatalog catalog;
  if (!catalog.find(call.activity))
    return engine::ActivityResult::failure("UnknownActivity",
                                           "no activity named '" + call.activity + "'", false);
  return engine::ActivityResult::failure(
      "NotImplemented",
      "activity '" + call.activity + "' is in the catalog but not implemented yet", false);
}

}  // namespace covenant::app
