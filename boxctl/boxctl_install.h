// boxctl install / uninstall / images, and export / commit (whose export
// half is boxctl_export.cc). install and uninstall are requests
// to box-manager (Install, Uninstall: the install core runs in its worker
// process, and the manager reloads the user manager and announces the
// container); images reads the installed images' metadata itself, no
// session needed. Registered from boxctl_main.cc:
//   auto install_commands = box::boxctl::add_install_commands(app);
//   ... CLI11_PARSE ...
//   if (auto rc = install_commands->run()) return *rc;
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>

namespace box::boxctl {

class InstallCommands {
 public:
  virtual ~InstallCommands() = default;
  // The exit code when one of these commands was chosen, else nullopt.
  virtual std::optional<int> run() = 0;
};

std::unique_ptr<InstallCommands> add_install_commands(CLI::App& app);

}  // namespace box::boxctl
