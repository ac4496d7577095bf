// boxctl enter and run: processes in containers, in the foreground.
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

int cmd_run(const std::vector<std::string>& args) {
  // box-run sits in <prefix>/libexec/box, beside <prefix>/bin/boxctl: found
  // relative to this executable, so an installed prefix works wherever it is.
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) throw Failure{kExitFailure, std::string("cannot find boxctl's own path: ") +
                                              std::strerror(errno)};
  self[n] = '\0';
  std::string dir(self);
  dir.resize(dir.rfind('/'));
  const std::string box_run = dir + "/../libexec/box/box-run";
  std::vector<std::string> argv = {box_run, "run"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (auto& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  ::execv(box_run.c_str(), raw.data());
  int err = errno;
  throw Failure{err == ENOENT ? 127 : 126,
                "cannot run " + box_run + ": " + std::strerror(err)};
}

}  // namespace box::boxctl
