// The container's /dev/console (init: systemd, or `run -t`): a pty opened
// by box-run before the plan is made (its name is one of the plan's facts),
// whose output box-run copies to its stdout, the journal under systemd, so
// an init's boot messages are not lost. With `run -t` it is the command's
// terminal: box-run's stdin goes in (raw, when that is a terminal too).
#pragma once

#include <string>

#include "core/sys/result.h"
#include "core/sys/unique_fd.h"

namespace box {

class ConsolePty {
 public:
  // `terminal`: a terminal as a shell expects one (echo, "\r\n"), sized as
  // our stdin is; else lines for the journal.
  static Result<ConsolePty> open(bool terminal = false);

  // The pty the container gets as /dev/console ("/dev/pts/N").
  const std::string& slave_path() const { return slave_path_; }
  // Non-blocking; readable when the container wrote to its console.
  int master_fd() const { return master_.get(); }
  // Copies what is there to our stdout.
  void copy_output() const;
  // Copies what `fd` has to the pty's input; false at its end (then the
  // command reads an end of input, as from a terminal's ^D, unless `fd`
  // is a terminal: a closed terminal is the end of the session).
  bool copy_input(int fd) const;
  // Gives the pty the size of the terminal `fd` (SIGWINCH).
  void resize_from(int fd) const;

 private:
  ConsolePty() = default;

  UniqueFd master_;
  UniqueFd slave_;  // kept open: without a reader on the slave side the master reports hangup
  std::string slave_path_;
};

}  // namespace box
