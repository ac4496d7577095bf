// box-run: the process a box@NAME.service runs, and the fast foreground path.
//   box-run start [--dry-run] NAME         run the container defined by NAME.yaml
//   box-run run [OPTIONS] ROOTFS -- CMD... run CMD in ROOTFS, in the foreground
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "core/model/definition_loader.h"
#include "core/model/definition_rules.h"
#include "core/model/names.h"
#include "core/model/paths.h"
#include "core/model/start_record.h"
#include "core/model/value_parsers.h"
#include "core/plan/plan_text.h"
#include "core/runtime/instance_lock.h"
#include "core/runtime/runtime_facts.h"
#include "core/runtime/supervisor.h"
#include "core/sys/log.h"
#include "core/sys/spawn.h"

namespace {

constexpr int kExitUsage = 2;

const char kUsage[] =
    "Usage: box-run start [--dry-run] NAME\n"
    "       box-run validate FILE|NAME...\n"
    "       box-run run [OPTIONS] ROOTFS [--] COMMAND [ARG...]\n"
    "\n"
    "start  run the container defined by NAME.yaml (what box@NAME.service runs)\n"
    "run    run COMMAND in the root filesystem ROOTFS, in the foreground\n"
    "validate  check definitions without starting anything: a FILE (with the\n"
    "       drop-ins in FILE.d/ beside it) or a NAME as 'start' would load it\n"
    "--dry-run  (start, run) print the plan that would run, with the host facts\n"
    "       it was made from, and start nothing\n"
    "\n"
    "Options of run (defaults favour start-up speed):\n"
    "  --network host|none|private  network namespace (default: host)\n"
    "  --publish [IP:]HOST:CONTAINER[/tcp|/udp]  publish a port (with --network private)\n"
    "  --writable                   writes go to a throw-away overlay (default: read-only)\n"
    "  --overlay-driver auto|kernel|fuse  who mounts that overlay (default: auto, the\n"
    "                               kernel, fuse-overlayfs where the kernel refuses)\n"
    "  --bind SRC:DST, --ro-bind SRC:DST, --tmpfs DST\n"
    "  --env NAME=VALUE             add to the (otherwise clean) environment\n"
    "  --user UID[:GID]             ids inside (default 0:0)\n"
    "  --userns single|auto|keep-id id mapping (default: single, no helpers)\n"
    "  --hostname NAME, --workdir DIR\n"
    "  --init none|tiny             PID 1 (default: the command)\n"
    "  --cap-add CAP, --cap-drop CAP\n"
    "  --seccomp default|unconfined\n"
    "  --share pid|ipc|uts|cgroup   use the host's namespace of that kind\n";

int usage_error(const std::string& message) {
  box::log_error(message);
  std::cerr << "Try 'box-run --help'.\n";
  return kExitUsage;
}

// Reads the host for `def`, makes its plan and carries it out; with
// `dry_run` prints the plan instead (what would run, made the same way).
box::ContainerEnd run_definition(const box::Definition& def, const box::UserDirs& dirs,
                                 bool service, bool dry_run) {
  auto prepared = box::prepare_run(def, dirs, service);
  if (!prepared) {
    box::log_error(prepared.error().wrap("box '" + def.name + "'").message());
    return {box::kExitSetupFailed, 0};
  }
  if (dry_run) {
    std::cout << box::format_run_plan(prepared->plan, prepared->facts) << std::flush;
    return {0, 0};
  }
  return box::supervise(prepared->plan, std::move(prepared->console));
}

// box-run ends the way the container's PID 1 did: by the same signal, so
// that systemd judges the unit as it would judge the program run as a plain
// service (SIGTERM, SIGINT, SIGHUP and SIGPIPE are clean ends of a service),
// and a shell shows 128+N as for the program itself.
int finish(const box::ContainerEnd& end) {
  if (end.signal == 0) return end.exit_code;
  std::cout.flush();
  box::end_by_signal(end.signal);
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
  if (dry_run) return finish(run_definition(*def, *dirs, true, true));
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
  const auto end = run_definition(*def, *dirs, true, false);
  lock.reset();  // before finish(), which may end box-run by a signal
  const int rc = end.exit_code;
  if (end.signal == 0 &&
      (rc == box::kExitSetupFailed || rc == box::kExitNotFound || rc == box::kExitNotExecutable))
    return fail_start(rc);
  return finish(end);
}

// box-run validate FILE|NAME...: what the generator would say, without
// starting anything. Exit 0 when every one is valid, 1 otherwise.
int cmd_validate(const std::vector<std::string>& args) {
  if (args.empty()) return usage_error("'validate' takes one or more FILEs or NAMEs");
  auto dirs = box::user_dirs_from_environment();
  if (!dirs) {
    box::log_error(dirs.error().message());
    return 1;
  }
  const auto search = box::definition_search_dirs(*dirs);
  int status = 0;
  for (const auto& arg : args) {
    const bool is_file = arg.find('/') != std::string::npos || arg.ends_with(".yaml");
    // A template (a file NAME@.yaml, or a name NAME@) is checked as one
    // made-up instance of it.
    std::string name = arg;
    if (!is_file && name.ends_with('@')) name += box::kTemplateCheckInstance;
    auto def = is_file ? box::load_definition_at(arg, box::load_context(*dirs))
                       : box::load_container_definition(search, name, box::load_context(*dirs));
    if (!def) {
      // Bare "file:line:column: message", as editors and compilers print it.
      std::cerr << def.error().message() << "\n";
      status = 1;
      continue;
    }
    std::cout << arg << ": ok (" << def->source_path;
    for (const auto& f : def->fragment_paths) std::cout << " + " << f;
    std::cout << ")\n";
  }
  return status;
}

// Splits "SRC:DST" for --bind.
bool split_pair(const std::string& s, std::string& a, std::string& b) {
  auto colon = s.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size()) return false;
  a = s.substr(0, colon);
  b = s.substr(colon + 1);
  return true;
}

