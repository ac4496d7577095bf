#include "core/runtime/console_pty.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

namespace box {

Result<ConsolePty> ConsolePty::open(bool terminal) {
  ConsolePty c;
  c.master_.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK));
  if (!c.master_.valid()) return Error::from_errno("open a pty for /dev/console");
  if (::grantpt(c.master_.get()) != 0 || ::unlockpt(c.master_.get()) != 0)
    return Error::from_errno("unlock the console pty");
  char name[128];
  if (::ptsname_r(c.master_.get(), name, sizeof name) != 0)
    return Error::from_errno("name the console pty");
  c.slave_path_ = name;
  c.slave_.reset(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!c.slave_.valid()) return Error::from_errno("open '" + c.slave_path_ + "'");
  if (terminal) {
    c.resize_from(STDIN_FILENO);
    return c;
  }
  // Lines, not terminal output: no "\r\n" in the journal.
  termios t{};
  if (::tcgetattr(c.slave_.get(), &t) == 0) {
    t.c_oflag &= ~static_cast<tcflag_t>(OPOST);
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(c.slave_.get(), TCSANOW, &t);
  }
  return c;
}

void ConsolePty::copy_output() const {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(master_.get(), buf, sizeof buf);
    if (n <= 0) return;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(STDOUT_FILENO, buf + done, static_cast<std::size_t>(n - done));
      if (w <= 0) return;
      done += w;
    }
  }
}

bool ConsolePty::copy_input(int fd) const {
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) {
    if (!::isatty(fd)) {
      const char eof = '\x04';
      (void)!::write(master_.get(), &eof, 1);
    }
    return false;
  }
  for (ssize_t done = 0; done < n;) {
    ssize_t w = ::write(master_.get(), buf + done, static_cast<std::size_t>(n - done));
    if (w < 0 && errno == EAGAIN) {
      pollfd p{master_.get(), POLLOUT, 0};
      ::poll(&p, 1, 100);
      continue;
    }
    if (w <= 0) return false;
    done += w;
  }
  return true;
}

void ConsolePty::resize_from(int fd) const {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) == 0) ::ioctl(master_.get(), TIOCSWINSZ, &size);
}

}  // namespace box
