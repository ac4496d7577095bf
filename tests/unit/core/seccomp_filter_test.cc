#include "seccomp_filter.h"

#include <errno.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "seccomp_programs.h"

namespace box {
namespace {

// The program box-run loads was compiled at build time: it must be exactly
// what libseccomp makes of the rules now.
TEST(Seccomp, BuildTimeProgramsMatchTheRules) {
  for (int v = 0; v < kSeccompVariants; ++v) {
    const SeccompOptions options = seccomp_variant_options(v);
    ASSERT_EQ(seccomp_variant(options), v);
    auto fresh = build_default_seccomp(options);
    ASSERT_TRUE(fresh.ok()) << fresh.error().message();
    const auto& built = default_seccomp_program(options);
    ASSERT_EQ(built.instructions.size(), fresh->instructions.size()) << v;
    for (std::size_t i = 0; i < built.instructions.size(); ++i) {
      EXPECT_EQ(built.instructions[i].code, fresh->instructions[i].code) << i;
      EXPECT_EQ(built.instructions[i].k, fresh->instructions[i].k) << i;
    }
  }
}

// Runs `probe` in a child with the filter loaded; returns its exit code.
int in_filtered_child(SeccompOptions options, int (*probe)()) {
  pid_t pid = fork();
  if (pid == 0) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(100);
    if (load_seccomp(default_seccomp_program(options)) != 0) _exit(101);
    _exit(probe());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

TEST(Seccomp, DeniesKeyringAndBpfWithEperm) {
  EXPECT_EQ(in_filtered_child({},
                              [] {
                                long r = syscall(SYS_keyctl, 0, 0, 0, 0, 0);
                                return (r == -1 && errno == EPERM) ? 0 : 1;
                              }),
            0);
  EXPECT_EQ(in_filtered_child({},
                              [] {
                                long r = syscall(SYS_bpf, 0, nullptr, 0);
                                return (r == -1 && errno == EPERM) ? 0 : 1;
                              }),
            0);
  EXPECT_EQ(in_filtered_child({}, [] { return getpid() > 0 ? 0 : 1; }), 0);
}

// io_uring (issue 12, finding 6): every variant answers EPERM, before the
// kernel sees the arguments (a zeroed parameter block would give a ring).
TEST(Seccomp, DeniesIoUringInEveryVariant) {
  auto probe = [] {
    static char params[120];  // struct io_uring_params, zeroed
    int bits = 0;
    if (syscall(SYS_io_uring_setup, 1, params) < 0 && errno == EPERM) bits |= 1;
    if (syscall(SYS_io_uring_enter, -1, 0, 0, 0, nullptr, 0) < 0 && errno == EPERM) bits |= 2;
    if (syscall(SYS_io_uring_register, -1, 0, nullptr, 0) < 0 && errno == EPERM) bits |= 4;
    return bits;
  };
  for (int v = 0; v < kSeccompVariants; ++v)
    EXPECT_EQ(in_filtered_child(seccomp_variant_options(v), probe), 7) << "variant " << v;
}

// AF_VSOCK reaches past the network namespace, AF_ALG is the kernel's
// crypto API: EPERM; other families are untouched.
TEST(Seccomp, DeniesVsockAndAlgSockets) {
  auto probe = [] {
    int bits = 0;
    if (socket(AF_VSOCK, SOCK_STREAM, 0) < 0 && errno == EPERM) bits |= 1;
    if (socket(AF_ALG, SOCK_SEQPACKET, 0) < 0 && errno == EPERM) bits |= 2;
    // The kernel reads the family as an int: bits above 32 must not hide it.
    if (syscall(SYS_socket, (0xf00dULL << 32) | AF_VSOCK, SOCK_STREAM, 0) < 0 && errno == EPERM)
      bits |= 8;
    const int unix_socket = socket(AF_UNIX, SOCK_STREAM, 0);
    if (unix_socket >= 0) bits |= 4;
    return bits;
  };
  EXPECT_EQ(in_filtered_child({}, probe), 15);
}

// A name libseccomp does not know would be skipped silently (the rule is
// only left out on architectures that lack the call).
TEST(Seccomp, EveryDeniedNameIsKnownToLibseccomp) {
  for (std::string_view name : default_denied_syscalls())
    EXPECT_NE(seccomp_syscall_resolve_name(std::string(name).c_str()), __NR_SCMP_ERROR) << name;
}

// docs/runtime.md compares the denied calls with moby's and podman's
// profiles in a table, one row per call: a call added to the filter and not
// to the table fails here.
TEST(Seccomp, EveryDeniedCallIsInTheComparisonTable) {
  const auto doc = std::filesystem::path(BOX_SOURCE_DIR) / "docs/runtime.md";
  std::ifstream in(doc);
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty()) << doc;
  for (std::string_view name : default_denied_syscalls())
    EXPECT_NE(text.str().find("| `" + std::string(name) + "` |"), std::string::npos)
        << name << " has no row in docs/runtime.md";
}

TEST(Seccomp, UserNamespacesOnlyWhenAllowed) {
  auto probe = [] {
    int r = unshare(CLONE_NEWUSER);
    return r == 0 ? 0 : (errno == EPERM ? 1 : 2);
  };
  EXPECT_EQ(in_filtered_child({}, probe), 1);
  // Allowed by the filter; the kernel may still refuse (e.g. as root in a
  // restricted environment), but not with the filter's EPERM from clone3.
  EXPECT_NE(in_filtered_child({.allow_user_namespaces = true}, probe), 101);
}

// ptrace and its relatives, on our own child (which the kernel allows): denied
// with EPERM by the variant for a shared pid namespace, allowed otherwise.
TEST(Seccomp, PtraceDeniedOnlyWhenAsked) {
  auto probe = [] {
    pid_t child = fork();
    if (child == 0) {
      pause();
      _exit(0);
    }
    int bits = 0;
    if (syscall(SYS_ptrace, 0x4206 /* PTRACE_SEIZE */, child, 0, 0) != 0 && errno == EPERM)
      bits |= 1;
    char local = 0, remote = 0;
    iovec here{&local, 1}, there{&remote, 1};
    if (syscall(SYS_process_vm_readv, child, &here, 1, &there, 1, 0) < 0 && errno == EPERM)
      bits |= 2;
    if (syscall(SYS_process_vm_writev, child, &here, 1, &there, 1, 0) < 0 && errno == EPERM)
      bits |= 4;
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, child, 0));
    if (pidfd >= 0 && syscall(SYS_pidfd_getfd, pidfd, 0, 0) < 0 && errno == EPERM) bits |= 8;
    if (pidfd >= 0 && syscall(SYS_process_madvise, pidfd, &here, 1, 20 /* MADV_COLD */, 0) < 0 &&
        errno == EPERM)
      bits |= 16;
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    return pidfd < 0 ? 100 : bits;
  };
  EXPECT_EQ(in_filtered_child({.deny_ptrace = true}, probe), 31);
  EXPECT_EQ(in_filtered_child({.allow_user_namespaces = true, .deny_ptrace = true}, probe), 31);
  EXPECT_EQ(in_filtered_child({}, probe), 0);
}

}  // namespace
}  // namespace box
