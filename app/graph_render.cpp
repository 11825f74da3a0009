#include "app/graph_render.hpp"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <memory>
#include <mutex>

namespace covenant::app {

tl::expected<std::string, std::string> render_svg(const std::string& dot) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  // One context for the process, never freed: Graphviz's pango text plugin keeps a static
  // cache of the last font name, which pointed into a freed context when each call made and
  // freed its own (a use-after-free on the second render, found by AddressSanitizer).
  static GVC_t* const context = gvContext();
  if (!context) return tl::unexpected(std::string("Graphviz: cannot create a context"));
  std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> g(agmemread(dot.c_str()), agclose);
  if (!g) return tl::unexpected(std::string("Graphviz: cannot parse the generated DOT"));
  if (gvLayout(context, g.get(), "dot") != 0)
    return tl::unexpected(std::string("Graphviz: layout failed"));
  char* data = nullptr;
  unsigned int length = 0;
  int rc = gvRenderData(context, g.get(), "svg", &data, &length);
  std::string svg = rc == 0 && data ? std::string(data, length) : std::string();
  if (data) gvFreeRenderData(data);
  gvFreeLayout(context, g.get());
  if (rc != 0) return tl::unexpected(std::string("Graphviz: SVG rendering failed"));
  return svg;
}

}  // namespace covenant::app
