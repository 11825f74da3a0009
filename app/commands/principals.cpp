// covenant principals add NAME --roles a,b [--expires 90d] [--service --scopes instances:write]
//   | rotate NAME [--overlap 24h] [--expires 90d] | list | revoke NAME   [--db URL] [--format json]
// `add` and `rotate` print the new bearer token once; Covenant keeps only its hash.
#include "engine/auth/principals.hpp"

#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/composition.hpp"
#include "engine/time_format.hpp"
#include "workflows/duration.hpp"

#include <chrono>
#include <iostream>
#include <optional>

namespace covenant::app {
namespace principals_command {

struct Options {
  CommonOptions common;
  std::string name;
  std::vector<std::string> roles;
  std::string expires, overlap;  // durations ("90d"); "" none
  bool service = false;          // a service identity, reaching only `scopes`
  std::vector<std::string> scopes;
};

int with_principals(const Options& o, const std::function<int(engine::auth::Principals&)>& fn) {
  auto eng = open_engine(o.common.db, 2);
  if (!eng) return report(eng.error());
  engine::auth::Principals& p = *(*eng)->principals;
  return fn(p);
}

void print_token(const Options& o, const std::string& token, std::chrono::seconds expires_in) {
  if (o.common.format == "json") {
    nlohmann::json out = {{"name", o.name}, {"token", token}};
    if (expires_in.count()) out["expires_in_seconds"] = expires_in.count();
    std::cout << out.dump() << '\n';
  } else {
    std::cout << token << "\n(shown once: Covenant keeps only its hash"
              << (expires_in.count() ? "; it expires in " + o.expires : std::string()) << ")\n";
  }
}

int add(const Options& o) {
  auto expires = duration_flag("principals", "--expires", o.expires);
  if (!expires) return 2;
  return with_principals(o, [&](engine::auth::Principals& p) {
    if (!o.service && !o.scopes.empty()) {
      complain("principals") << "--scopes are a service identity's: add --service";
      return 2;
    }
    auto token = o.service ? p.add_service(o.common.ns, o.name, o.roles, o.scopes, *expires)
                           : p.add(o.common.ns, o.name, o.roles, *expires);
    if (!token) return report(token.error());
    print_token(o, *token, *expires);
    return 0;
  });
}

int rotate(const Options& o) {
  auto expires = duration_flag("principals", "--expires", o.expires);
  auto overlap = duration_flag("principals", "--overlap", o.overlap);
  if (!expires || !overlap) return 2;
  return with_principals(o, [&](engine::auth::Principals& p) {
    auto token = p.rotate(o.common.scope(), o.name, *overlap, *expires);
    if (!token) return report(token.error());
    print_token(o, *token, *expires);
    return 0;
  });
}

int list(const Options& o) {
  return with_principals(o, [&](engine::auth::Principals& p) {
    auto all = p.list(o.common.scope());
    if (!all) return report(all.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& x : *all) {
      std::string roles;
      for (const auto& r : x.roles) roles += (roles.empty() ? "" : ",") + r;
      std::string expiry =
          x.next_expiry_us ? engine::format_rfc3339(engine::from_micros(x.next_expiry_us)) : "";
      out.push_back({{"name", x.name},
                     {"kind", x.kind},
                     {"scopes", x.scopes},
                     {"roles", x.roles},
                     {"revoked", x.revoked_us != 0},
                     {"tokens", x.tokens},
                     {"next_expiry", expiry.empty() ? nlohmann::json() : nlohmann::json(expiry)}});
      if (o.common.format != "json")
        std::cout << x.name << "  " << roles
                  << (x.kind == engine::auth::Principal::kService
                          ? "  (service: " + nlohmann::json(x.scopes).dump() + ")"
                          : "")
                  << (x.revoked_us ? "  (revoked)" : "")
                  << (!x.revoked_us && x.tokens == 0 ? "  (no working token)" : "")
                  << (expiry.empty() ? "" : "  (a token stops at " + expiry + ")") << '\n';
    }
    if (o.common.format == "json") std::cout << out.dump(2) << '\n';
    return 0;
  });
}

int revoke(const Options& o) {
  return with_principals(o, [&](engine::auth::Principals& p) {
    auto r = p.revoke(o.common.scope(), o.name);
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
  c->add_option("--expires", a->expires, "The token stops working after this long (e.g. 90d)");
  c->add_flag("--service", a->service,
              "A service identity (a machine): its tokens reach only --scopes, and it never "
              "decides an approval");
  c->add_option("--scopes", a->scopes,
                "What a service's tokens reach, e.g. instances:write,documents:read")
      ->delimiter(',');
  c->callback([a, &exit_code] { exit_code = add(*a); });
  auto t = std::make_shared<Options>();
  c = cmd->add_subcommand("rotate",
                          "Give a principal a new token; the old ones stop after --overlap");
  add_common_options(c, t->common);
  c->add_option("name", t->name, "Name")->required();
  c->add_option("--overlap", t->overlap,
                "How long the old tokens keep working while callers change over (default: they "
                "stop now)");
  c->add_option("--expires", t->expires, "The new token stops working after this long");
  c->callback([t, &exit_code] { exit_code = rotate(*t); });
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
