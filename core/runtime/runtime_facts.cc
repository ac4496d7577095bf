#include "core/runtime/runtime_facts.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "core/plan/session_plan.h"
#include "core/plan/bus_proxy_plan.h"
#include "core/plan/mount_points.h"
#include "core/runtime/fuse_overlay.h"
#include "core/runtime/host_refusals.h"
#include "core/runtime/network.h"
#include "core/sys/find_program.h"
#include "core/sys/subid.h"

namespace box {
namespace {

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// Which of `targets` the rootfs lacks, each resolved as the container will
// (symlinks inside the root: /var/run -> ../run). Only an absent path
// counts; what cannot be looked at is left for the start to report.
std::vector<std::string> missing_in_rootfs(const std::string& rootfs,
                                           const std::vector<std::string>& targets) {
  std::vector<std::string> missing;
  int root = ::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return missing;
  for (const auto& t : targets) {
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    int fd = static_cast<int>(::syscall(SYS_openat2, root, t.c_str(), &how, sizeof how));
    if (fd >= 0)
      ::close(fd);
    else if (errno == ENOENT)
      missing.push_back(t);
  }
  ::close(root);
  return missing;
}

}  // namespace

HostIdentity read_host_identity(const UserDirs& dirs) {
  HostIdentity host;
  host.uid = ::getuid();
  host.gid = ::getgid();
  host.data_home = dirs.data_home;
  if (struct passwd* pw = ::getpwuid(host.uid)) {
    host.user_name = pw->pw_name;
    host.user_gecos = pw->pw_gecos ? pw->pw_gecos : "";
    host.home = pw->pw_dir ? pw->pw_dir : "";
  }
  if (host.home.empty()) host.home = dirs.home;
  if (struct group* gr = ::getgrgid(host.gid)) host.group_name = gr->gr_name;
  // As newuidmap will check them. A source that cannot be asked leaves
  // none: `userns: auto` then says that there is no range.
  const std::string owner = host.user_name.empty() ? std::to_string(host.uid) : host.user_name;
  if (auto r = user_subid_ranges(SubidKind::kUid, owner, host.uid)) host.subuids = std::move(*r);
  if (auto r = user_subid_ranges(SubidKind::kGid, owner, host.uid)) host.subgids = std::move(*r);
  // A fresh id per start, for container_uuid (systemd's container interface).
  unsigned char id[16];
  if (::getrandom(id, sizeof id, 0) == sizeof id) {
    static const char hex[] = "0123456789abcdef";
    for (unsigned char b : id) {
      host.instance_id += hex[b >> 4];
      host.instance_id += hex[b & 15];
    }
  }
  return host;
}

Result<RuntimeFacts> gather_runtime_facts(const RuntimeQuery& query,
                                          const std::string& runtime_dir) {
  RuntimeFacts facts;
  facts.service = query.service;
  if (query.service) facts.service_notify_socket = environment("NOTIFY_SOCKET");
  facts.runtime_dir = runtime_dir;
  facts.box_run_pid = ::getpid();
  facts.path = environment("PATH");
  if (facts.path.empty()) facts.path = kFallbackHostPath;
  // Before anything is created: the network helper, then the overlay's.
  if (query.network_helper) {
    facts.network_helper_preference = environment("BOX_NETWORK_HELPER");
    auto found = find_network_helper(facts.network_helper_preference, facts.path);
    if (!found) return found.error();
    facts.network_helper = *found;
  }
  if (!query.overlay_marker_dir.empty()) {
    auto marker = read_overlay_marker(query.overlay_marker_dir);
    if (!marker) return marker.error();
    facts.overlay_marker = *marker;
  }
  if (query.fuse_overlayfs) facts.fuse_overlayfs = find_program("fuse-overlayfs", facts.path);
  if (query.wayland_display) facts.wayland_display = environment("WAYLAND_DISPLAY");
  if (query.x11) {
    facts.display = environment("DISPLAY");
    // libXau's XauFileName(): $XAUTHORITY, else $HOME/.Xauthority.
    facts.xauthority = environment("XAUTHORITY");
    if (facts.xauthority.empty() && !environment("HOME").empty())
      facts.xauthority = environment("HOME") + "/.Xauthority";
    facts.xauth = find_program("xauth", facts.path);
  }
  if (query.bus_proxy) {
    facts.bus_proxy = find_program("xdg-dbus-proxy", facts.path);
    facts.session_bus_address = environment("DBUS_SESSION_BUS_ADDRESS");
    if (facts.session_bus_address.empty() && !runtime_dir.empty())
      facts.session_bus_address = "unix:path=" + runtime_dir + "/bus";
    facts.system_bus_address = environment("DBUS_SYSTEM_BUS_ADDRESS");
    if (facts.system_bus_address.empty())
      facts.system_bus_address = std::string("unix:path=") + kSystemBusSocket;
  }
  return facts;
}

Result<PreparedRun> prepare_run(const Definition& def, const UserDirs& dirs, bool service,
                                PodLookup pod_lookup) {
  // Before anything is looked up or created, with the file:line of the key.
  if (auto refused = host_refusals(def); !refused.empty()) {
    std::string message = refused.front();
    if (refused.size() > 1)
      message += " (and " + std::to_string(refused.size() - 1) + " more" +
                 (def.source_path.empty() ? "" : ": 'boxctl validate " + def.name + "' lists them") +
                 ")";
    return Error(message);
  }
  const HostIdentity host = read_host_identity(dirs);
  const RuntimeQuery query = runtime_query(def, host.data_home, service);
  auto facts = gather_runtime_facts(query, dirs.runtime_dir);
  if (!facts) return facts.error();
  PreparedRun run;
  run.facts = std::move(*facts);
  if (!query.pod.empty()) {
    // The pod's file, then the pod running: each error at the box's `pod:`.
    auto at = def.key_locations.count(Key::kPod) ? def.key_locations.at(Key::kPod) + ": 'pod': "
                                                  : std::string();
    auto pod = load_pod(pod_search_dirs(dirs), query.pod);
    if (!pod) return Error(at + pod.error().message());
    auto joined = find_running_pod(*pod, def.name, dirs.runtime_dir, pod_lookup);
    if (!joined) return Error(at + joined.error().message());
    run.facts.pod = std::move(joined->facts);
    run.pod_namespaces = std::move(joined->namespaces);
  }
  if (query.console) {
    auto console = ConsolePty::open(query.terminal);
    if (!console) return console.error();
    run.facts.console_pty = console->slave_path();
    run.console = std::move(*console);
  }
  auto plan = make_run_plan(def, host, run.facts);
  if (!plan) return plan.error();
  // A missing socket would fail the bind deep in the start with a bare
  // ENOENT; said here, before anything is made, with what to do.
  for (const auto& socket : plan->session_sockets) {
    struct stat st {};
    if (::stat(socket.path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode))
      return Error(session_socket_missing(socket, run.facts));
  }
  run.plan = std::move(*plan);
  // A read-only rootfs without the mount points the plan needs: looked at
  // here (the start would fail at the first), provided in a private layer.
  const auto points = rootfs_mount_points(run.plan);
  if (!points.empty()) {
    provide_mount_points(run.plan, missing_in_rootfs(run.plan.rootfs, points));
    if (!run.plan.private_mount_points.empty() && run.plan.fuse_overlayfs.empty() &&
        run.plan.overlay_driver != OverlayDriver::kKernel)
      run.plan.fuse_overlayfs = find_program("fuse-overlayfs", run.facts.path);
  }
  return run;
}

}  // namespace box
