// boxctl run: an installed image, a root filesystem or an OCI bundle, run
// in the foreground by boxctl itself (the supervisor), no systemd. The
// options are box-run run's table (core/runtime/run_options.*).
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <iostream>
#include <optional>

#include "boxctl/boxctl.h"
#include "boxctl/run_target.h"
#include "core/model/start_record.h"
#include "core/runtime/foreground.h"
#include "core/runtime/instance_lock.h"
#include "core/runtime/runtime_facts.h"
#include "core/sys/log.h"
#include "core/sys/spawn.h"

namespace box::boxctl {

std::unique_ptr<RunCommand> add_run_command(CLI::App& app) {
  auto r = std::make_unique<RunCommand>();
  r->app = app.add_subcommand(
      "run", "Run an image, a root filesystem or an OCI bundle in the foreground, no systemd");
  // After TARGET everything is the command's, its options included.
  r->app->positionals_at_end();
  r->app->add_flag("--dry-run", r->dry_run,
                   "Print the plan that would run, with the host facts it was made from, and "
                   "start nothing");
  r->rows = add_run_options(*r->app, true);
  r->app
      ->add_option("TARGET", r->target,
                   "An installed image (or container) NAME, a root filesystem DIR, or an OCI "
                   "bundle DIR (config.json and rootfs)")
      ->required()
      ->type_name("");
  r->app
      ->add_option("COMMAND", r->command,
                   "The command and its arguments (default: the image's or bundle's)")
      ->type_name("");
  r->app->footer(
      "Usage: boxctl run [OPTIONS] TARGET [--] [COMMAND [ARG...]]\n"
      "After TARGET every argument is the command's, options included (a '--' may separate "
      "them).\nA root filesystem runs with box-run run's defaults (userns single, read-only, the "
      "host's network); an image or a bundle as its definition says, the options on top.");
  return r;
}

namespace {

std::string working_directory() {
  char cwd[PATH_MAX];
  if (!::getcwd(cwd, sizeof cwd))
    throw Failure{kExitUsage, std::string("cannot read the working directory: ") +
                                  std::strerror(errno)};
  return cwd;
}

}  // namespace

int cmd_run(const RunCommand& run, const std::vector<std::string>& args) {
  constexpr int kSetup = box::kExitSetupFailed;  // box-run's: could not be set up
  log_set_program("boxctl");
  auto dirs = user_dirs_from_environment();
  if (!dirs) throw Failure{kSetup, dirs.error().message()};
  auto target = resolve_run_target(run.target, *dirs, working_directory());
  if (!target) throw Failure{kSetup, target.error().message()};
  for (const auto& w : target->warnings) std::cerr << "boxctl: warning: config.json: " << w << "\n";

  RunRequest request;
  request.def = std::move(target->def);
  const std::string image_name = request.def.name;
  const auto given = given_run_options(*run.app, run.rows, args);
  if (auto r = apply_run_options(request, given); !r)
    throw Failure{kExitUsage, r.error().message()};
  std::vector<std::string> shared;
  for (const auto& g : given)
    if (g.option->name == "--share") shared.push_back(g.value);
  if (auto r = check_host_namespaces(*target, shared); !r) throw Failure{kSetup, r.error().message()};
  Definition& def = request.def;
  // One "--" only marks where boxctl's part ends.
  auto command = run.command.begin();
  if (command != run.command.end() && *command == "--") ++command;
  if (command != run.command.end()) {
    def.command.assign(command, run.command.end());
  } else if (target->kind == RunTarget::Kind::kRootfs) {
    throw Failure{kExitUsage, "a root filesystem needs a COMMAND: boxctl run " + run.target +
                                  " COMMAND [ARG...]"};
  }
  // --rm: a new container of the image, as podman's: the image as
  // installed under a throw-away overlay. Not the writes kept: their upper
  // dir may be box@NAME's upper dir at this moment, which overlayfs does
  // not allow as a lower layer of another mount.
  const bool persistent = def.rootfs_writes == RootfsWrites::kPersistent;
  if (persistent && request.remove) def.rootfs_writes = RootfsWrites::kOverlay;
  const bool keeps_writes = persistent && !request.remove;
  if (!request.name.empty()) {
    // The persistent writes of an image are kept under its name.
    if (keeps_writes && request.name != image_name)
      throw Failure{kExitUsage, "--name: the writes of '" + image_name +
                                    "' persist under its own name; add --rm to run it as '" +
                                    request.name + "' without keeping them"};
    def.name = request.name;
  }

  // As box-run: nothing of the caller's but stdio reaches the supervisor
  // or its children.
  if (!close_fds_except(nullptr, 0))
    throw Failure{kSetup, std::string("close inherited descriptors: ") + std::strerror(errno)};
  // Writes kept in the image's upper dir: one writer at a time, so never
  // beside box@NAME.service (which takes the same lock).
  std::optional<InstanceLock> lock;
  if (keeps_writes && !run.dry_run && !dirs->runtime_dir.empty()) {
    auto held = InstanceLock::acquire(instance_lock_dir(dirs->runtime_dir), def.name);
    if (!held)
      throw Failure{kSetup, held.error().message() + " (its writes persist: add --rm to run a "
                                                     "throw-away copy beside it)"};
    lock.emplace(std::move(*held));
    if (auto r = lock->write(format_start_record({::getpid(), target->sources})); !r)
      throw Failure{kSetup, r.error().message()};
  }
  const ContainerEnd end = run_in_foreground(def, *dirs, request.interactive, run.dry_run);
  lock.reset();  // before finish(), which may end boxctl by the container's signal
  return finish(end);
}

}  // namespace box::boxctl
