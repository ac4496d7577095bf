#include "boxctl/doctor.h"

#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <sdbus-c++/sdbus-c++.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "bus/systemd_client.h"
#include "core/runtime/network.h"
#include "core/sys/cgroup.h"
#include "core/sys/find_program.h"
#include "core/sys/small_file.h"
#include "core/sys/spawn.h"
#include "core/sys/subid.h"
#include "core/sys/text_fields.h"
#include "core/sys/unique_fd.h"

namespace box::manager {
namespace {

// Doctor says what it could not read as missing.
std::optional<std::string> read_text(const std::string& path) {
  auto text = read_small_file(path);
  if (!text) return std::nullopt;
  return std::move(*text);
}

std::optional<long> read_number(const std::string& path) {
  auto t = read_text(path);
  if (!t) return std::nullopt;
  char* end = nullptr;
  long v = std::strtol(t->c_str(), &end, 10);
  if (end == t->c_str()) return std::nullopt;
  return v;
}

// Where doctor looks: $PATH (or the default one) and the sbin directories.
std::optional<std::string> in_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  const std::string dirs =
      std::string(path && *path ? path : "/usr/local/bin:/usr/bin:/bin") + ":/usr/sbin:/sbin";
  std::string found = find_program(program, dirs);
  if (found.empty()) return std::nullopt;
  return found;
}

// Runs `steps` in a child process (it may unshare namespaces freely);
// returns "" on success or the failed step's message.
template <typename F>
std::string probe(F steps) {
  SpawnSpec spec;
  spec.stdin_fd = SpawnSpec::kInherit;
  auto child = spawn_function(spec, [&steps](int report) {
    if (const char* failed = steps()) report_child_failure(report, 1, failed, errno);
    return 0;
  });
  if (!child) return child.error().message();
  auto failure = read_child_report(child->report.get());
  const int status = wait_exit_code(child->pid);
  if (failure) return failure->error.message();
  return status == 0 ? "" : "the probe process died";
}

bool write_proc(const char* path, const char* text) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text, std::strlen(text)) == static_cast<ssize_t>(std::strlen(text));
  ::close(fd);
  return ok;
}

// A user namespace mapping root to us, as box-run's `single` mode does.
const char* enter_user_namespace(uid_t uid, gid_t gid, int extra_flags) {
  if (::unshare(CLONE_NEWUSER | extra_flags) != 0) return "unshare";
  char map[64];
  if (!write_proc("/proc/self/setgroups", "deny")) return "write setgroups";
  std::snprintf(map, sizeof map, "0 %u 1", uid);
  if (!write_proc("/proc/self/uid_map", map)) return "write uid_map";
  std::snprintf(map, sizeof map, "0 %u 1", gid);
  if (!write_proc("/proc/self/gid_map", map)) return "write gid_map";
  return nullptr;
}

std::string probe_overlay() {
  const uid_t uid = ::getuid();
  const gid_t gid = ::getgid();
  return probe([uid, gid]() -> const char* {
    if (const char* failed = enter_user_namespace(uid, gid, CLONE_NEWNS)) return failed;
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      return "make mounts private";
    // A tmpfs of our own over /tmp, in our mount namespace only.
    if (::mount("tmpfs", "/tmp", "tmpfs", 0, "size=64k") != 0) return "mount tmpfs";
    for (const char* d : {"/tmp/l", "/tmp/u", "/tmp/w", "/tmp/m"})
      if (::mkdir(d, 0755) != 0) return "mkdir";
    if (::mount("overlay", "/tmp/m", "overlay", 0,
                "lowerdir=/tmp/l,upperdir=/tmp/u,workdir=/tmp/w") != 0)
      return "mount overlay";
    return nullptr;
  });
}

// fuse-overlayfs's containers open /dev/fuse as us (in their user
// namespace, where the host's file modes still apply).
std::string probe_dev_fuse() {
  int fd = ::open("/dev/fuse", O_RDWR | O_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    return "";
  }
  const int err = errno;
  std::string message = std::string("cannot open /dev/fuse: ") + std::strerror(err);
  struct stat st {};
  if (::stat("/dev/fuse", &st) == 0) {
    char mode[16];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    message += std::string(" (mode ") + mode + ")";
  }
  return message;
}

