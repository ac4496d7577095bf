// The container's terminal (process.terminal) on the runtime's side: its
// master is sent to --console-socket (the protocol runc, crun, conmon and
// containerd's shim speak: one message over the Unix socket with the
// descriptor as SCM_RIGHTS), or, for `run` in the foreground without one,
// relayed to the runtime's own stdin and stdout (runc's foreground mode).
#pragma once

#include <optional>
#include <string>

#include "core/sys/result.h"
#include "core/sys/terminal_io.h"

namespace box::oci {

// Connects to the Unix socket at `path` and sends `master` over it.
Result<void> send_to_console_socket(const std::string& path, int master);

// Copies our stdin to the master and the master to our stdout. While it
// lives, our stdin, when a terminal, is raw (the keys, ^C included, go to
// the container's terminal) and its size is the container's; the settings
// come back on destruction.
class TerminalRelay {
 public:
  explicit TerminalRelay(int master);
  TerminalRelay(const TerminalRelay&) = delete;
  TerminalRelay& operator=(const TerminalRelay&) = delete;

  // For poll(): -1 where there is nothing to wait for.
  int input_fd() const { return input_open_ ? 0 : -1; }
  int master_fd() const { return master_open_ ? master_ : -1; }
  // Moves what is readable on stdin (`stdin_ready`) and the master.
  void pump(bool stdin_ready, bool master_ready);
  // The container ended: copies what it wrote last.
  void drain();
  // Our terminal changed size (SIGWINCH): so does the container's.
  void copy_size();

 private:
  int master_;
  bool input_open_ = true;
  bool master_open_ = true;  // false once nothing holds the container's side
  std::optional<RawTerminal> raw_;
};

}  // namespace box::oci
