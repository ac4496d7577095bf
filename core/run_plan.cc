#include "run_plan.h"

#include <linux/capability.h>
#include <sched.h>
#include <sys/mount.h>

namespace box {
namespace {

// Namespaces every container gets. The network namespace is shared for now
// (`network: host`); the core issue adds the choice.
constexpr int kDefaultNamespaces =
    CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;

// The capability set container runtimes grant by default (podman, docker):
// enough for a root process to manage files and drop to other users, nothing
// that reaches the kernel's wider state. All are relative to the user
// namespace, never the host.
const std::vector<int> kDefaultCapabilities = {
    CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID,           CAP_KILL,
    CAP_SETGID, CAP_SETUID,       CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
    CAP_SETFCAP};

std::vector<MountStep> minimal_filesystem() {
  using K = MountStep::Kind;
  std::vector<MountStep> m;
  m.push_back({K::kProc, "/proc", "", "", MS_NOSUID | MS_NODEV | MS_NOEXEC});
  m.push_back({K::kTmpfs, "/dev", "", "mode=755,size=64k", MS_NOSUID | MS_NOEXEC});
  for (const char* dev : {"null", "zero", "full", "random", "urandom", "tty"}) {
    std::string path = std::string("/dev/") + dev;
    m.push_back({K::kBindDev, path, path, "", 0});
  }
  m.push_back({K::kDir, "/dev/pts", "", "", 0});
  // gid= is left out: the host's tty group is not mapped in the namespace.
  m.push_back({K::kDevpts, "/dev/pts", "", "newinstance,ptmxmode=0666,mode=620",
               MS_NOSUID | MS_NOEXEC});
  m.push_back({K::kSymlink, "/dev/ptmx", "pts/ptmx", "", 0});
  m.push_back({K::kDir, "/dev/shm", "", "", 0});
  m.push_back({K::kTmpfs, "/dev/shm", "", "mode=1777", MS_NOSUID | MS_NODEV});
  m.push_back({K::kDir, "/dev/mqueue", "", "", 0});
  m.push_back({K::kMqueue, "/dev/mqueue", "", "", MS_NOSUID | MS_NODEV | MS_NOEXEC});
  m.push_back({K::kSymlink, "/dev/fd", "/proc/self/fd", "", 0});
  m.push_back({K::kSymlink, "/dev/stdin", "/proc/self/fd/0", "", 0});
  m.push_back({K::kSymlink, "/dev/stdout", "/proc/self/fd/1", "", 0});
  m.push_back({K::kSymlink, "/dev/stderr", "/proc/self/fd/2", "", 0});
  return m;
}

std::vector<std::string> exec_candidates(const std::string& program, const std::string& path) {
  if (program.find('/') != std::string::npos) return {program};
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    // An empty entry means the working directory, a classic hijack: skip it.
    if (!dir.empty() && dir.front() == '/') out.push_back(dir + "/" + program);
    start = end + 1;
  }
  return out;
}

RunPlan base_plan(const std::string& rootfs, const std::vector<std::string>& argv,
                  const HostIdentity& host) {
  RunPlan p;
  p.rootfs = rootfs;
  p.namespaces = kDefaultNamespaces;
  // One id mapped: root inside is the user outside. Written by the container
  // itself, no setuid helper needed (the subuid range comes with `userns:`).
  p.uid_map = {0, static_cast<unsigned>(host.uid), 1};
  p.gid_map = {0, static_cast<unsigned>(host.gid), 1};
  p.mounts = minimal_filesystem();
  p.argv = argv;
  p.capabilities = kDefaultCapabilities;
  return p;
}

void finish_env(RunPlan& p, const std::vector<std::pair<std::string, std::string>>& env) {
  // The environment starts empty: nothing of the host's leaks in unless the
  // definition says so. `container` follows systemd's container interface.
  std::string path = kDefaultPath;
  bool have_home = false;
  p.env = {"container=box"};
  for (const auto& [k, v] : env) {
    if (k == "PATH") path = v;
    if (k == "HOME") have_home = true;
  }
  p.env.push_back("PATH=" + path);
  if (!have_home) p.env.push_back("HOME=/root");
  if (!p.hostname.empty()) p.env.push_back("HOSTNAME=" + p.hostname);
  for (const auto& [k, v] : env) {
    if (k == "PATH" || k == "container") continue;
    p.env.push_back(k + "=" + v);
  }
  p.exec_candidates = exec_candidates(p.argv.front(), path);
}

}  // namespace

RunPlan plan_from_definition(const Definition& def, const HostIdentity& host) {
  RunPlan p = base_plan(def.rootfs, def.command, host);
  p.name = def.name;
  p.hostname = def.name;
  finish_env(p, def.env);
  return p;
}

RunPlan plan_for_command(const std::string& rootfs, const std::vector<std::string>& argv,
                         const HostIdentity& host) {
  RunPlan p = base_plan(rootfs, argv, host);
  p.name = "run";
  p.hostname = "box";
  finish_env(p, {});
  return p;
}

}  // namespace box