bool has_setuid_power(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  if ((st.st_mode & S_ISUID) && st.st_uid == 0) return true;
  // Or file capabilities (cap_setuid+ep), as some distributions ship them.
  return ::getxattr(path.c_str(), "security.capability", nullptr, 0) > 0;
}

struct Bus {
  std::unique_ptr<sdbus::IConnection> connection;
  std::string error;
};

CheckResult check_runtime_dir() {
  CheckResult r{"runtime directory", CheckLevel::kOk, "", ""};
  const char* dir = std::getenv("XDG_RUNTIME_DIR");
  struct stat st {};
  if (!dir || !*dir) {
    r.level = CheckLevel::kFail;
    r.detail = "XDG_RUNTIME_DIR is not set: this is not a login session";
    r.fix = "log in as the user (ssh, a desktop, 'machinectl shell USER@'), not with su or sudo";
  } else if (::stat(dir, &st) != 0 || st.st_uid != ::getuid() || (st.st_mode & 077) != 0) {
    r.level = CheckLevel::kFail;
    r.detail = std::string(dir) + " is missing, not yours, or readable by others";
    r.fix = "log in through PAM so that systemd-logind creates it (mode 0700)";
  } else {
    r.detail = dir;
  }
  return r;
}

}  // namespace

const char* to_string(CheckLevel level) {
  switch (level) {
    case CheckLevel::kOk: return "ok";
    case CheckLevel::kWarn: return "warn";
    case CheckLevel::kFail: return "fail";
  }
  return "?";
}

CheckResult check_subids(const std::string& file, const std::optional<std::string>& text,
                         const std::string& user, uid_t uid) {
  CheckResult r{"subordinate ids (" + file + ")", CheckLevel::kOk, "", ""};
  const bool uids = file.find("subuid") != std::string::npos;
  const std::string fix = std::string("sudo usermod --add-") + (uids ? "subuids" : "subgids") +
                          " 100000-165535 " + user +
                          "  (pick a range no other user has in " + file + ")";
  if (!text) {
    r.level = CheckLevel::kWarn;
    r.detail = "cannot read " + file +
               ": containers get a single id (root inside = you outside); 'userns: auto' "
               "needs a range";
    r.fix = fix;
    return r;
  }
  const uint64_t total = subid_total(find_subid_ranges(*text, user, uid));
  if (total == 0) {
    r.level = CheckLevel::kWarn;
    r.detail = "no range for '" + user +
               "': containers get a single id (root inside = you outside)";
    r.fix = fix;
  } else if (total < 65536) {
    r.level = CheckLevel::kWarn;
    r.detail = std::to_string(total) +
               " ids for '" + user + "': fewer than the 65536 most images expect";
    r.fix = fix;
  } else {
    r.detail = std::to_string(total) + " ids for '" + user + "'";
  }
  return r;
}

CheckResult check_user_namespaces(std::optional<long> max_user_namespaces,
                                  std::optional<long> unprivileged_userns_clone,
                                  std::optional<long> apparmor_restrict, bool probe_ok,
                                  const std::string& probe_error) {
  CheckResult r{"user namespaces", CheckLevel::kOk, "unprivileged user namespaces work", ""};
  if (probe_ok) return r;
  r.level = CheckLevel::kFail;
  if (max_user_namespaces && *max_user_namespaces == 0) {
    r.detail = "user.max_user_namespaces is 0";
    r.fix = "sudo sysctl -w user.max_user_namespaces=15000 (and set it in /etc/sysctl.d/)";
  } else if (unprivileged_userns_clone && *unprivileged_userns_clone == 0) {
    r.detail = "kernel.unprivileged_userns_clone is 0";
    r.fix = "sudo sysctl -w kernel.unprivileged_userns_clone=1 (and set it in /etc/sysctl.d/)";
  } else if (apparmor_restrict && *apparmor_restrict != 0) {
    r.detail = "AppArmor restricts unprivileged user namespaces";
    r.fix = "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or give box-run an "
            "AppArmor profile that allows 'userns'";
  } else {
    r.detail = "creating one failed: " + probe_error;
    r.fix = "check the kernel configuration (CONFIG_USER_NS) and any security module";
  }
  return r;
}

