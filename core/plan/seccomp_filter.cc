#include "core/plan/seccomp_filter.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <iterator>
#include <memory>

namespace box {
namespace {

struct CtxDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};

// clang-format off
// The one table of calls denied in every variant; docs/runtime.md compares it
// with moby's and podman's profiles, call by call.
const char* const kDenied[] = {
    "add_key",      "keyctl",       "request_key",  "bpf",          "perf_event_open",
    "kexec_load",   "kexec_file_load", "init_module", "finit_module", "delete_module",
    "open_by_handle_at", "iopl",    "ioperm",       "swapon",       "swapoff",
    "acct",         "lookup_dcookie", "userfaultfd", "uselib",      "vm86",
    "vm86old",      "nfsservctl",   "quotactl",     "create_module", "get_kernel_syms",
    "query_module", "fanotify_init", "move_pages",  "kcmp",
    // Counterparts of calls above that moby and podman deny too: quotas by
    // descriptor, and moving another process's pages between NUMA nodes.
    "quotactl_fd",  "migrate_pages",
    // io_uring runs its operations in kernel workers that seccomp never sees,
    // and has been a steady source of kernel exploits: moby and podman deny it.
    "io_uring_setup", "io_uring_enter", "io_uring_register",
};
// clang-format on

// Calls that act on another process's memory or descriptors: what a shared
// pid namespace would otherwise expose (kcmp is denied always, above).
const char* const kProcessAccess[] = {"ptrace", "process_vm_readv", "process_vm_writev",
                                      "pidfd_getfd", "process_madvise"};

// Socket families that reach past the container's network namespace or
// widen the kernel's attack surface for no container's need: AF_VSOCK talks
// to the hypervisor and to vsock services of the host whatever the network
// namespace; AF_ALG is the kernel's crypto API (moby denies both). The
// 32-bit socketcall(2) passes the family in memory, out of a filter's reach;
// moby leaves it open as well, as denying socketcall broke x86 binaries.
const int kDeniedSocketFamilies[] = {AF_ALG, AF_VSOCK};

}  // namespace

std::vector<std::string_view> default_denied_syscalls() {
  return {std::begin(kDenied), std::end(kDenied)};
}

Result<SeccompProgram> build_default_seccomp(const SeccompOptions& options) {
  std::unique_ptr<void, CtxDeleter> ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) return Error("seccomp: cannot create a filter context");
  scmp_filter_ctx c = ctx.get();
  // Cover the other ABIs this kernel can run, or they bypass the rules.
  for (uint32_t arch : {SCMP_ARCH_X86, SCMP_ARCH_X32}) {
    int r = seccomp_arch_add(c, arch);
    if (r != 0 && r != -EEXIST && r != -EINVAL)
      return Error::from_errno("seccomp: add architecture", -r);
  }
  const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
  auto deny = [&](const char* name) -> Result<void> {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) return {};  // not on this architecture
    int r = seccomp_rule_add(c, eperm, nr, 0);
    if (r != 0 && r != -EDOM) return Error::from_errno(std::string("seccomp: deny ") + name, -r);
    return {};
  };
  for (const char* name : kDenied)
    if (auto r = deny(name); !r) return r.error();
  if (options.deny_ptrace)
    for (const char* name : kProcessAccess)
      if (auto r = deny(name); !r) return r.error();
  // TIOCSTI injects input into a terminal: with the caller's tty that is a
  // way out of the sandbox. The request is 32 bits; compare only those.
  int r = seccomp_rule_add(c, eperm, SCMP_SYS(ioctl), 1,
                           SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, TIOCSTI));
  if (r != 0) return Error::from_errno("seccomp: deny ioctl(TIOCSTI)", -r);
  // The family is an int: the kernel ignores the upper 32 bits of the
  // register, so the comparison must too, or they are a way around it.
  for (int family : kDeniedSocketFamilies) {
    r = seccomp_rule_add(c, eperm, SCMP_SYS(socket), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffULL,
                                 static_cast<scmp_datum_t>(family)));
    if (r != 0) return Error::from_errno("seccomp: deny socket family", -r);
  }
  if (!options.allow_user_namespaces) {
    for (const char* name : {"unshare", "clone"}) {
      // unshare(flags) has flags in arg 0; clone on x86-64 too.
      r = seccomp_rule_add(c, eperm, seccomp_syscall_resolve_name(name), 1,
                           SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
      if (r != 0 && r != -EDOM) return Error::from_errno(std::string("seccomp: limit ") + name, -r);
    }
    // clone3 passes flags in memory, out of a filter's reach: make it look
    // absent, so libc falls back to clone, which is checked.
    r = seccomp_rule_add(c, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    if (r != 0 && r != -EDOM) return Error::from_errno("seccomp: limit clone3", -r);
  }

  // Export the BPF program through a memfd and keep it in memory.
  int fd = memfd_create("box-seccomp", MFD_CLOEXEC);
  if (fd < 0) return Error::from_errno("seccomp: memfd_create");
  r = seccomp_export_bpf(c, fd);
  if (r != 0) {
    close(fd);
    return Error::from_errno("seccomp: export filter", -r);
  }
  off_t size = lseek(fd, 0, SEEK_END);
  SeccompProgram prog;
  prog.instructions.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
  ssize_t n = pread(fd, prog.instructions.data(), static_cast<std::size_t>(size), 0);
  close(fd);
  if (n != size) return Error("seccomp: short read of the exported filter");
  return prog;
}

int load_seccomp(const SeccompProgram& program) {
  sock_fprog fprog{};
  fprog.len = static_cast<unsigned short>(program.instructions.size());
  fprog.filter = const_cast<sock_filter*>(program.instructions.data());
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) != 0) return errno;
  return 0;
}

}  // namespace box
