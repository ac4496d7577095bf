// boxctl generate kube and boxctl play kube (docs/kube.md): the
// translation is core/kube's, the files play writes install/kube_play's;
// the units are reloaded, started and stopped through box-manager.
// `boxctl install kube:FILE` is play (boxctl_install.cc calls play_kube).
// Registered from boxctl_main.cc as the install commands are.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace box::boxctl {

class Context;

class KubeCommands {
 public:
  virtual ~KubeCommands() = default;
  // The exit code when one of these commands was chosen, else nullopt.
  virtual std::optional<int> run() = 0;
};

std::unique_ptr<KubeCommands> add_kube_commands(CLI::App& app);

struct PlayKubeOptions {
  std::string file;
  bool down = false;
  bool replace = false;
  bool start = true;
  bool ignore_probes = false;
  std::vector<std::string> images;  // REF=NAME or REF=SOURCE
  std::vector<std::string> allow_host_namespaces;  // pid, ipc
  bool json = false;
};
int play_kube(Context& ctx, const PlayKubeOptions& options);

}  // namespace box::boxctl
