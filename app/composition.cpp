#include "app/composition.hpp"

namespace covenant::app {

engine::Result<std::unique_ptr<Engine>> open_engine(const std::string& url, int pool_size,
                                                    bool create) {
  auto store = engine::store::Store::open(url, pool_size, create);
  if (!store) return tl::unexpected(store.error());
  auto e = std::make_unique<Engine>();
  e->store = std::move(*store);
  e->runtime = std::make_unique<engine::runtime::Runtime>(*e->store, e->clock, e->ids, &e->metrics);
  e->principals = std::make_unique<engine::auth::Principals>(*e->store, e->clock, e->ids);
  e->desk = std::make_unique<engine::approvals::ApprovalDesk>(*e->runtime, *e->principals, e->clock,
                                                              e->ids);
  return e;
}

http::Services Engine::services(const std::string& public_url) {
  return {*store, *runtime, clock, ids, *principals, *desk, metrics, public_url};
}

}  // namespace covenant::app
