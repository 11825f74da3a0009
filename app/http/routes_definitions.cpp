// /v1/definitions: deploy (YAML body; validation problems come back located), list, one
// workflow's versions, one version (with its source), and its graph as SVG.
#include "activities/catalog.hpp"
#include "app/graph_render.hpp"
#include "app/http/api.hpp"
#include "app/http/problem.hpp"
#include "engine/time_format.hpp"
#include "workflows/compiler.hpp"
#include "workflows/graph_dot.hpp"
#include "workflows/loader.hpp"

namespace covenant::app::http {

namespace {

nlohmann::json summary(const engine::store::DefinitionRecord& d) {
  return {{"workflow", d.name},
          {"version", d.version},
          {"digest", d.digest},
          {"deployed_at", engine::format_rfc3339(engine::from_micros(d.created_us))}};
}

// The requested version of a workflow (?version=N, default the latest), or a problem written.
std::optional<engine::store::DefinitionRecord> find_version(Call& c, Services& s) {
  auto all = s.store.definitions.all(c.ns);
  if (!all) {
    problem(c, all.error());
    return std::nullopt;
  }
  std::optional<engine::store::DefinitionRecord> best;
  auto v = c.req.query.find("version");
  for (const auto& d : *all) {
    if (d.name != c.params[0]) continue;
    if (v != c.req.query.end() ? std::to_string(d.version) == v->second
                               : (!best || d.version > best->version))
      best = d;
  }
  if (!best) problem(c, "NotFound", "no such workflow or version: " + c.params[0]);
  return best;
}

}  // namespace

void add_definition_routes(Api& api) {
  Services& s = api.services();
  api.route("POST", "/v1/definitions", {"revops"}, [&s](Call& c) {
    std::string type = c.req.header("content-type");
    if (type.rfind("application/yaml", 0) != 0 && type.rfind("text/yaml", 0) != 0)
      return problem(c, "UnsupportedMediaType", "send the definition as application/yaml");
    activities::BuiltinCatalog catalog;
    auto compiled = workflows::compile(c.req.body, "request", catalog);
    if (!compiled.workflow) {
      nlohmann::json errors = nlohmann::json::array();
      for (const auto& d : compiled.diagnostics)
        errors.push_back({{"line", d.span.line},
                          {"column", d.span.column},
                          {"code", d.code},
                          {"message", d.message}});
      return problem(c, "InvalidDefinition", "the definition is not valid", {{"errors", errors}});
    }
    auto rec = s.store.definitions.put(c.ns, compiled.workflow->name(), compiled.workflow->digest(),
                                       c.req.body, compiled.workflow->canonical_text(),
                                       engine::to_micros(s.clock.now()));
    if (!rec) return problem(c, rec.error());
    reply(c, rec->created ? 201 : 200, summary(*rec));
  });
  api.route("GET", "/v1/definitions", {"revops", "auditor", "service"}, [&s](Call& c) {
    auto all = s.store.definitions.all(c.ns);
    if (!all) return problem(c, all.error());
    std::map<std::string, engine::store::DefinitionRecord> latest;
    for (const auto& d : *all)
      if (!latest.count(d.name) || latest[d.name].version < d.version) latest[d.name] = d;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [name, d] : latest) out.push_back(summary(d));
    reply(c, 200, {{"items", out}});
  });
  api.route("GET", "/v1/definitions/{name}/versions", {"revops", "auditor", "service"},
            [&s](Call& c) {
              auto all = s.store.definitions.all(c.ns);
              if (!all) return problem(c, all.error());
              nlohmann::json out = nlohmann::json::array();
              for (const auto& d : *all)
                if (d.name == c.params[0]) out.push_back(summary(d));
              if (out.empty()) return problem(c, "NotFound", "no workflow named " + c.params[0]);
              reply(c, 200, {{"items", out}});
            });
  api.route("GET", "/v1/definitions/{name}", {"revops", "auditor", "service"}, [&s](Call& c) {
    auto d = find_version(c, s);
    if (!d) return;
    auto out = summary(*d);
    out["source"] = d->source;
    reply(c, 200, out);
  });
  api.route("GET", "/v1/definitions/{name}/graph.svg", {"revops", "auditor", "service"},
            [&s](Call& c) {
              auto d = find_version(c, s);
              if (!d) return;
              // The stored version was validated when it was deployed: parse it and draw it as it
              // is.
              auto loaded = workflows::load(d->source, d->name);
              if (!loaded.definition)
                return problem(c, "Internal", "the stored definition no longer loads");
              activities::BuiltinCatalog catalog;
              auto svg = render_svg(workflows::to_dot(*loaded.definition, catalog));
              if (!svg)
                return problem(c, "Internal", "the graph could not be drawn: " + svg.error());
              c.res.status = 200;
              c.res.content_type = "image/svg+xml";
              c.res.body = *svg;
            });
}

}  // namespace covenant::app::http
