#include "core/runtime/runtime_facts.h"

#include <pwd.h>
#include <sys/random.h>
#include <unistd.h>

#include <cstdlib>

#include "core/runtime/fuse_overlay.h"
#include "core/runtime/network.h"
#include "core/sys/find_program.h"
#include "core/sys/subid.h"

namespace box {
namespace {

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

HostIdentity read_host_identity(const UserDirs& dirs) {
  HostIdentity host;
  host.uid = ::getuid();
  host.gid = ::getgid();
  host.data_home = dirs.data_home;
  std::string user;
  if (struct passwd* pw = ::getpwuid(host.uid)) user = pw->pw_name;
  host.subuid = subid_range_in("/etc/subuid", user, host.uid);
  host.subgid = subid_range_in("/etc/subgid", user, host.gid);
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
  return facts;
}

Result<PreparedRun> prepare_run(const Definition& def, const UserDirs& dirs, bool service) {
  const HostIdentity host = read_host_identity(dirs);
  const RuntimeQuery query = runtime_query(def, host.data_home, service);
  auto facts = gather_runtime_facts(query, dirs.runtime_dir);
  if (!facts) return facts.error();
  PreparedRun run;
  run.facts = std::move(*facts);
  if (query.console) {
    auto console = ConsolePty::open();
    if (!console) return console.error();
    run.facts.console_pty = console->slave_path();
    run.console = std::move(*console);
  }
  auto plan = make_run_plan(def, host, run.facts);
  if (!plan) return plan.error();
  run.plan = std::move(*plan);
  return run;
}

}  // namespace box
