// The message buses of a box, the half that touches the system: the one
// xdg-dbus-proxy per box that box-run starts before the container (its
// sockets must exist when the container's binds are made), waits for until
// it listens, and stops after the container, removing the sockets and
// their directory. The command line and paths come from bus_proxy_plan.*.
//
// Its lifetime is the box's, as the network helper's (network.h): stopped
// in the supervisor's teardown; it exits by itself when the supervisor's
// end of its --fd pipe closes (however the supervisor ends), gets SIGKILL
// when the supervisor dies (parent-death signal), and runs in the unit's
// cgroup, which systemd kills when box@NAME stops.
#pragma once

#include <sys/types.h>

#include <string>

#include "core/plan/run_plan.h"
#include "core/sys/child_wait.h"
#include "core/sys/result.h"
#include "core/sys/unique_fd.h"

namespace box {

class BusProxy {
 public:
  // Starts xdg-dbus-proxy for `plan.buses` and returns once every socket
  // listens (made connectable for every user id the box may run as; the
  // directory stays the user's alone), or with its failure (it is then
  // stopped and its directory removed).
  static Result<BusProxy> start(const RunPlan& plan);

  BusProxy(BusProxy&& other) noexcept;
  BusProxy& operator=(BusProxy&&) = delete;
  ~BusProxy() { stop(); }

  pid_t pid() const { return process_.pid(); }

  // The caller reaped it (its waitpid(-1) loop): a log line.
  std::string reaped(int status);

  // Ends it (its --fd closed, then SIGTERM, SIGKILL), reaped, and removes
  // the sockets and their directory. Idempotent.
  void stop();

 private:
  BusProxy() = default;

  OwnedChild process_;
  UniqueFd keep_alive_;  // the read end of its --fd pipe
  std::string dir_;
  std::string root_dir_;  // app_id: the proxy's root's mount point, in dir_
  std::vector<std::string> sockets_;
};

}  // namespace box
