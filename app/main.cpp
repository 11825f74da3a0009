// covenant — the command line. Parses arguments, runs one subcommand, maps the outcome to
// an exit code, and is the last place an exception can be caught.
// Exit codes (docs/engine.md, "Exit codes"): 0 success; 1 failure (the command ran and the
// answer is no: invalid input, refused, not found, an error on the way); 2 usage (the command
// line itself is wrong: an unknown option, a missing argument, a value of the wrong form).
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"Covenant: durable contract-to-cash workflows"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("covenant ") + COVENANT_VERSION);
  int exit_code = 0;
  covenant::app::add_validate_command(app, exit_code);
  covenant::app::add_graph_command(app, exit_code);
  covenant::app::add_activities_command(app, exit_code);
  covenant::app::add_compute_command(app, exit_code);
  covenant::app::add_views_command(app, exit_code);
  covenant::app::add_audit_command(app, exit_code);
  covenant::app::add_deploy_command(app, exit_code);
  covenant::app::add_instance_commands(app, exit_code);
  covenant::app::add_worker_command(app, exit_code);
  covenant::app::add_doctor_command(app, exit_code);
  covenant::app::add_partition_command(app, exit_code);
  covenant::app::add_replay_command(app, exit_code);
  covenant::app::add_migrate_command(app, exit_code);
  covenant::app::add_bulk_command(app, exit_code);
  covenant::app::add_principals_command(app, exit_code);
  covenant::app::add_namespaces_command(app, exit_code);
  covenant::app::add_serve_command(app, exit_code);
  covenant::app::add_sandbox_command(app, exit_code);
  covenant::app::add_extract_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the help, the version or the complaint; its own codes (105, 106, 109, …)
    // are not ours to hand out: every usage error is 2.
    if (e.get_exit_code() == 0) return app.exit(e);
    // Asked for JSON (the option may not have been reached when parsing stopped): the usage
    // error as JSON too.
    bool json = covenant::app::errors_as_json();
    for (int i = 1; i < argc && !json; ++i) {
      std::string a = argv[i];
      json = a == "--format=json" ||
             (a == "--format" && i + 1 < argc && std::string(argv[i + 1]) == "json");
    }
    if (!json) {
      app.exit(e);
      return 2;
    }
    covenant::app::Complaint("", "Usage") << e.what();
    return 2;
  } catch (const std::exception& e) {
    covenant::app::Complaint("", "Internal") << "internal error: " << e.what();
    return 1;
  }
  return exit_code;
}
