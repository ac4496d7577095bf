// boxctl install / uninstall / images: a thin command line over
// core/install/install.h (the same calls box-manager's Install/Uninstall
// make). Registered from boxctl_main.cc:
//   auto install_commands = box::boxctl::add_install_commands(app);
//   ... CLI11_PARSE ...
//   if (auto rc = install_commands->run()) return *rc;
// They run in boxctl's own process (no session bus needed to unpack), then
// reload the user manager over the user bus.
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
