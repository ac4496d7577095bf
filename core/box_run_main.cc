// box-run: the process a box@NAME.service runs, and the fast foreground path.
//   box-run start NAME              run the container defined by NAME.yaml
//   box-run run ROOTFS -- CMD...    run CMD in ROOTFS, in the foreground
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "definition_loader.h"
#include "log.h"
#include "paths.h"
#include "run_plan.h"
#include "supervisor.h"

namespace {

constexpr int kExitUsage = 2;

const char kUsage[] =
    "Usage: box-run start NAME\n"
    "       box-run run ROOTFS -- COMMAND [ARG...]\n"
    "\n"
    "start  run the container defined by NAME.yaml (as box@NAME.service does)\n"
    "run    run COMMAND in the root filesystem ROOTFS, in the foreground\n";

int usage_error(const std::string& message) {
  box::log_error(message);
  std::cerr << "Try 'box-run --help'.\n";
  return kExitUsage;
}

int cmd_start(const std::string& name) {
  box::log_set_container(name);
  auto dirs = box::user_dirs_from_environment();
  if (!dirs) {
    box::log_error(dirs.error().message());
    return box::kExitSetupFailed;
  }
  auto file = box::find_definition_file(box::definition_search_dirs(*dirs), name);
  if (!file) {
    box::log_error(file.error().message());
    return box::kExitSetupFailed;
  }
  // The same load the generator does, so a definition it skipped fails here
  // with the same message, where `systemctl --user status` shows it.
  auto def = box::load_definition(*file, {}, name, box::load_context(*dirs));
  if (!def) {
    box::log_error(def.error().message());
    return box::kExitSetupFailed;
  }
  box::RunPlan plan = box::plan_from_definition(*def, {getuid(), getgid()});
  return box::supervise(plan, {.notify_ready = true});
}

int cmd_run(const std::vector<std::string>& args) {
  // run ROOTFS -- CMD...
  if (args.size() < 3 || args[1] != "--")
    return usage_error("'run' takes ROOTFS -- COMMAND [ARG...]");
  std::string rootfs = args[0];
  if (rootfs.empty() || rootfs.front() != '/') {
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) return usage_error("cannot resolve relative ROOTFS");
    rootfs = std::string(cwd) + "/" + rootfs;
  }
  std::vector<std::string> argv(args.begin() + 2, args.end());
  box::RunPlan plan = box::plan_for_command(rootfs, argv, {getuid(), getgid()});
  return box::supervise(plan, {.notify_ready = false});
}

}  // namespace

int main(int argc, char** argv) {
  box::log_set_program("box-run");
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage_error("missing command");
  const std::string cmd = args.front();
  args.erase(args.begin());
  if (cmd == "--help" || cmd == "-h") {
    std::cout << kUsage;
    return 0;
  }
  if (cmd == "--version") {
    std::cout << "box-run " BOX_VERSION "\n";
    return 0;
  }
  if (cmd == "start") {
    if (args.size() != 1) return usage_error("'start' takes exactly one NAME");
    return cmd_start(args[0]);
  }
  if (cmd == "run") return cmd_run(args);
  return usage_error("unknown command '" + cmd + "'");
}