CheckResult check_cgroups(const std::string& layout, const std::string& manager_cgroup,
                          bool writable, const std::vector<std::string>& controllers) {
  CheckResult r{"cgroup delegation", CheckLevel::kOk, "", ""};
  if (layout == "none") {
    r.level = CheckLevel::kFail;
    r.detail = "no cgroup2 hierarchy is mounted";
    r.fix = "boot with systemd.unified_cgroup_hierarchy=1";
    return r;
  }
  if (manager_cgroup.empty()) {
    r.level = CheckLevel::kFail;
    r.detail = "the user manager's cgroup is unknown (no user manager)";
    r.fix = "start a user manager: 'loginctl enable-linger $USER'";
    return r;
  }
  if (!writable) {
    r.level = CheckLevel::kFail;
    r.detail = "the user manager's cgroup " + manager_cgroup + " is not delegated to you";
    r.fix = "start the user manager through systemd-logind (user@UID.service delegates its cgroup)";
    return r;
  }
  if (layout == "hybrid") {
    r.level = CheckLevel::kWarn;
    r.detail = "cgroup v1/v2 hybrid: " + manager_cgroup +
               " is delegated, but memory, pids and cpu limits cannot be enforced";
    r.fix = "boot with systemd.unified_cgroup_hierarchy=1 for resource limits";
    return r;
  }
  std::vector<std::string> missing;
  for (const char* c : {"memory", "pids", "cpu"})
    if (std::find(controllers.begin(), controllers.end(), c) == controllers.end())
      missing.push_back(c);
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : " ") + m;
    r.level = CheckLevel::kWarn;
    r.detail = "controllers not delegated to the user manager: " + list +
               " (their resource limits are not enforced)";
    r.fix = "sudo mkdir -p /etc/systemd/system/user@.service.d && printf "
            "'[Service]\\nDelegate=cpu cpuset io memory pids\\n' | sudo tee "
            "/etc/systemd/system/user@.service.d/delegate.conf && sudo systemctl daemon-reload, "
            "then log in again";
    return r;
  }
  r.detail = manager_cgroup + " (memory pids cpu)";
  return r;
}

std::vector<CheckResult> check_overlay(const std::string& kernel_error,
                                       const std::optional<std::string>& fuse_overlayfs,
                                       const std::string& dev_fuse_error) {
  const bool kernel_ok = kernel_error.empty();
  const bool fuse_ok = fuse_overlayfs && dev_fuse_error.empty();
  std::string fuse_fix;
  if (!fuse_overlayfs) fuse_fix = "sudo apt install fuse-overlayfs";
  if (!dev_fuse_error.empty())
    fuse_fix += std::string(fuse_fix.empty() ? "" : "; ") +
                "sudo chmod 0666 /dev/fuse (the mode Debian's udev rules give it; without udev, "
                "set it at every boot), or 'sudo modprobe fuse' when it is missing";
  std::vector<CheckResult> out;
  if (kernel_ok)
    out.push_back({"overlayfs in a user namespace", CheckLevel::kOk, "works", ""});
  else if (fuse_ok)
    out.push_back({"overlayfs in a user namespace", CheckLevel::kWarn,
                   "the kernel refuses (" + kernel_error +
                       "): fuse-overlayfs serves 'rootfs_writes: overlay' instead (slower)",
                   "a kernel >= 5.11 mounts overlayfs in user namespaces itself"});
  else
    out.push_back({"overlayfs in a user namespace", CheckLevel::kFail,
                   "the kernel refuses (" + kernel_error +
                       ") and fuse-overlayfs cannot run: 'rootfs_writes: overlay' fails",
                   fuse_fix + " (or use a kernel >= 5.11)"});
  if (fuse_ok) {
    out.push_back({"fuse-overlayfs", CheckLevel::kOk, *fuse_overlayfs + ", /dev/fuse usable", ""});
    return out;
  }
  std::string missing;
  if (!fuse_overlayfs) missing = "not installed";
  if (!dev_fuse_error.empty()) missing += (missing.empty() ? "" : "; ") + dev_fuse_error;
  out.push_back({"fuse-overlayfs", kernel_ok ? CheckLevel::kWarn : CheckLevel::kFail,
                 missing + (kernel_ok ? ": needed only for 'overlay_driver: fuse' and where the "
                                        "kernel refuses overlayfs"
                                      : ""),
                 fuse_fix});
  return out;
}

