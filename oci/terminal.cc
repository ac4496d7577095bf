#include "oci/terminal.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/sys/fd_passing.h"
#include "core/sys/terminal_io.h"
#include "core/sys/unique_fd.h"

namespace box::oci {
namespace {

// One read from `from` written whole to `to`; false at end of file or on
// an error (EIO: the pty's last holder on the container's side is gone).
bool copy_once(int from, int to) {
  char buf[8192];
  ssize_t n;
  while ((n = ::read(from, buf, sizeof buf)) < 0 && errno == EINTR) {
  }
  return n > 0 && write_all(to, buf, static_cast<std::size_t>(n));
}

}  // namespace

Result<void> send_to_console_socket(const std::string& path, int master) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return Error("console socket '" + path + "': the path is longer than a Unix socket's");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock.valid()) return Error::from_errno("create a socket for '" + path + "'");
  int r;
  while ((r = ::connect(sock.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr)) != 0 &&
         errno == EINTR) {
  }
  if (r != 0) return Error::from_errno("connect to the console socket '" + path + "'");
  if (send_fd(sock.get(), master) < 0)
    return Error::from_errno("send the terminal to the console socket '" + path + "'");
  return {};
}

TerminalRelay::TerminalRelay(int master) : master_(master) {
  if (::isatty(STDIN_FILENO)) {
    raw_.emplace(STDIN_FILENO);
    copy_size();
  }
}

void TerminalRelay::copy_size() {
  winsize size{};
  if (::ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0) ::ioctl(master_, TIOCSWINSZ, &size);
}

void TerminalRelay::pump(bool stdin_ready, bool master_ready) {
  // At the end of our input the container's terminal stays open (as
  // runc's does): what runs there ends when it decides to.
  if (stdin_ready && input_open_ && !copy_once(STDIN_FILENO, master_)) input_open_ = false;
  if (master_ready && master_open_ && !copy_once(master_, STDOUT_FILENO)) master_open_ = false;
}

void TerminalRelay::drain() {
  if (!master_open_) return;
  ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
  while (copy_once(master_, STDOUT_FILENO)) {
  }
}

}  // namespace box::oci
