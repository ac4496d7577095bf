// Private networking, the half that touches the system: find the user-mode
// network helper (pasta, else slirp4netns) for the plan's facts, start the
// one the plan names attached to a new container's network namespace, wait
// until the namespace is configured and its ports are published, and stop
// it when the container ends. The command lines come from network_plan.*.
//
// The helper's lifetime is the container's: the supervisor stops it after the
// container's PID 1 has exited, it gets SIGKILL if the supervisor dies
// (parent-death signal; slirp4netns also quits on EOF of its exit pipe), and
// it runs in the supervisor's cgroup, which systemd kills when the unit stops.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/model/definition.h"
#include "core/plan/network_plan.h"
#include "core/sys/child_wait.h"
#include "core/sys/result.h"
#include "core/sys/unique_fd.h"

namespace box {

// The helper to use, looked up before any namespace is created: for an
// empty `preference` ($BOX_NETWORK_HELPER) pasta (Debian's passt package)
// in `path` when installed, else slirp4netns; for "pasta" or "slirp4netns"
// only that one; an absolute path as it is. nullopt when none is installed
// (the plan then says what to install, network_plan.h); an error for a
// preference that names neither, an absolute one that cannot be run, or a
// tun device that cannot be opened.
Result<std::optional<NetworkHelperSpec>> find_network_helper(
    const std::string& preference, const std::string& path,
    const std::string& tun_device = "/dev/net/tun");

// Opens `device` for reading and writing, as the helpers do (as us), and
// closes it: an error names the device, its mode when we may not open it
// and the fix ('chmod 0666' as root; 'modprobe tun' when it is missing),
// with errno. boxctl doctor asks the same.
Result<void> check_tun_device(const std::string& device = "/dev/net/tun");

// A running helper, owned: destroying it stops it.
class NetworkHelper {
 public:
  // Starts the helper on the network namespace of `pid` (a container that is
  // waiting right after clone) and returns once the namespace is configured
  // and `ports` are published (slirp4netns: through `api_socket`, which the
  // plan names), or with the helper's failure (it is then stopped).
  static Result<NetworkHelper> start(const NetworkHelperSpec& spec, const std::string& api_socket,
                                     pid_t pid, const std::vector<PortMapping>& ports);

  pid_t pid() const { return process_.pid(); }

  // The caller reaped the helper (its waitpid(-1) loop): records it and says
  // what happened, for a log line.
  std::string reaped(int status);

  // SIGTERM, a bounded wait, SIGKILL; reaped. Idempotent.
  void stop();

 private:
  NetworkHelper() = default;

  NetworkHelperKind kind_ = NetworkHelperKind::kPasta;
  OwnedChild process_;
  // slirp4netns: our end of its --exit-fd pipe. Declared after process_, so
  // destroyed first: slirp4netns quits by itself on its end of file.
  UniqueFd exit_fd_;
};

}  // namespace box
