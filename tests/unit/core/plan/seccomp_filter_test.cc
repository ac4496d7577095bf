#include "core/plan/seccomp_filter.h"

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

#include "core/plan/seccomp_programs.h"

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

// Runs `probe` in a child, with the filter loaded unless `options` is null;
// returns its exit code.
int in_child(const SeccompOptions* options, int (*probe)()) {
  pid_t pid = fork();
  if (pid == 0) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(100);
    if (options && load_seccomp(default_seccomp_program(*options)) != 0) _exit(101);
    _exit(probe());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

int in_filtered_child(SeccompOptions options, int (*probe)()) { return in_child(&options, probe); }
int in_unfiltered_child(int (*probe)()) { return in_child(nullptr, probe); }

// How a probe's call ended, as its exit code.
constexpr int kSucceeded = 0, kEperm = 1, kOtherError = 2;
int outcome(long r) { return r >= 0 ? kSucceeded : errno == EPERM ? kEperm : kOtherError; }

// Calls the filter answers with EPERM in every variant. Each is also made
// without the filter, where the kernel itself must answer otherwise
// (succeed, or fail another way): else the filter's EPERM would prove
// nothing. (Before Linux 6.5 an unprivileged bpf() is EPERM whenever
// unprivileged BPF is off: run the unit tests as root there.)
struct DeniedCall {
  const char* what;
  int (*probe)();
};
const DeniedCall kDeniedCalls[] = {
    // The session keyring's id: any process may ask for it.
    {"keyctl(KEYCTL_GET_KEYRING_ID)",
     [] { return outcome(syscall(SYS_keyctl, 0, -3 /* KEY_SPEC_SESSION_KEYRING */, 0, 0, 0)); }},
    {"bpf(BPF_MAP_CREATE, zeroed)",
     [] {
       static char attr[128];
       return outcome(syscall(SYS_bpf, 0, attr, sizeof attr));
     }},
    // io_uring (issue 12, finding 6): denied before the kernel sees the
    // arguments; a zeroed parameter block gives a ring.
    {"io_uring_setup",
     [] {
       static char params[120];  // struct io_uring_params
       return outcome(syscall(SYS_io_uring_setup, 1, params));
     }},
    {"io_uring_enter(-1)",
     [] { return outcome(syscall(SYS_io_uring_enter, -1, 0, 0, 0, nullptr, 0)); }},
    {"io_uring_register(-1)",
     [] { return outcome(syscall(SYS_io_uring_register, -1, 0, nullptr, 0)); }},
    // AF_VSOCK reaches past the network namespace, AF_ALG is the kernel's
    // crypto API.
    {"socket(AF_VSOCK)", [] { return outcome(socket(AF_VSOCK, SOCK_STREAM, 0)); }},
    {"socket(AF_ALG)", [] { return outcome(socket(AF_ALG, SOCK_SEQPACKET, 0)); }},
    // The kernel reads the family as an int: bits above 32 must not hide it.
    {"socket(AF_VSOCK | 0xf00d << 32)",
     [] { return outcome(syscall(SYS_socket, (0xf00dULL << 32) | AF_VSOCK, SOCK_STREAM, 0)); }},
};

TEST(Seccomp, DeniedCallsGetTheFiltersEpermNotTheKernels) {
  for (const auto& call : kDeniedCalls) {
    EXPECT_NE(in_unfiltered_child(call.probe), kEperm)
        << call.what << " is EPERM without the filter too: this test cannot tell the filter's "
        << "answer from the kernel's here";
    for (int v = 0; v < kSeccompVariants; ++v)
      EXPECT_EQ(in_filtered_child(seccomp_variant_options(v), call.probe), kEperm)
          << call.what << ", variant " << v;
  }
  // Other calls and socket families are untouched.
  EXPECT_EQ(in_filtered_child({}, [] { return getpid() > 0 ? 0 : 1; }), 0);
  EXPECT_EQ(in_filtered_child({}, [] { return outcome(socket(AF_UNIX, SOCK_STREAM, 0)); }),
            kSucceeded);
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
  // The kernel lets this process create one, or the allowed variants below
  // would prove nothing.
  ASSERT_EQ(in_unfiltered_child(probe), 0) << "this machine refuses unprivileged user namespaces";
  EXPECT_EQ(in_filtered_child({}, probe), 1);
  EXPECT_EQ(in_filtered_child({.deny_ptrace = true}, probe), 1);
  EXPECT_EQ(in_filtered_child({.allow_user_namespaces = true}, probe), 0);
  EXPECT_EQ(in_filtered_child({.allow_user_namespaces = true, .deny_ptrace = true}, probe), 0);
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
