#include "workflows/validator.hpp"

namespace covenant::workflows {

Diagnostics validate(const Definition& def, const ActivityCatalog& catalog) {
  Diagnostics out;
  detail::check_structure(def, out);
  detail::check_activities(def, catalog, out);
  detail::check_approvals(def, catalog, out);
  detail::check_dataflow(def, catalog, out);
  return out;
}

namespace {
LoadResult finish(LoadResult r, const ActivityCatalog& catalog) {
  if (r.definition) {
    auto more = validate(*r.definition, catalog);
    r.diagnostics.insert(r.diagnostics.end(), more.begin(), more.end());
  }
  sort(r.diagnostics);
  return r;
}
}  // namespace

LoadResult check(const std::string& yaml_text, const std::string& file,
                 const ActivityCatalog& catalog) {
  return finish(load(yaml_text, file), catalog);
}

LoadResult check_file(const std::string& path, const ActivityCatalog& catalog) {
  return finish(load_file(path), catalog);
}

}  // namespace covenant::workflows
