#include "core/runtime/pod_service.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "core/model/names.h"
#include "core/model/pod_record.h"
#include "core/plan/pod_plan.h"
#include "core/runtime/instance_lock.h"
#include "core/runtime/network.h"
#include "core/runtime/pod_holder.h"
#include "core/runtime/runtime_facts.h"
#include "core/runtime/supervisor.h"
#include "core/sys/child_wait.h"
#include "core/sys/log.h"
#include "core/sys/systemd_api.h"
#include "core/sys/unique_fd.h"

namespace box {
namespace {

// The pod's plan, from its file and this host.
Result<PodPlan> plan_pod(const PodDefinition& pod, const UserDirs& dirs) {
  const HostIdentity host = read_host_identity(dirs);
  RuntimeQuery query;
  query.service = true;
  query.network_helper = pod.network == NetworkMode::kPrivate;
  auto facts = gather_runtime_facts(query, dirs.runtime_dir);
  if (!facts) return facts.error();
  return make_pod_plan(pod, host, *facts);
}

// The signals that end the pod (a service manager's stop, a terminal's),
// and SIGCHLD, which says the holder or the helper ended.
sigset_t pod_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD}) sigaddset(&set, sig);
  return set;
}

}  // namespace

int run_pod(const std::string& name, const UserDirs& dirs) {
  const std::string unit = pod_unit_name(name);
  log_set_container(name, unit);
  auto pod = load_pod(pod_search_dirs(dirs), name);
  if (!pod) {
    log_error(pod.error().message());
    return kExitSetupFailed;
  }
  auto plan = plan_pod(*pod, dirs);
  if (!plan) {
    log_error(plan.error().message());
    return kExitSetupFailed;
  }
  auto lock = InstanceLock::acquire(plan->record_dir, name, InstanceLock::Holder::kPod);
  if (!lock) {
    log_error(lock.error().message());
    return kExitSetupFailed;
  }
  // Blocked before any child exists: a stop during the setup waits in the
  // signalfd and is seen once the pod is up.
  const sigset_t signals = pod_signals();
  if (sigprocmask(SIG_BLOCK, &signals, nullptr) != 0) {
    log_error(Error::from_errno("block signals").message());
    return kExitSetupFailed;
  }
  UniqueFd signal_fd(::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signal_fd.valid()) {
    log_error(Error::from_errno("create signalfd").message());
    return kExitSetupFailed;
  }
  auto holder = PodHolder::start(*plan);
  if (!holder) {
    log_error(holder.error().wrap("start pod '" + name + "'").message());
    return kExitSetupFailed;
  }
  std::optional<NetworkHelper> network;
  if (plan->network_helper) {
    auto started = NetworkHelper::start(*plan->network_helper, plan->network_api_socket,
                                        holder->pid(), plan->ports);
    if (!started) {
      log_error(started.error().wrap("start pod '" + name + "': set up its network").message());
      return kExitSetupFailed;
    }
    network = std::move(*started);
  }
  // Members may join from here on.
  PodRecord record{::getpid(), holder->pid(), holder->start_time(),
                   pod_namespace_names(plan->namespaces)};
  if (auto written = lock->write(format_pod_record(record)); !written) {
    log_error(written.error().wrap("start pod '" + name + "'").message());
    return kExitSetupFailed;
  }
  systemd_api::notify(plan->service_notify_socket,
                      "READY=1\nSTATUS=Pod running (holder PID " + std::to_string(holder->pid()) +
                          ")");

  int code = 0;
  for (bool done = false; !done;) {
    pollfd p{signal_fd.get(), POLLIN, 0};
    if (::poll(&p, 1, -1) < 0 && errno != EINTR) {
      log_error(Error::from_errno("poll").message());
      code = 1;
      break;
    }
    signalfd_siginfo si{};
    while (!done && ::read(signal_fd.get(), &si, sizeof si) == sizeof si) {
      if (si.ssi_signo != SIGCHLD) {
        done = true;  // stopped
        break;
      }
      int status = 0;
      pid_t r;
      while ((r = ::waitpid(-1, &status, WNOHANG)) > 0) {
        if (r == holder->pid()) {
          holder->reaped();
          log_error("the holder of pod '" + name + "' " + describe_status(status) +
                    ": its namespaces are gone");
        } else if (network && r == network->pid()) {
          log_error(network->reaped(status));
        } else {
          continue;
        }
        code = 1;
        done = true;
      }
    }
  }
  systemd_api::notify(plan->service_notify_socket, "STOPPING=1");
  // The helper first: the namespace's last user besides the holder.
  if (network) network->stop();
  holder->stop();
  return code;
}

}  // namespace box
