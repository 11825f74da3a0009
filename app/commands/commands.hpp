// The `covenant` subcommands. Each registers itself and its options on the CLI11 app; when
// it runs (as CLI11's callback) it stores the process exit code in `exit_code`:
// 0 success, 1 the input is invalid or the work failed. CLI11 reports usage errors.
#pragma once

#include <CLI/CLI.hpp>

namespace covenant::app {

void add_validate_command(CLI::App& app, int& exit_code);
void add_graph_command(CLI::App& app, int& exit_code);
void add_activities_command(CLI::App& app, int& exit_code);
void add_deploy_command(CLI::App& app, int& exit_code);
void add_instance_commands(CLI::App& app,
                           int& exit_code);  // start, status, history, cancel, signal
void add_worker_command(CLI::App& app, int& exit_code);
void add_principals_command(CLI::App& app, int& exit_code);
void add_namespaces_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);
void add_sandbox_command(CLI::App& app, int& exit_code);
void add_extract_command(CLI::App& app, int& exit_code);
void add_compute_command(CLI::App& app, int& exit_code);
void add_views_command(CLI::App& app, int& exit_code);
void add_audit_command(CLI::App& app, int& exit_code);
void add_doctor_command(CLI::App& app, int& exit_code);
void add_partition_command(CLI::App& app, int& exit_code);
void add_replay_command(CLI::App& app, int& exit_code);
void add_migrate_command(CLI::App& app, int& exit_code);
void add_bulk_command(CLI::App& app, int& exit_code);

}  // namespace covenant::app
