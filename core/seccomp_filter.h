// The default syscall filter, compiled once by the supervisor (libseccomp)
// and loaded by the container's first process as its last step before exec.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "result.h"

namespace box {

struct SeccompProgram {
  std::vector<sock_filter> instructions;
};

struct SeccompOptions {
  // Nested user namespaces stay allowed for an inner systemd (its services'
  // PrivateUsers= and friends); other containers may not create them.
  bool allow_user_namespaces = false;
};

// What container runtimes deny by default, answered with EPERM: the kernel
// keyring, bpf, perf events, kernel modules and kexec, open_by_handle_at,
// swap and accounting, userfaultfd, TIOCSTI (pushing input into a terminal)
// and, unless allowed, creating user namespaces. Other architectures' entry
// points (x86 32-bit, x32) get the same rules, so they are no way around it.
Result<SeccompProgram> build_default_seccomp(const SeccompOptions& options);

// Loads the program into the calling process (needs no_new_privs). Returns 0
// or an errno; async-signal-safe, for the child between clone and exec.
int load_seccomp(const SeccompProgram& program);

}  // namespace box