CheckResult check_private_network(const std::optional<std::string>& helper,
                                  const std::string& tun_error, int tun_errno) {
  CheckResult r{"private network", CheckLevel::kOk, "", ""};
  if (!helper) {
    r.level = CheckLevel::kWarn;
    r.detail = "neither pasta nor slirp4netns is installed: 'network: private' fails";
    r.fix = "sudo apt install passt";
  }
  if (!tun_error.empty()) {
    r.level = CheckLevel::kWarn;
    r.detail = (helper ? *helper + ", but " : r.detail + "; and ") + tun_error;
    const std::string tun_fix =
        tun_errno == ENOENT || tun_errno == ENODEV || tun_errno == ENXIO
            ? "sudo modprobe tun (and list it in /etc/modules-load.d/ to load it at boot)"
            : "sudo chmod 0666 /dev/net/tun (the mode Debian's udev rules give it; without "
              "udev, set it at every boot)";
    r.fix += (r.fix.empty() ? "" : "; ") + tun_fix;
    return r;
  }
  if (helper) r.detail = *helper + ", /dev/net/tun usable";
  return r;
}

std::vector<CheckResult> run_doctor() {
  std::vector<CheckResult> out;
  const uid_t uid = ::getuid();
  std::string user = std::to_string(uid);
  if (passwd* pw = ::getpwuid(uid)) user = pw->pw_name;

  out.push_back(check_runtime_dir());

  // Session bus and user manager.
  Bus bus;
  try {
    bus.connection = sdbus::createSessionBusConnection();
  } catch (const sdbus::Error& e) {
    bus.error = e.getMessage();
  }
  if (bus.connection) {
    const char* address = std::getenv("DBUS_SESSION_BUS_ADDRESS");
    out.push_back({"session bus", CheckLevel::kOk,
                   address && *address ? address : "$XDG_RUNTIME_DIR/bus", ""});
  } else {
    out.push_back({"session bus", CheckLevel::kFail, "cannot connect: " + bus.error,
                   "install dbus-user-session and log in again (or 'loginctl enable-linger $USER')"});
  }

  std::string manager_cgroup;
  if (bus.connection) {
    try {
      SystemdClient systemd(*bus.connection);
      const ManagerFacts facts = systemd.manager_facts();
      manager_cgroup = facts.control_group;
      const std::string& s = facts.system_state;
      out.push_back({"user manager",
                     s == "running" || s == "degraded" ? CheckLevel::kOk : CheckLevel::kWarn,
                     "systemd " + facts.version + " --user, " + s,
                     s == "running" || s == "degraded"
                         ? ""
                         : "wait for it to finish starting; see 'systemctl --user status'"});
      // box's own units, where this user manager looks for them.
      try {
        out.push_back({"box units", CheckLevel::kOk,
                       "box@.service is " + systemd.unit_file_state("box@.service"), ""});
      } catch (const sdbus::Error& e) {
        out.push_back({"box units", CheckLevel::kFail,
                       "the user manager does not know box@.service: " + e.getMessage(),
                       "install box into a prefix whose lib/systemd/user the user manager "
                       "searches (/usr, /usr/local, ~/.local/share/systemd/user), then "
                       "'systemctl --user daemon-reload'"});
      }
    } catch (const sdbus::Error& e) {
      out.push_back({"user manager", CheckLevel::kFail,
                     "systemd --user is not on the session bus: " + e.getMessage(),
                     "log in through a PAM session, or 'loginctl enable-linger " + user + "'"});
    }
    try {
      auto dbus = sdbus::createProxy(*bus.connection, "org.freedesktop.DBus",
                                     "/org/freedesktop/DBus");
      std::vector<std::string> names;
      dbus->callMethod("ListActivatableNames").onInterface("org.freedesktop.DBus")
          .storeResultsTo(names);
      if (std::find(names.begin(), names.end(), "dev.boxctl.box1") != names.end())
        out.push_back({"box-manager activation", CheckLevel::kOk,
                       "dev.boxctl.box1 is activatable", ""});
      else
        out.push_back({"box-manager activation", CheckLevel::kFail,
                       "the session bus cannot start dev.boxctl.box1",
                       "install share/dbus-1/services/dev.boxctl.box1.service into a directory "
                       "of $XDG_DATA_DIRS, then 'systemctl --user reload dbus' or log in again"});
    } catch (const sdbus::Error&) {
    }
  } else {
    out.push_back({"user manager", CheckLevel::kFail, "unknown: no session bus",
                   "'loginctl enable-linger " + user + "' starts one (and its bus)"});
  }

  // User namespaces.
  const gid_t gid = ::getgid();
  std::string userns_error = probe([uid, gid]() { return enter_user_namespace(uid, gid, 0); });
  out.push_back(check_user_namespaces(read_number("/proc/sys/user/max_user_namespaces"),
                                      read_number("/proc/sys/kernel/unprivileged_userns_clone"),
                                      read_number(
                                          "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"),
                                      userns_error.empty(), userns_error));

  // Subordinate ids and the helpers that map them.
  out.push_back(check_subids("/etc/subuid", read_text("/etc/subuid"), user, uid));
  out.push_back(check_subids("/etc/subgid", read_text("/etc/subgid"), user, uid));
  for (const char* helper : {"newuidmap", "newgidmap"}) {
    auto path = in_path(helper);
    if (!path)
      out.push_back({helper, CheckLevel::kWarn, "not installed: id ranges cannot be mapped",
                     "sudo apt install uidmap"});
    else if (!has_setuid_power(*path))
      out.push_back({helper, CheckLevel::kWarn, *path + " is neither setuid root nor has file "
                     "capabilities", "sudo apt install --reinstall uidmap"});
    else
      out.push_back({helper, CheckLevel::kOk, *path, ""});
  }

  // cgroups.
  const std::string root = detect_cgroup_layout().unified_mount;
  const std::string layout = root.empty()                ? "none"
                             : root == "/sys/fs/cgroup" ? "unified"
                                                        : "hybrid";
  bool writable = false;
  std::vector<std::string> controllers;
  if (!root.empty() && !manager_cgroup.empty()) {
    const std::string dir = root + manager_cgroup;
    writable = ::access(dir.c_str(), W_OK) == 0;
    if (auto text = read_text(dir + "/cgroup.controllers"))
      for (auto c : split_nonempty(*text, " \t\n")) controllers.emplace_back(c);
  }
  out.push_back(check_cgroups(layout, manager_cgroup, writable, controllers));

  // overlayfs, the default for rootfs_writes, and its fallback.
  for (auto& c : check_overlay(probe_overlay(), in_path("fuse-overlayfs"), probe_dev_fuse()))
    out.push_back(std::move(c));

  // Private networking: the helper box-run would choose, and the device
  // it opens as us (box-run's own check, core/runtime/network.h).
  std::optional<std::string> helper;
  if (auto pasta = in_path("pasta"))
    helper = "pasta: " + *pasta;
  else if (auto slirp = in_path("slirp4netns"))
    helper = "slirp4netns: " + *slirp;
  auto tun = check_tun_device();
  out.push_back(check_private_network(helper, tun ? "" : tun.error().message(),
                                      tun ? 0 : tun.error().errno_value()));
  return out;
}

}  // namespace box::manager