int cmd_run(const std::vector<std::string>& args) {
  box::Definition def;
  def.name = "run";
  def.userns = box::UsernsMode::kSingle;
  def.rootfs_writes = box::RootfsWrites::kReadonly;
  bool overlay_driver_set = false;
  bool dry_run = false;
  std::size_t i = 0;
  auto value = [&](const std::string& opt) -> const std::string* {
    if (i + 1 >= args.size()) return nullptr;
    (void)opt;
    return &args[++i];
  };
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.empty() || a[0] != '-') break;
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "--writable") {
      def.rootfs_writes = box::RootfsWrites::kOverlay;
      continue;
    }
    if (a == "--dry-run") {
      dry_run = true;
      continue;
    }
    const std::string* v = value(a);
    if (!v) return usage_error("option '" + a + "' needs a value");
    if (a == "--network") {
      if (*v == "host")
        def.network = box::NetworkMode::kHost;
      else if (*v == "none")
        def.network = box::NetworkMode::kNone;
      else if (*v == "private")
        def.network = box::NetworkMode::kPrivate;
      else
        return usage_error("--network: expected host, none or private, got '" + *v + "'");
    } else if (a == "--overlay-driver") {
      if (*v == "auto")
        def.overlay_driver = box::OverlayDriver::kAuto;
      else if (*v == "kernel")
        def.overlay_driver = box::OverlayDriver::kKernel;
      else if (*v == "fuse")
        def.overlay_driver = box::OverlayDriver::kFuse;
      else
        return usage_error("--overlay-driver: expected auto, kernel or fuse, got '" + *v + "'");
      overlay_driver_set = true;
    } else if (a == "--publish") {
      auto port = box::parse_port(*v);
      if (!port) return usage_error("--publish: " + port.error().message());
      def.ports.push_back(*port);
    } else if (a == "--bind" || a == "--ro-bind") {
      box::MountSpec m;
      if (!split_pair(*v, m.source, m.target) || m.target[0] != '/')
        return usage_error(a + ": expected SRC:DST with an absolute DST, got '" + *v + "'");
      m.readonly = a == "--ro-bind";
      def.mounts.push_back(m);
    } else if (a == "--tmpfs") {
      box::MountSpec m;
      m.type = box::MountSpec::Type::kTmpfs;
      m.target = *v;
      if (m.target.empty() || m.target[0] != '/')
        return usage_error("--tmpfs: expected an absolute path");
      def.mounts.push_back(m);
    } else if (a == "--env") {
      auto eq = v->find('=');
      if (eq == std::string::npos || eq == 0) return usage_error("--env: expected NAME=VALUE");
      def.env.emplace_back(v->substr(0, eq), v->substr(eq + 1));
    } else if (a == "--user") {
      auto colon = v->find(':');
      auto uid = box::parse_number(v->substr(0, colon), 0xfffffffe);
      auto gid =
          colon == std::string::npos ? uid : box::parse_number(v->substr(colon + 1), 0xfffffffe);
      if (!uid || !gid) return usage_error("--user: expected UID[:GID], got '" + *v + "'");
      def.uid = static_cast<uid_t>(*uid);
      def.gid = static_cast<gid_t>(*gid);
    } else if (a == "--userns") {
      if (*v == "single")
        def.userns = box::UsernsMode::kSingle;
      else if (*v == "auto")
        def.userns = box::UsernsMode::kAuto;
      else if (*v == "keep-id")
        def.userns = box::UsernsMode::kKeepId;
      else
        return usage_error("--userns: expected single, auto or keep-id, got '" + *v + "'");
    } else if (a == "--hostname") {
      // Checked here, as the definition's `hostname:` is, rather than
      // failing late at sethostname inside the new namespaces.
      if (!box::is_valid_hostname(*v))
        return usage_error("--hostname: '" + *v +
                           "' is not a valid host name (letters, digits, '-' and '.', at most " +
                           std::to_string(box::kMaxHostname) +
                           " characters, not starting with '-' or '.')");
      def.hostname = *v;
    } else if (a == "--workdir") {
      if (v->empty() || (*v)[0] != '/')
        return usage_error("--workdir: expected an absolute path inside the container, got '" + *v +
                           "'");
      def.workdir = *v;
    } else if (a == "--init") {
      if (*v == "none")
        def.init = box::InitMode::kNone;
      else if (*v == "tiny")
        def.init = box::InitMode::kTiny;
      else
        return usage_error("--init: expected none or tiny, got '" + *v + "'");
    } else if (a == "--cap-add" || a == "--cap-drop") {
      if (*v == "ALL" || *v == "all") {
        if (a == "--cap-add")
          def.capabilities.add_all = true;
        else
          def.capabilities.drop.push_back("ALL");
        continue;
      }
      auto c = box::canonical_capability(*v);
      if (!c) return usage_error(a + ": " + c.error().message());
      (a == "--cap-add" ? def.capabilities.add : def.capabilities.drop).push_back(*c);
    } else if (a == "--seccomp") {
      if (*v == "default")
        def.seccomp = box::SeccompMode::kDefault;
      else if (*v == "unconfined")
        def.seccomp = box::SeccompMode::kUnconfined;
      else
        return usage_error("--seccomp: expected default or unconfined, got '" + *v + "'");
    } else if (a == "--share") {
      if (*v == "pid")
        def.namespaces.pid = false;
      else if (*v == "ipc")
        def.namespaces.ipc = false;
      else if (*v == "uts")
        def.namespaces.uts = false;
      else if (*v == "cgroup")
        def.namespaces.cgroup = false;
      else
        return usage_error("--share: expected pid, ipc, uts or cgroup, got '" + *v + "'");
    } else {
      return usage_error("unknown option '" + a + "'");
    }
  }
  if (overlay_driver_set && def.rootfs_writes != box::RootfsWrites::kOverlay)
    return usage_error("--overlay-driver: only with --writable (the rootfs is read-only)");
  // The definition's own rules, said with the options that set each key.
  if (auto broken = box::check_definition(def)) {
    static const std::pair<const char*, const char*> kOptionOf[] = {
        {"ports", "--publish"}, {"hostname", "--hostname"}, {"init", "--init"}};
    std::string option = box::key_name(broken->key);
    for (const auto& [key, opt] : kOptionOf)
      if (option == key) option = opt;
    return usage_error(option + ": " + broken->message + " (see --network and --share)");
  }
  if (i >= args.size()) return usage_error("'run' needs ROOTFS and a COMMAND");
  def.rootfs = args[i++];
  if (i < args.size() && args[i] == "--") ++i;
  if (i >= args.size()) return usage_error("'run' needs a COMMAND after ROOTFS");
  def.command.assign(args.begin() + static_cast<long>(i), args.end());
  if (def.rootfs.front() != '/') {
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) return usage_error("cannot resolve relative ROOTFS");
    def.rootfs = std::string(cwd) + "/" + def.rootfs;
  }
  auto dirs = box::user_dirs_from_environment();
  if (!dirs) {
    box::log_error(dirs.error().message());
    return box::kExitSetupFailed;
  }
  return finish(run_definition(def, *dirs, false, dry_run));
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
  // The supervisor keeps none of its caller's descriptors either: with
  // `pid: host` the container sees it, and a dumpable process of the same
  // user offers its descriptors in /proc/PID/fd.
  if (!box::close_fds_except(nullptr, 0)) {
    box::log_error("close inherited descriptors: " + std::string(std::strerror(errno)));
    return box::kExitSetupFailed;
  }
  if (cmd == "start") {
    const bool dry_run = !args.empty() && args[0] == "--dry-run";
    if (args.size() != (dry_run ? 2u : 1u)) return usage_error("'start' takes exactly one NAME");
    return cmd_start(args.back(), dry_run);
  }
  if (cmd == "run") return cmd_run(args);
  if (cmd == "validate") return cmd_validate(args);
  return usage_error("unknown command '" + cmd + "'");
}
