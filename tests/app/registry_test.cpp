// The one activity registry: everything the validator's catalog accepts is something the
// Runner runs (never "in the catalog but not implemented"), the financial flags are the
// adapters', and closed inputs carry the values the system accepts.
#include "activities/registry.hpp"

#include "activities/catalog.hpp"
#include "adapters/operations.hpp"

#include <catch2/catch.hpp>

using covenant::activities::BuiltinCatalog;
using covenant::activities::Runner;

TEST_CASE("Every activity the catalog knows runs, and the registry is the catalog") {
  BuiltinCatalog catalog;
  const auto& registry = covenant::activities::registry();
  REQUIRE(catalog.all().size() == registry.size());
  Runner runner({});  // no systems configured
  for (const auto& a : registry) {
    INFO(a.info.name);
    REQUIRE(catalog.find(a.info.name) != nullptr);
    CHECK(catalog.find(a.info.name)->financial == a.info.financial);
    REQUIRE(a.run);
    // With nothing configured an adapter operation says which system is missing; Covenant's
    // own activities refuse the empty input. None is unknown or unimplemented.
    auto o = runner.run(a.info.name, nlohmann::json::object(), "key-1", "default");
    CHECK_FALSE(o.ok);
    CHECK(o.code != "UnknownActivity");
    CHECK(o.code != "NotImplemented");
  }
  for (const auto& op : covenant::adapters::operations()) {
    INFO(op.name);
    const auto* a = covenant::activities::find_activity(op.name);
    REQUIRE(a);
    CHECK(a->info.financial == op.financial);
  }
  CHECK(runner.run("billing.refund_everything", nlohmann::json::object(), "k", "default").code ==
        "UnknownActivity");
}

TEST_CASE("A closed input lists the values its system accepts") {
  const auto* cn = covenant::activities::find_activity("billing.create_credit_note");
  REQUIRE(cn);
  const covenant::workflows::ActivityInput* reason = nullptr;
  for (const auto& in : cn->info.inputs)
    if (in.name == "reason") reason = &in;
  REQUIRE(reason);
  CHECK(reason->choices == std::vector<std::string>{"duplicate", "fraudulent", "order_change",
                                                    "product_unsatisfactory"});
}
