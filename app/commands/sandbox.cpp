// covenant sandbox [--port 8090] [--db sqlite:sandbox.db] [--host 127.0.0.1]
// Runs the sandbox of external systems, a program of its own (sandbox/main.cpp): the product
// does not contain it. `covenant-sandbox` is looked for beside this binary, then on PATH; the
// arguments are passed on unchanged and its exit code is this command's.
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace covenant::app {
namespace sandbox_command {

int run(const std::vector<std::string>& args) {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::vector<std::string> candidates;
  if (!ec) {
    // Installed side by side, or in the build tree (build/app/covenant, build/sandbox/…).
    candidates.push_back((self.parent_path() / "covenant-sandbox").string());
    candidates.push_back(
        (self.parent_path().parent_path() / "sandbox" / "covenant-sandbox").string());
  }
  std::vector<char*> argv;
  std::string name = "covenant-sandbox";
  argv.push_back(name.data());
  std::vector<std::string> owned = args;
  for (auto& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (const auto& path : candidates)
    if (::access(path.c_str(), X_OK) == 0) ::execv(path.c_str(), argv.data());
  ::execvp("covenant-sandbox", argv.data());
  complain("sandbox") << "cannot run covenant-sandbox (" << std::strerror(errno)
                      << "): it is built beside covenant (cmake --build build)";
  return 1;
}

}  // namespace sandbox_command

void add_sandbox_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "sandbox", "Serve sandboxes of the external systems (runs the covenant-sandbox program)");
  // Everything after `sandbox` is the sandbox program's own (--db, --host, --port, --help).
  cmd->allow_extras();
  cmd->prefix_command();
  cmd->set_help_flag();
  cmd->callback([cmd, &exit_code] { exit_code = sandbox_command::run(cmd->remaining()); });
}

}  // namespace covenant::app
