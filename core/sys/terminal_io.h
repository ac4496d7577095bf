// Moving bytes between a terminal and a pty master, for the commands that
// put a container's terminal on the caller's (`boxctl enter -t`, `box-oci
// run` in the foreground).
#pragma once

#include <termios.h>

#include <cstddef>

namespace box {

// Writes all of `data`, retrying on EINTR; false on an error or a zero write.
bool write_all(int fd, const char* data, std::size_t size);

// `fd` (a terminal) in raw mode while this lives: every key, ^C included,
// goes to the program reading it; the settings come back on destruction.
// Does nothing when `fd` is not a terminal.
class RawTerminal {
 public:
  explicit RawTerminal(int fd);
  ~RawTerminal();
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

}  // namespace box
