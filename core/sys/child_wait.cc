#include "core/sys/child_wait.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace box {

bool wait_for_exit(pid_t pid, int ms, int* status) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (;;) {
    pid_t w = ::waitpid(pid, status, WNOHANG);
    if (w == pid) return true;
    if (w < 0 && errno == ECHILD) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    ::usleep(2000);
  }
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
  return "stopped";
}

void stop_child(pid_t pid, int grace_ms) {
  ::kill(pid, SIGTERM);
  int status = 0;
  if (!wait_for_exit(pid, grace_ms, &status)) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

OwnedChild& OwnedChild::operator=(OwnedChild&& other) noexcept {
  if (this != &other) {
    stop();
    pid_ = std::exchange(other.pid_, -1);
    grace_ms_ = other.grace_ms_;
  }
  return *this;
}

void OwnedChild::stop() {
  if (pid_ >= 0) stop_child(std::exchange(pid_, -1), grace_ms_);
}

}  // namespace box
