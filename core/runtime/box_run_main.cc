// box-run: the process a box@NAME.service runs, and the fast foreground path.
//   box-run start [--dry-run] NAME         run the container defined by NAME.yaml
//   box-run run [OPTIONS] ROOTFS -- CMD... run CMD in ROOTFS, in the foreground
//   box-run validate FILE|DIR|NAME...      check definitions as start would
//   box-run pod NAME                       keep the namespaces of pod NAME
// The command line is box_run_command_line.*.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "core/model/definition_loader.h"
#include "core/model/names.h"
#include "core/model/paths.h"
#include "core/model/start_record.h"
#include "core/runtime/box_run_command_line.h"
#include "core/runtime/foreground.h"
#include "core/runtime/instance_lock.h"
#include "core/runtime/pod_service.h"
#include "core/runtime/runtime_facts.h"
#include "core/runtime/supervisor.h"
#include "core/runtime/validate.h"
#include "core/sys/log.h"
#include "core/sys/spawn.h"

namespace {

constexpr int kExitUsage = 2;

int usage_error(const std::string& message, const std::string& help) {
  box::log_error(message);
  std::cerr << "Try '" << help << "'.\n";
  return kExitUsage;
}

// A start that fails ends at once: box-run's messages are native journal
// entries carrying USER_UNIT= (log.cc), which `systemctl --user status` and
// `journalctl --user -u` match however soon the sender exits.
int fail_start(int code) { return code; }

int cmd_start(const std::string& name, bool dry_run) {
  box::log_set_container(name, box::unit_name(name));
  auto dirs = box::user_dirs_from_environment();
  if (!dirs) {
    box::log_error(dirs.error().message());
    return fail_start(box::kExitSetupFailed);
  }
  // The same resolution and load the generator does (the file or template,
  // drop-ins, ${instance}), so a definition it skipped fails here with the
  // same message, where `systemctl --user status` shows it.
  auto files = box::resolve_definition(box::definition_search_dirs(*dirs), name);
  auto sources = files ? box::read_resolved_sources(*files)
                       : box::Result<std::vector<box::DefinitionSource>>(files.error());
  auto def = sources ? box::parse_definition_sources(*sources, name, box::load_context(*dirs))
                     : box::Result<box::Definition>(sources.error());
  if (!def) {
    box::log_error(def.error().message());
    return fail_start(box::kExitSetupFailed);
  }
  if (dry_run) return box::finish(box::run_definition(*def, *dirs, true, true));
  // Outside a session (no runtime dir) there is nowhere to keep the lock.
  std::optional<box::InstanceLock> lock;
  if (!dirs->runtime_dir.empty()) {
    auto held = box::InstanceLock::acquire(box::instance_lock_dir(dirs->runtime_dir), name);
    if (!held) {
      box::log_error(held.error().message());
      return fail_start(box::kExitSetupFailed);
    }
    lock.emplace(std::move(*held));
    if (auto r = lock->write(box::format_start_record({getpid(), std::move(*sources)})); !r) {
      box::log_error(r.error().message());
      return fail_start(box::kExitSetupFailed);
    }
  }
  // The generated drop-in sets BOX_UNIT_GENERATED=1. A unit started without
  // it has only box@.service's defaults: no restart policy, stop signal,
  // dependencies or limits from the definition.
  if (std::getenv("INVOCATION_ID") && !std::getenv("BOX_UNIT_GENERATED")) {
    const bool instance = name.find('@') != std::string::npos;
    box::log_warning(
        "running without the unit settings box-user-generator derives from " + def->source_path +
        " (stop, restart, after, resources): " +
        (instance ? "declare the instance (a '" + name + ".yaml.d/' directory or a '" + name +
                        ".yaml' symlink to the template) and run 'systemctl --user daemon-reload'"
                  : std::string("run 'systemctl --user daemon-reload' after adding a definition")));
  }
  const auto end = box::run_definition(*def, *dirs, true, false);
  lock.reset();  // before finish(), which may end box-run by a signal
  const int rc = end.exit_code;
  if (end.signal == 0 &&
      (rc == box::kExitSetupFailed || rc == box::kExitNotFound || rc == box::kExitNotExecutable))
    return fail_start(rc);
  return box::finish(end);
}

// box-run pod NAME: the pod's namespaces and network helper, kept until
// systemd stops box-pod@NAME.service (pod_service.h).
int cmd_pod(const std::string& name) {
  auto dirs = box::user_dirs_from_environment();
  if (!dirs) {
    box::log_error(dirs.error().message());
    return box::kExitSetupFailed;
  }
  return box::run_pod(name, *dirs);
}

// box-run validate FILE|DIR|NAME...: what a start would refuse, without
// starting anything (validate.h). Exit 0 when every one is valid, 1
// otherwise.
int cmd_validate(const std::vector<std::string>& args) {
  auto dirs = box::user_dirs_from_environment();
  if (!dirs) {
    box::log_error(dirs.error().message());
    return 1;
  }
  int status = 0;
  for (const auto& arg : args) {
    for (const auto& report : box::validate_target(arg, *dirs)) {
      if (!report.errors.empty()) {
        // Bare "file:line:column: message", as editors and compilers print it.
        for (const auto& e : report.errors) std::cerr << e << "\n";
        status = 1;
        continue;
      }
      if (!report.masked_by.empty()) {
        std::cout << report.name << ": masked (" << report.masked_by << ")\n";
        continue;
      }
      std::cout << report.target << ": ok (" << report.path;
      for (const auto& f : report.fragments) std::cout << " + " << f;
      std::cout << ")" << (report.template_only ? " (a template: checked as " + report.name + ")" : "")
                << "\n";
    }
  }
  return status;
}

// A bundle (runc's config.json, or box's box.yaml, beside a rootfs/) named
// where ROOTFS goes: run as a root filesystem it would fail on its first
// mount point ('/proc'), which says nothing of the mistake.
std::optional<std::string> bundle_instead_of_rootfs(const std::string& dir) {
  struct stat st;
  auto exists = [&](const std::string& path, bool directory) {
    return ::stat(path.c_str(), &st) == 0 &&
           (directory ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
  };
  if (!exists(dir + "/rootfs", true)) return std::nullopt;
  for (const char* file : {"config.json", "box.yaml"})
    if (exists(dir + "/" + file, false))
      return "'" + dir + "' is a bundle (" + file +
             " and rootfs/), not a root filesystem: run it with 'boxctl run " + dir +
             "', install it and start it ('boxctl install " + dir +
             " NAME', 'boxctl start NAME'), or run its root filesystem ('run " + dir +
             "/rootfs -- COMMAND')";
  return std::nullopt;
}

int cmd_run(box::Definition def, bool dry_run) {
  if (def.rootfs.front() != '/') {
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
      return usage_error("cannot resolve relative ROOTFS", "box-run run --help");
    def.rootfs = std::string(cwd) + "/" + def.rootfs;
  }
  if (auto bundle = bundle_instead_of_rootfs(def.rootfs))
    return usage_error(*bundle, "box-run run --help");
  auto dirs = box::user_dirs_from_environment();
  if (!dirs) {
    box::log_error(dirs.error().message());
    return box::kExitSetupFailed;
  }
  return box::finish(box::run_in_foreground(def, *dirs, true, dry_run));
}

}  // namespace

int main(int argc, char** argv) {
  box::log_set_program("box-run");
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto line = box::parse_box_run_command_line(args);
  if (!line) {
    // The help of the command that was given, if one was.
    const bool known =
        !args.empty() && (args[0] == "start" || args[0] == "run" || args[0] == "validate" ||
                          args[0] == "pod");
    return usage_error(line.error().message(),
                       known ? "box-run " + args[0] + " --help" : "box-run --help");
  }
  using Command = box::BoxRunCommandLine::Command;
  if (line->command == Command::kPrint) {
    std::cout << line->print << std::flush;
    return 0;
  }
  // The supervisor keeps none of its caller's descriptors either: with
  // `pid: host` the container sees it, and a dumpable process of the same
  // user offers its descriptors in /proc/PID/fd.
  if (!box::close_fds_except(nullptr, 0)) {
    box::log_error("close inherited descriptors: " + std::string(std::strerror(errno)));
    return box::kExitSetupFailed;
  }
  switch (line->command) {
    case Command::kStart:
      return cmd_start(line->name, line->dry_run);
    case Command::kRun:
      return cmd_run(std::move(line->def), line->dry_run);
    case Command::kValidate:
      return cmd_validate(line->targets);
    case Command::kPod:
      return cmd_pod(line->name);
    case Command::kPrint:
      break;
  }
  return kExitUsage;
}
