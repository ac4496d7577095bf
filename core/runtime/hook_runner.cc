#include "core/runtime/hook_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "core/sys/spawn.h"
#include "core/sys/unique_fd.h"

namespace box {
namespace {

constexpr std::size_t kKeptOutput = 4096;

long long now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

std::string with_output(std::string message, std::string output) {
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  return output.empty() ? message : message + ": " + output;
}

}  // namespace

Result<void> run_hook(const ProgramHook& hook, std::string_view state) {
  const std::string what = "hook '" + hook.path + "'";
  // stdin is a socket, not a pipe: a hook that exits without reading its
  // state must not raise SIGPIPE in the runtime (send with MSG_NOSIGNAL).
  int in[2], out[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0)
    return Error::from_errno("create the stdin of " + what);
  UniqueFd in_ours(in[0]), in_theirs(in[1]);
  if (::pipe2(out, O_CLOEXEC) != 0) return Error::from_errno("create the output pipe of " + what);
  UniqueFd out_ours(out[0]), out_theirs(out[1]);

  SpawnSpec spec;
  spec.argv = hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
  spec.exec_path = hook.path;
  spec.env = hook.env;
  spec.inherit_env = false;
  spec.stdin_fd = in_theirs.get();
  spec.stdout_fd = out_theirs.get();
  spec.stderr_fd = out_theirs.get();
  // A process group of its own, so a timeout kills what it started too.
  spec.new_session = true;
  auto pid = spawn(spec);
  if (!pid) return pid.error().wrap("run " + what);
  in_theirs.reset();
  out_theirs.reset();
  ::fcntl(in_ours.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(out_ours.get(), F_SETFL, O_NONBLOCK);
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, *pid, 0)));
  if (!pidfd.valid()) {
    const int err = errno;
    ::kill(*pid, SIGKILL);
    wait_exit_code(*pid);
    return Error::from_errno("watch " + what, err);
  }

  std::size_t sent = 0;
  if (state.empty()) ::shutdown(in_ours.get(), SHUT_WR);
  std::string output;
  const long long deadline = hook.timeout_seconds > 0 ? now_ms() + hook.timeout_seconds * 1000LL : 0;
  auto read_output = [&]() {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(out_ours.get(), buf, sizeof buf)) > 0)
      if (output.size() < kKeptOutput)
        output.append(buf, std::min<std::size_t>(static_cast<std::size_t>(n), kKeptOutput - output.size()));
    if (n == 0) out_ours.reset();
  };
  for (;;) {
    pollfd fds[3] = {{pidfd.get(), POLLIN, 0},
                     {out_ours.valid() ? out_ours.get() : -1, POLLIN, 0},
                     {sent < state.size() ? in_ours.get() : -1, POLLOUT, 0}};
    int wait = -1;
    if (deadline) {
      const long long left = deadline - now_ms();
      wait = left > 0 ? static_cast<int>(left) : 0;
    }
    const int ready = ::poll(fds, 3, wait);
    if (ready < 0 && errno != EINTR) {
      const int err = errno;
      ::kill(-*pid, SIGKILL);
      wait_exit_code(*pid);
      return Error::from_errno("wait for " + what, err);
    }
    if (ready == 0 && deadline && now_ms() >= deadline) {
      ::kill(-*pid, SIGKILL);
      wait_exit_code(*pid);
      return Error(with_output(what + " did not end within its timeout of " +
                                   std::to_string(hook.timeout_seconds) + " s: killed",
                               output));
    }
    if (ready <= 0) continue;
    if (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) {
      ssize_t n = ::send(in_ours.get(), state.data() + sent, state.size() - sent, MSG_NOSIGNAL);
      if (n > 0) sent += static_cast<std::size_t>(n);
      // A hook that closed its stdin (or ended) reads no more: stop offering.
      if (n < 0 && errno != EAGAIN && errno != EINTR) sent = state.size();
      if (sent == state.size()) ::shutdown(in_ours.get(), SHUT_WR);
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) read_output();
    if (fds[0].revents & POLLIN) break;
  }
  // It ended: what it wrote is in the pipe (unless a process it left behind
  // still holds the pipe: then what is there now).
  if (out_ours.valid()) read_output();
  int status = 0;
  while (::waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  if (WIFEXITED(status))
    return Error(with_output(what + " exited with status " + std::to_string(WEXITSTATUS(status)), output));
  return Error(with_output(what + " was killed by signal " + std::to_string(WTERMSIG(status)), output));
}

}  // namespace box
