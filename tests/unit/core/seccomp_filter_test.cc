#include "seccomp_filter.h"

#include <errno.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp_programs.h"

namespace box {
namespace {

// The program box-run loads was compiled at build time: it must be exactly
// what libseccomp makes of the rules now.
TEST(Seccomp, BuildTimeProgramsMatchTheRules) {
  for (bool userns : {false, true}) {
    auto fresh = build_default_seccomp({.allow_user_namespaces = userns});
    ASSERT_TRUE(fresh.ok()) << fresh.error().message();
    const auto& built = default_seccomp_program({.allow_user_namespaces = userns});
    ASSERT_EQ(built.instructions.size(), fresh->instructions.size());
    for (std::size_t i = 0; i < built.instructions.size(); ++i) {
      EXPECT_EQ(built.instructions[i].code, fresh->instructions[i].code) << i;
      EXPECT_EQ(built.instructions[i].k, fresh->instructions[i].k) << i;
    }
  }
}

// Runs `probe` in a child with the filter loaded; returns its exit code.
int in_filtered_child(bool allow_userns, int (*probe)()) {
  pid_t pid = fork();
  if (pid == 0) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(100);
    if (load_seccomp(default_seccomp_program({.allow_user_namespaces = allow_userns})) != 0)
      _exit(101);
    _exit(probe());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

TEST(Seccomp, DeniesKeyringAndBpfWithEperm) {
  EXPECT_EQ(in_filtered_child(false, [] {
              long r = syscall(SYS_keyctl, 0, 0, 0, 0, 0);
              return (r == -1 && errno == EPERM) ? 0 : 1;
            }),
            0);
  EXPECT_EQ(in_filtered_child(false, [] {
              long r = syscall(SYS_bpf, 0, nullptr, 0);
              return (r == -1 && errno == EPERM) ? 0 : 1;
            }),
            0);
  EXPECT_EQ(in_filtered_child(false, [] { return getpid() > 0 ? 0 : 1; }), 0);
}

TEST(Seccomp, UserNamespacesOnlyWhenAllowed) {
  auto probe = [] {
    int r = unshare(CLONE_NEWUSER);
    return r == 0 ? 0 : (errno == EPERM ? 1 : 2);
  };
  EXPECT_EQ(in_filtered_child(false, probe), 1);
  // Allowed by the filter; the kernel may still refuse (e.g. as root in a
  // restricted environment), but not with the filter's EPERM from clone3.
  EXPECT_NE(in_filtered_child(true, probe), 101);
}

}  // namespace
}  // namespace box
