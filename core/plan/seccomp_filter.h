// The default syscall filter's rules (libseccomp), compiled to BPF at build
// time by box-seccomp-compile (seccomp_programs.h holds the result), and
// loaded by the container's first process as its last step before exec.
#pragma once

#include <linux/filter.h>

#include <string_view>
#include <vector>

#include "core/sys/result.h"

namespace box {

struct SeccompProgram {
  std::vector<sock_filter> instructions;
};

struct SeccompOptions {
  // Nested user namespaces stay allowed for an inner systemd (its services'
  // PrivateUsers= and friends); other containers may not create them.
  bool allow_user_namespaces = false;
  // With the host's pid namespace every process of the host is in sight:
  // ptrace, process_vm_readv/writev, pidfd_getfd and process_madvise are
  // denied then. The
  // kernel already refuses them towards processes outside the container's
  // user namespace; this also covers those inside it but outside the
  // container (a helper that joined it, like pasta), and any kernel that
  // would let one through. With a private pid namespace they stay allowed,
  // so debuggers work inside.
  bool deny_ptrace = false;

  bool operator==(const SeccompOptions&) const = default;
};

// Every combination of the options is compiled at build time, one program
// per variant; the index of a variant is its options as bits.
inline constexpr int kSeccompVariants = 4;
constexpr int seccomp_variant(const SeccompOptions& o) {
  return (o.allow_user_namespaces ? 1 : 0) | (o.deny_ptrace ? 2 : 0);
}
constexpr SeccompOptions seccomp_variant_options(int variant) {
  return {.allow_user_namespaces = (variant & 1) != 0, .deny_ptrace = (variant & 2) != 0};
}

// What container runtimes deny by default, answered with EPERM: the kernel
// keyring, bpf, perf events, kernel modules and kexec, open_by_handle_at,
// swap and accounting, userfaultfd, kcmp, io_uring, AF_VSOCK and AF_ALG
// sockets, TIOCSTI (pushing input into a terminal), unless allowed creating user namespaces, and when asked ptrace
// and its relatives. Other architectures' entry
// points (x86 32-bit, x32) get the same rules, so they are no way around it.
Result<SeccompProgram> build_default_seccomp(const SeccompOptions& options);

// Loads the program into the calling process (needs no_new_privs). Returns 0
// or an errno; async-signal-safe, for the child between clone and exec.
int load_seccomp(const SeccompProgram& program);

// The calls every variant answers with EPERM, whatever the options (the
// table the filter is built from; for tests and documentation).
std::vector<std::string_view> default_denied_syscalls();

}  // namespace box
