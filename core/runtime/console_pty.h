// The container's /dev/console (init: systemd): a pty opened by box-run
// before the plan is made (its name is one of the plan's facts), whose
// output box-run copies to its stdout, the journal under systemd, so an
// init's boot messages are not lost.
#pragma once

#include <string>

#include "core/sys/result.h"
#include "core/sys/unique_fd.h"

namespace box {

class ConsolePty {
 public:
  static Result<ConsolePty> open();

  // The pty the container gets as /dev/console ("/dev/pts/N").
  const std::string& slave_path() const { return slave_path_; }
  // Non-blocking; readable when the container wrote to its console.
  int master_fd() const { return master_.get(); }
  // Copies what is there to our stdout.
  void copy_output() const;

 private:
  ConsolePty() = default;

  UniqueFd master_;
  UniqueFd slave_;  // kept open: without a reader on the slave side the master reports hangup
  std::string slave_path_;
};

}  // namespace box
