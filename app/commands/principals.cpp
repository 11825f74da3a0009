// covenant principals add NAME --roles a,b | list | revoke NAME   [--db URL] [--format json]
// `add` prints the new bearer token once; Covenant keeps only its hash.
#include "engine/auth/principals.hpp"

#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/composition.hpp"
#include "engine/time_format.hpp"

#include <iostream>

namespace covenant::app {
namespace principals_command {

struct Options {
  CommonOptions common;
  std::string name;
  std::vector<std::string> roles;
};

int with_principals(const Options& o, const std::function<int(engine::auth::Principals&)>& fn) {
  auto eng = open_engine(o.common.db, 2);
  if (!eng) return report(eng.error());
  engine::auth::Principals& p = *(*eng)->principals;
  return fn(p);
}

int add(const Options& o) {
  return with_principals(o, [&](engine::auth::Principals& p) {
    auto token = p.add(o.name, o.roles);
    if (!token) return report(token.error());
    if (o.common.format == "json")
      std::cout << nlohmann::json{{"name", o.name}, {"token", *token}}.dump() << '\n';
    else
      std::cout << *token << "\n(shown once: Covenant keeps only its hash)\n";
    return 0;
  });
}

int list(const Options& o) {
  return with_principals(o, [&](engine::auth::Principals& p) {
    auto all = p.list();
    if (!all) return report(all.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& x : *all) {
      std::string roles;
      for (const auto& r : x.roles) roles += (roles.empty() ? "" : ",") + r;
      out.push_back({{"name", x.name}, {"roles", x.roles}, {"revoked", x.revoked_us != 0}});
      if (o.common.format != "json")
        std::cout << x.name << "  " << roles << (x.revoked_us ? "  (revoked)" : "") << '\n';
    }
    if (o.common.format == "json") std::cout << out.dump(2) << '\n';
    return 0;
  });
}

int revoke(const Options& o) {
  return with_principals(o, [&](engine::auth::Principals& p) {
    auto r = p.revoke(o.name);
    if (!r) return report(r.error());
    std::cout << "revoked " << o.name << '\n';
    return 0;
  });
}

}  // namespace principals_command

void add_principals_command(CLI::App& app, int& exit_code) {
  using namespace principals_command;
  auto* cmd = app.add_subcommand("principals", "Manage who may call Covenant, and their roles");
  cmd->require_subcommand(1);
  auto a = std::make_shared<Options>();
  auto* c = cmd->add_subcommand("add", "Add a principal and print its token once");
  add_common_options(c, a->common);
  c->add_option("name", a->name, "Name (lower-case)")->required();
  c->add_option("--roles", a->roles, "Roles, e.g. admin,revops,finance")
      ->required()
      ->delimiter(',');
  c->callback([a, &exit_code] { exit_code = add(*a); });
  auto l = std::make_shared<Options>();
  c = cmd->add_subcommand("list", "List principals and their roles (never tokens)");
  add_common_options(c, l->common);
  c->callback([l, &exit_code] { exit_code = list(*l); });
  auto r = std::make_shared<Options>();
  c = cmd->add_subcommand("revoke", "Revoke a principal's token");
  add_common_options(c, r->common);
  c->add_option("name", r->name, "Name")->required();
  c->callback([r, &exit_code] { exit_code = revoke(*r); });
}

}  // namespace covenant::app
