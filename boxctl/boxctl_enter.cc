// boxctl enter: a process in a running container, in the foreground.
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <iostream>

#include "boxctl/boxctl.h"
#include "core/runtime/enter.h"

namespace box::boxctl {

int cmd_enter(Context& ctx, const EnterOptions& options) {
  for (const auto& e : options.env)
    if (e.find('=') == std::string::npos || e.front() == '=')
      throw Failure{kExitUsage, "--env '" + e + "': expected KEY=VALUE"};
  if (!options.workdir.empty() && options.workdir.front() != '/')
    throw Failure{kExitUsage, "--workdir '" + options.workdir + "': expected an absolute path"};

  // The supervisor's PID comes from systemd, through the manager.
  auto props = ctx.manager().container_properties(options.name);
  const auto pid = manager::property<uint32_t>(props, "MainPID");
  const auto state = manager::property<std::string>(props, "State");
  if (pid == 0)
    throw Failure{kExitNotRunning, "container '" + options.name + "' is not running (state: " +
                                       state + "); start it with 'boxctl start " + options.name +
                                       "'"};
  EnterRequest request;
  request.supervisor = static_cast<pid_t>(pid);
  request.argv = options.command.empty() ? std::vector<std::string>{"/bin/sh"} : options.command;
  request.tty = options.tty.value_or(::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO));
  request.extra_env = options.env;
  request.workdir = options.workdir;
  int failure_status = 0;
  auto status = enter_container(request, &failure_status);
  if (!status) throw Failure{failure_status, status.error().message()};
  return *status;
}

}  // namespace box::boxctl
