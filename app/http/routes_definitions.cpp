// /v1/definitions: deploy (YAML body; validation problems come back located) and list.
#include "activities/catalog.hpp"
#include "app/http/problem.hpp"
#include "app/http/server.hpp"
#include "engine/time_format.hpp"
#include "workflows/compiler.hpp"

namespace covenant::app::http {

void add_definition_routes(Server& s) {
  s.route("POST", "/v1/definitions", {"revops"}, [&s](Call& c) {
    std::string type = c.req.get_header_value("Content-Type");
    if (type.rfind("application/yaml", 0) != 0 && type.rfind("text/yaml", 0) != 0)
      return problem(c.res, 415, "UnsupportedMediaType", "send the definition as application/yaml",
                     c.request_id);
    activities::BuiltinCatalog catalog;
    auto compiled = workflows::compile(c.req.body, "request", catalog);
    if (!compiled.workflow) {
      nlohmann::json errors = nlohmann::json::array();
      for (const auto& d : compiled.diagnostics)
        errors.push_back({{"line", d.span.line},
                          {"column", d.span.column},
                          {"code", d.code},
                          {"message", d.message}});
      c.res.status = 422;
      c.res.set_content(nlohmann::json{{"type", "about:blank"},
                                       {"title", "InvalidDefinition"},
                                       {"status", 422},
                                       {"detail", "the definition is not valid"},
                                       {"request_id", c.request_id},
                                       {"errors", errors}}
                            .dump(),
                        "application/problem+json");
      return;
    }
    auto& e = s.engine();
    auto rec = e.store->put_definition(compiled.workflow->name(), compiled.workflow->digest(),
                                       c.req.body, compiled.workflow->canonical_text(),
                                       engine::to_micros(e.clock.now()));
    if (!rec) return problem(c.res, rec.error(), c.request_id);
    reply(c, rec->created ? 201 : 200,
          {{"workflow", rec->name}, {"version", rec->version}, {"digest", rec->digest}});
  });
  s.route("GET", "/v1/definitions", {}, [&s](Call& c) {
    auto all = s.engine().store->definitions();
    if (!all) return problem(c.res, all.error(), c.request_id);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : *all)
      out.push_back({{"workflow", d.name}, {"version", d.version}, {"digest", d.digest}});
    reply(c, 200, {{"items", out}});
  });
}

}  // namespace covenant::app::http
