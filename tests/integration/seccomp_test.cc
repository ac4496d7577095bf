// The default syscall filter, syscall by syscall, as the unprivileged test
// user: each denied call is made from inside a container (Python's ctypes,
// from the host's /usr bound read-only) and must fail with EPERM; the same
// call with `--seccomp unconfined` must reach the kernel, which answers
// differently (the arguments are chosen so that it rejects them for another
// reason), so a pass cannot come from the kernel refusing anyway.
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

// Calls each syscall by number (given on the command line by the test, which
// knows them for this architecture) and prints "name errno-name" per line.
constexpr const char* kProbe = R"PY(
import ctypes, errno, fcntl, os, sys, termios
libc = ctypes.CDLL(None, use_errno=True)
def call(nr, *args):
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    return "ok" if r >= 0 else errno.errorcode[ctypes.get_errno()]
nr = dict(a.split("=") for a in sys.argv[1:])
out = {}
out["keyctl"] = call(int(nr["keyctl"]), 9999, 0, 0, 0, 0)          # EOPNOTSUPP
out["add_key"] = call(int(nr["add_key"]), 0, 0, 0, 0, 0)            # EFAULT
out["request_key"] = call(int(nr["request_key"]), 0, 0, 0, 0)       # EFAULT
out["bpf"] = call(int(nr["bpf"]), 9999, 0, 0)                       # EINVAL
out["perf_event_open"] = call(int(nr["perf_event_open"]), 0, 0, -1, -1, -1)  # EINVAL (flags)
out["unshare_user"] = call(int(nr["unshare"]), 0x10000000)          # CLONE_NEWUSER
out["clone3"] = call(int(nr["clone3"]), 0, 0)                       # EINVAL
# TIOCSTI on a terminal that is the caller's controlling one (the kernel
# refuses it on any other): a child in a session of its own on a new pty.
pid, fd = os.forkpty()
if pid == 0:
    try:
        fcntl.ioctl(0, termios.TIOCSTI, b"x")
        os._exit(0)
    except OSError as e:
        os._exit(e.errno)
code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
out["TIOCSTI"] = "ok" if code == 0 else errno.errorcode.get(code, str(code))
# A process outside the container: the test itself.
out["ptrace_outside"] = call(int(nr["ptrace"]), 16, int(nr["outside"]), 0, 0)  # PTRACE_ATTACH
for k, v in sorted(out.items()):
    print(k, v)
)PY";

class Seccomp : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(getuid(), 0u) << "integration tests must run as the unprivileged test user";
    rootfs_ = home() + "/rootfs-seccomp";
    fs::remove_all(rootfs_);
    for (const char* d : {"proc", "sys", "dev", "tmp", "usr", "etc"})
      fs::create_directories(fs::path(rootfs_) / d);
    for (const char* l : {"bin", "sbin", "lib", "lib64"})
      fs::create_symlink(std::string("usr/") + l, fs::path(rootfs_) / l);
  }
  void TearDown() override { fs::remove_all(rootfs_); }

  // The probe's answers, by call name.
  std::map<std::string, std::string> probe(std::vector<std::string> options) {
    std::vector<std::string> argv = {box_run(), "run", "--ro-bind", "/usr:/usr"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.insert(argv.end(), {rootfs_, "--", "python3", "-c", kProbe});
    const std::pair<const char*, long> numbers[] = {{"keyctl", SYS_keyctl},
                                                    {"add_key", SYS_add_key},
                                                    {"request_key", SYS_request_key},
                                                    {"bpf", SYS_bpf},
                                                    {"perf_event_open", SYS_perf_event_open},
                                                    {"unshare", SYS_unshare},
                                                    {"clone3", SYS_clone3},
                                                    {"ptrace", SYS_ptrace},
                                                    {"outside", getpid()}};
    for (const auto& [name, nr] : numbers)
      argv.push_back(std::string(name) + "=" + std::to_string(nr));
    auto r = run(argv);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::map<std::string, std::string> out;
    std::istringstream in(r.output);
    std::string name, answer;
    while (in >> name >> answer) out[name] = answer;
    EXPECT_EQ(out.size(), 9u) << r.output;
    return out;
  }

  std::string rootfs_;
};

TEST_F(Seccomp, DefaultFilterDeniesWithEpermWhatUnconfinedLetsThrough) {
  auto confined = probe({});
  auto open = probe({"--seccomp", "unconfined"});
  for (const char* call :
       {"keyctl", "add_key", "request_key", "bpf", "perf_event_open", "unshare_user", "TIOCSTI"}) {
    EXPECT_EQ(confined[call], "EPERM") << call;
    EXPECT_NE(open[call], "EPERM") << call << " is refused even without the filter: the check "
                                   << "cannot tell the filter's work from the kernel's";
  }
  // clone3 looks absent (its flags are out of a filter's reach), so libc
  // falls back to clone, whose flags are checked.
  EXPECT_EQ(confined["clone3"], "ENOSYS");
  EXPECT_EQ(open["clone3"], "EINVAL");  // a size of 0
  EXPECT_EQ(open["unshare_user"], "ok");
}

// ptrace of a process outside: the container's pid namespace holds no such
// process, with or without the filter.
TEST_F(Seccomp, PtraceCannotReachOutside) {
  EXPECT_EQ(probe({})["ptrace_outside"], "ESRCH");
  EXPECT_EQ(probe({"--seccomp", "unconfined"})["ptrace_outside"], "ESRCH");
}

// The same from outside: the container's PID 1 has the filter and
// no_new_privs; its supervisor has neither (nothing the container is denied
// is denied to box-run, which runs the network and id helpers).
TEST_F(Seccomp, FilterAndNoNewPrivsSeenFromOutside) {
  make_busybox_rootfs(rootfs_);
  PipedProcess box({box_run(), "run", rootfs_, "--", "sh", "-c", "echo up; exec sleep 30"});
  ASSERT_TRUE(box.wait_for("up\n")) << box.output();
  const pid_t pid1 = first_child(box.pid());
  ASSERT_GT(pid1, 0);
  const std::string inside = slurp("/proc/" + std::to_string(pid1) + "/status");
  EXPECT_TRUE(contains(inside, "NoNewPrivs:\t1\nSeccomp:\t2\n")) << inside;
  const std::string supervisor = slurp("/proc/" + std::to_string(box.pid()) + "/status");
  EXPECT_TRUE(contains(supervisor, "NoNewPrivs:\t0\nSeccomp:\t0\n")) << supervisor;
}

}  // namespace
}  // namespace box::testing
