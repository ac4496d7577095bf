#include "core/plan/plan_text.h"

#include <sched.h>
#include <sys/capability.h>
#include <sys/mount.h>

#include <cstdio>

#include "core/model/app_id.h"
#include "core/model/schema.h"
#include "core/model/value_parsers.h"

namespace box {
namespace {

// The names --dry-run prints for each kind of mount step.
constexpr Choice<MountStep::Kind> kStepKinds[] = {
    {"proc", MountStep::Kind::kProc},        {"sysfs", MountStep::Kind::kSysfs},
    {"bind-sys", MountStep::Kind::kBindSys}, {"tmpfs", MountStep::Kind::kTmpfs},
    {"bind", MountStep::Kind::kBind},        {"bind-dev", MountStep::Kind::kBindDev},
    {"devpts", MountStep::Kind::kDevpts},    {"mqueue", MountStep::Kind::kMqueue},
    {"dir", MountStep::Kind::kDir},          {"symlink", MountStep::Kind::kSymlink},
    {"file", MountStep::Kind::kFile},        {"mask-file", MountStep::Kind::kMaskFile},
    {"mask-dir", MountStep::Kind::kMaskDir}, {"readonly", MountStep::Kind::kReadonly},
    {"cgroup2", MountStep::Kind::kCgroup2},  {"add-entry", MountStep::Kind::kAddEntry},
};

const char* kind_name(MountStep::Kind kind) {
  return choice_name<MountStep::Kind>(kStepKinds, kind);
}

std::string octal(unsigned value, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*o", width, value);
  return buf;
}

std::string mount_flags(unsigned long flags) {
  std::string out;
  auto add = [&](const std::string& word) { out += (out.empty() ? "" : ",") + word; };
  for (const auto& [flag, name] : {std::pair{MS_RDONLY, "ro"}, std::pair{MS_NOSUID, "nosuid"},
                                   std::pair{MS_NODEV, "nodev"}, std::pair{MS_NOEXEC, "noexec"}}) {
    if (flags & flag) add(name);
    flags &= ~static_cast<unsigned long>(flag);
  }
  if (flags) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%lx", flags);
    add(buf);
  }
  return out;
}

std::string id_maps(const std::vector<IdMapping>& maps) {
  std::string out;
  for (const auto& m : maps)
    out += (out.empty() ? "" : ", ") + std::to_string(m.inside) + " " + std::to_string(m.outside) +
           " " + std::to_string(m.count);
  return out;
}

std::string namespaces(int flags) {
  std::string out;
  for (const auto& [flag, name] :
       {std::pair{CLONE_NEWUSER, "user"}, std::pair{CLONE_NEWNS, "mount"},
        std::pair{CLONE_NEWPID, "pid"}, std::pair{CLONE_NEWIPC, "ipc"},
        std::pair{CLONE_NEWUTS, "uts"}, std::pair{CLONE_NEWCGROUP, "cgroup"},
        std::pair{CLONE_NEWNET, "net"}})
    if (flags & flag) out += (out.empty() ? "" : " ") + std::string(name);
  return out;
}

std::string capability_name(int cap) {
  char* name = cap_to_name(static_cast<cap_value_t>(cap));
  if (!name) return std::to_string(cap);
  std::string upper = name;
  cap_free(name);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

std::string port(const PortMapping& p) {
  return (p.host_ip.empty() ? "" : p.host_ip + ":") + std::to_string(p.host_port) + ":" +
         std::to_string(p.container_port) + "/" + p.protocol;
}

std::string or_none(const std::string& text) { return text.empty() ? "none" : plan_word(text); }

// Lines of "key: value" under a heading, for the two sections.
class Text {
 public:
  void line(const std::string& key, const std::string& value) {
    out_ += indent_ + key + ": " + value + "\n";
  }
  void item(const std::string& text) { out_ += indent_ + "  " + text + "\n"; }
  void heading(const std::string& key) { out_ += indent_ + key + ":\n"; }
  void section(const std::string& name) {
    out_ += name + ":\n";
    indent_ = "  ";
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  std::string indent_;
};

void format_facts(const RuntimeFacts& f, Text& t) {
  t.section("host");
  t.line("started as", f.service ? "service (box-run start)" : "box-run run");
  if (f.service) t.line("NOTIFY_SOCKET", or_none(f.service_notify_socket));
  t.line("XDG_RUNTIME_DIR", or_none(f.runtime_dir));
  t.line("box-run pid", std::to_string(f.box_run_pid));
  t.line("PATH", plan_word(f.path));
  t.line("newuidmap", plan_word(f.newuidmap));
  t.line("newgidmap", plan_word(f.newgidmap));
  t.line("fuse-overlayfs",
         f.fuse_overlayfs.empty() ? "not found (or not looked for)" : plan_word(f.fuse_overlayfs));
  t.line("overlay driver marker", f.overlay_marker ? plan_word(*f.overlay_marker) : "none");
  if (!f.network_helper_preference.empty())
    t.line("BOX_NETWORK_HELPER", plan_word(f.network_helper_preference));
  t.line("network helper", f.network_helper ? std::string(to_string(f.network_helper->kind)) + " " +
                                                  plan_word(f.network_helper->program)
                                            : "not found (or not looked for)");
  t.line("console pty", or_none(f.console_pty));
  if (!f.display.empty() || !f.xauthority.empty() || !f.xauth.empty()) {
    t.line("DISPLAY", or_none(f.display));
    t.line("Xauthority", or_none(f.xauthority));
    t.line("xauth", or_none(f.xauth));
  }
  if (!f.bus_proxy.empty() || !f.session_bus_address.empty()) {
    t.line("xdg-dbus-proxy", or_none(f.bus_proxy));
    t.line("session bus", or_none(f.session_bus_address));
    t.line("system bus", or_none(f.system_bus_address));
  }
  if (f.pod)
    t.line("pod", plan_word(f.pod->pod.name) + " (" + plan_word(f.pod->pod.source_path) + "), " +
                      (f.pod->running ? "holder pid " + std::to_string(f.pod->holder) +
                                            (f.pod->setgroups_allowed ? "" : ", setgroups denied")
                                      : std::string("not running")));
}

void format_plan(const RunPlan& p, Text& t) {
  t.section("plan");
  t.line("name", plan_word(p.name));
  // Identity.
  std::string user = std::to_string(p.uid) + ":" + std::to_string(p.gid);
  t.line("user", user);
  std::string groups;
  for (gid_t g : p.groups) groups += (groups.empty() ? "" : " ") + std::to_string(g);
  t.line("groups", groups.empty() ? "none" : groups);
  if (p.keep_groups) t.line("host groups", "kept (keep_groups: no setgroups)");
  t.line("uid map", id_maps(p.uid_map));
  t.line("gid map", id_maps(p.gid_map));
  t.line("id maps written by",
         p.use_id_helpers ? plan_word(p.newuidmap) + " " + plan_word(p.newgidmap) : "box-run");
  t.line("namespaces", namespaces(p.namespaces));
  if (!p.join.empty()) {
    t.heading("joins");
    for (const auto& j : p.join) t.item(namespaces(j.type) + " " + plan_word(j.path));
  }
  t.line("hostname", or_none(p.hostname));
  // Network.
  t.line("network", to_string(p.network));
  t.line("loopback", p.loopback_up ? "up" : "as is");
  if (p.network_helper)
    t.line("network helper", std::string(to_string(p.network_helper->kind)) + " " +
                                 plan_word(p.network_helper->program));
  if (!p.network_api_socket.empty()) t.line("network API socket", plan_word(p.network_api_socket));
  if (!p.buses.empty()) {
    t.line("bus proxy", plan_word(p.bus_proxy) + " in " + plan_word(p.bus_proxy_dir));
    for (const auto& b : p.buses) {
      std::string policy;
      for (const auto& a : b.policy) policy += " " + plan_word(a);
      t.line(b.bus + " bus", plan_word(b.inside) + " <- " + plan_word(b.socket) + " <- " +
                                 plan_word(b.address) + policy);
    }
  }
  if (!p.app_id.empty())
    t.line("app id", plan_word(p.app_id) + " (" + kAppInfoPath + " in the box" +
                         (p.buses.empty() ? "" : " and in the bus proxy's root") + ")");
  if (p.x11)
    t.line("x11 cookie", "of " + plan_word(p.x11->display) + " from " +
                             or_none(p.x11->source) + " by " + or_none(p.x11->xauth) +
                             " into " + plan_word(p.x11->file) + " (bound at " +
                             plan_word(p.x11->inside) + ")");
  std::string ports;
  for (const auto& pm : p.ports) ports += (ports.empty() ? "" : " ") + port(pm);
  t.line("ports", ports.empty() ? "none" : ports);
  // Filesystem.
  t.line("rootfs", plan_word(p.rootfs));
  t.line("rootfs writes", to_string(p.rootfs_writes));
  if (p.rootfs_writes == RootfsWrites::kOverlay || p.rootfs_writes == RootfsWrites::kPersistent) {
    t.line("overlay driver", to_string(p.overlay_driver));
    t.line("fuse-overlayfs", or_none(p.fuse_overlayfs));
  }
  if (!p.private_mount_points.empty()) {
    std::string points;
    for (const auto& m : p.private_mount_points) points += (points.empty() ? "" : " ") + plan_word(m);
    t.line("private mount points", points + " (the rootfs lacks them: an overlay on tmpfs, "
                                            "read-only after the mounts)");
  }
  if (!p.upper_dir.empty()) t.line("upper dir", plan_word(p.upper_dir));
  if (!p.work_dir.empty()) t.line("work dir", plan_word(p.work_dir));
  t.heading("mounts");
  for (const auto& m : p.mounts) t.item(format_mount_step(m));
  // Process.
  t.line("init", to_string(p.init));
  std::string argv;
  for (const auto& a : p.argv) argv += (argv.empty() ? "" : " ") + plan_word(a);
  t.line("command", argv);
  t.heading("exec candidates");
  for (const auto& c : p.exec_candidates) t.item(plan_word(c));
  t.line("workdir", plan_word(p.workdir));
  t.line("umask", octal(p.umask, 4));
  t.heading("env");
  for (const auto& e : p.env) t.item(plan_word(e));
  if (p.rlimits.empty()) t.line("rlimits", "as box-run's");
  if (!p.rlimits.empty()) t.heading("rlimits");
  for (const auto& r : p.rlimits)
    t.item(rlimit_name(r.resource) + " " + std::to_string(r.soft) + " " + std::to_string(r.hard));
  std::string caps;
  for (int c : p.capabilities) caps += (caps.empty() ? "" : " ") + capability_name(c);
  t.line("capabilities", caps.empty() ? "none" : caps);
  if (p.seccomp) {
    t.line("seccomp", std::string("default (user namespaces ") +
                          (p.seccomp->allow_user_namespaces ? "allowed" : "denied") + ", ptrace " +
                          (p.seccomp->deny_ptrace ? "denied" : "allowed") + ")");
  } else {
    t.line("seccomp", "unconfined");
  }
  t.line("stop signal", signal_name(p.stop_signal));
  // Around the container.
  t.line("tell the service manager", or_none(p.service_notify_socket));
  t.line("notify socket", p.notify_socket.empty() ? "none"
                                                  : plan_word(p.notify_socket) + " <- " +
                                                        plan_word(p.notify_socket_host));
  t.line("console", p.console_terminal ? "the command's terminal, relayed" : p.console ? "relayed" : "none");
  t.line("cgroup", !p.own_cgroup       ? "box-run's"
                   : p.cgroup_required ? "its own (required)"
                                       : "its own, where box-run's cgroup allows");
}

}  // namespace

std::string plan_word(const std::string& text) {
  bool bare = !text.empty();
  for (unsigned char c : text)
    if (!std::isalnum(c) &&
        std::string_view("_@%+=:,./-").find(static_cast<char>(c)) == std::string_view::npos)
      bare = false;
  if (bare) return text;
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string format_mount_step(const MountStep& m) {
  using K = MountStep::Kind;
  std::string out = std::string(kind_name(m.kind)) + " " + plan_word(m.target);
  switch (m.kind) {
    case K::kBind:
    case K::kBindSys:
    case K::kBindDev:
      out += " <- " + plan_word(m.source);
      break;
    case K::kSymlink:
      out += " -> " + plan_word(m.source);
      break;
    case K::kFile:
      out += " = " + plan_word(m.source);
      break;
    case K::kAddEntry:
      out += " + " + plan_word(m.source);
      break;
    default:
      break;
  }
  if (!m.options.empty()) out += " " + plan_word(m.options);
  if (m.flags) out += " " + mount_flags(m.flags);
  if (m.mode) out += " mode=" + octal(m.mode, 4);
  if (m.optional) out += " optional";
  if (m.optional_target) out += " optional-target";
  return out;
}

std::string format_run_plan(const RunPlan& plan, const RuntimeFacts& facts) {
  Text t;
  format_facts(facts, t);
  format_plan(plan, t);
  return t.take();
}

}  // namespace box
