// The default syscall filter, syscall by syscall, as the unprivileged test
// user: each denied call is made from inside a container (Python's ctypes,
// from the host's /usr bound read-only) and must fail with EPERM; the same
// call with `--seccomp unconfined` must reach the kernel, which answers
// differently (the arguments are chosen so that it rejects them for another
// reason), so a pass cannot come from the kernel refusing anyway.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "tests/integration/test_support.h"

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
for k, v in sorted(out.items()):
    print(k, v)
)PY";

class Seccomp : public BoxTest {
 protected:
  Seccomp() : BoxTest(Rootfs::kHostUsr) {}

  // The host's python3 running `script` in a box with `options`, given
  // "name=number" for each call in `numbers`.
  std::vector<std::string> python_argv(const std::vector<std::string>& options,
                                       const std::string& script,
                                       const std::vector<std::pair<const char*, long>>& numbers) {
    std::vector<std::string> with_usr = {"--ro-bind", "/usr:/usr"};
    with_usr.insert(with_usr.end(), options.begin(), options.end());
    std::vector<std::string> command = {"python3", "-c", script};
    for (const auto& [name, nr] : numbers)
      command.push_back(std::string(name) + "=" + std::to_string(nr));
    return box_argv(with_usr, command);
  }

  // Runs the Python `script` in a box with `options`, giving it
  // "name=number" for each call in `numbers`; its "name answer" lines, by
  // name (`expected` of them).
  std::map<std::string, std::string> run_probe(
      const std::string& script, const std::vector<std::pair<const char*, long>>& numbers,
      const std::vector<std::string>& options, std::size_t expected) {
    auto r = run(python_argv(options, script, numbers));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::map<std::string, std::string> out;
    std::istringstream in(r.output);
    std::string name, answer;
    while (in >> name >> answer) out[name] = answer;
    EXPECT_EQ(out.size(), expected) << r.output;
    return out;
  }

  // The probe's answers, by call name.
  std::map<std::string, std::string> probe(const std::vector<std::string>& options) {
    return run_probe(kProbe,
                     {{"keyctl", SYS_keyctl},
                      {"add_key", SYS_add_key},
                      {"request_key", SYS_request_key},
                      {"bpf", SYS_bpf},
                      {"perf_event_open", SYS_perf_event_open},
                      {"unshare", SYS_unshare},
                      {"clone3", SYS_clone3}},
                     options, 8);
  }
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

// What the probes below start with: call(NAME, ARGS...) makes the system
// call whose number the test gave as NAME=NUMBER and returns its result and
// "ok" or the errno's name.
const std::string kPyCall = R"PY(
import ctypes, errno, sys
libc = ctypes.CDLL(None, use_errno=True)
nr = dict(a.split("=") for a in sys.argv[1:])
def call(name, *args):
    r = libc.syscall(ctypes.c_long(int(nr[name])), *[ctypes.c_long(a) for a in args])
    return r, ("ok" if r >= 0 else errno.errorcode[ctypes.get_errno()])
)PY";

// io_uring (issue 12, finding 6): a ring is a way to make system calls the
// filter never sees. io_uring_setup with a zeroed parameter block gives a
// ring wherever the kernel has io_uring, so unconfined it must answer "ok";
// then entering the ring with nothing to submit is "ok", and registering an
// unknown opcode on it EINVAL. Where there is no ring, descriptor -1.
const std::string kIoUringProbe = kPyCall + R"PY(
params = ctypes.create_string_buffer(120)  # struct io_uring_params, zeroed
ring, answer = call("io_uring_setup", 1, ctypes.addressof(params))
print("io_uring_setup", answer)
print("io_uring_enter", call("io_uring_enter", ring, 0, 0, 0, 0, 0)[1])
print("io_uring_register", call("io_uring_register", ring, 9999, 0, 0)[1])
)PY";

TEST_F(Seccomp, IoUringDeniedByDefaultAndReachesTheKernelUnconfined) {
  auto answers = [&](const std::vector<std::string>& options) {
    return run_probe(kIoUringProbe,
                     {{"io_uring_setup", SYS_io_uring_setup},
                      {"io_uring_enter", SYS_io_uring_enter},
                      {"io_uring_register", SYS_io_uring_register}},
                     options, 3);
  };
  auto open = answers({"--seccomp", "unconfined"});
  // Without io_uring in the kernel (or with kernel.io_uring_disabled) this
  // test cannot tell the filter's EPERM from the kernel's: a failure, not a pass.
  ASSERT_NE(open["io_uring_setup"], "ENOSYS")
      << "this kernel has no io_uring: the test cannot check that the filter denies it";
  ASSERT_EQ(open["io_uring_setup"], "ok")
      << "unconfined, io_uring_setup must give a ring (is kernel.io_uring_disabled set?)";
  EXPECT_EQ(open["io_uring_enter"], "ok");
  EXPECT_EQ(open["io_uring_register"], "EINVAL");

  auto confined = answers({});
  for (const char* call : {"io_uring_setup", "io_uring_enter", "io_uring_register"})
    EXPECT_EQ(confined[call], "EPERM") << call;
}

// Reaching into another process: for each "LABEL PID" line on stdin, tries
// ptrace (PTRACE_SEIZE: attached without stopping it), process_vm_readv and
// process_vm_writev (of address 0: EFAULT once access is granted, so nothing
// is read or written), pidfd_getfd (its descriptor 0) and kcmp, and prints
// "LABEL call answer" per line.
const std::string kReachProbe = kPyCall + R"PY(
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
buf = ctypes.create_string_buffer(8)
local, remote = iovec(ctypes.addressof(buf), 8), iovec(0, 8)
print("up", flush=True)
for line in sys.stdin:
    label, pid = line.split()
    pid = int(pid)
    out = {}
    out["ptrace"] = call("ptrace", 0x4206, pid, 0, 0)[1]
    for name in ("process_vm_readv", "process_vm_writev"):
        out[name] = call(name, pid, ctypes.addressof(local), 1, ctypes.addressof(remote), 1, 0)[1]
    pidfd, answer = call("pidfd_open", pid, 0)
    out["pidfd_getfd"] = call("pidfd_getfd", pidfd, 0, 0)[1] if pidfd >= 0 else answer
    out["kcmp"] = call("kcmp", pid, pid, 1, 0, 0)[1]  # KCMP_VM
    for k, v in sorted(out.items()):
        print(label, k, v, flush=True)
)PY";

// A process of the host's pid namespace, child of the test, that joined the
// container's user namespace and gave up its capabilities there, as a
// network helper entering the container's namespaces does. The kernel lets
// the container reach such a process (same user namespace, same ids, no
// capability it lacks), so with a shared pid namespace only the filter is in
// the way; a process of the host's own user namespace the kernel protects by
// itself (the container holds no CAP_SYS_PTRACE there).
class JoinedProcess {
 public:
  explicit JoinedProcess(pid_t container_pid) {
    const int ns =
        open(("/proc/" + std::to_string(container_pid) + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC);
    int ready[2];
    if (ns < 0) return;
    if (pipe2(ready, O_CLOEXEC) != 0) {
      close(ns);
      return;
    }
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (setns(ns, CLONE_NEWUSER) != 0) _exit(1);
      // Nothing of the test's: the box's stdin must reach end of file.
      const unsigned keep = static_cast<unsigned>(ready[1]);
      if ((keep > 3 && close_range(3, keep - 1, 0) != 0) || close_range(keep + 1, ~0U, 0) != 0)
        _exit(4);
      __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
      __user_cap_data_struct none[2] = {};
      if (syscall(SYS_capset, &header, none) != 0) _exit(2);
      char c = 'r';
      if (write(ready[1], &c, 1) != 1) _exit(3);
      for (;;) pause();
    }
    close(ns);
    close(ready[1]);
    char c = 0;
    ready_ = pid_ > 0 && read(ready[0], &c, 1) == 1;
    close(ready[0]);
  }
  ~JoinedProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  JoinedProcess(const JoinedProcess&) = delete;
  JoinedProcess& operator=(const JoinedProcess&) = delete;
  bool ready() const { return ready_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  bool ready_ = false;
};

// Still running, stopped by no one, traced by no one. (Running or
// sleeping: it may be caught between its wake-up and its next pause().)
void expect_unaffected(pid_t pid, const std::string& what) {
  const std::string status = slurp("/proc/" + std::to_string(pid) + "/status");
  const std::string state = status_field(status, "State");
  EXPECT_TRUE(state == "S (sleeping)" || state == "R (running)") << what << "\n" << status;
  EXPECT_EQ(status_field(status, "TracerPid"), "0") << what << "\n" << status;
}

class SeccompReach : public Seccomp {
 protected:
  // Runs the reach probe in a box with `options` against a plain process of
  // the host ("host") and a JoinedProcess ("joined"); answers by
  // "label call".
  std::map<std::string, std::string> reach(std::vector<std::string> options) {
    const auto argv = python_argv(options, kReachProbe,
                                  {{"ptrace", SYS_ptrace},
                                   {"process_vm_readv", SYS_process_vm_readv},
                                   {"process_vm_writev", SYS_process_vm_writev},
                                   {"pidfd_open", SYS_pidfd_open},
                                   {"pidfd_getfd", SYS_pidfd_getfd},
                                   {"kcmp", SYS_kcmp}});
    Background host({"sleep", "300"}, home() + "/seccomp-reach-host.out");
    PipedProcess box(argv);
    std::map<std::string, std::string> out;
    if (!box.wait_for("up\n")) {
      ADD_FAILURE() << box.output();
      return out;
    }
    const pid_t pid1 = first_child(box.pid());
    JoinedProcess joined(pid1);
    if (pid1 <= 0 || !joined.ready()) {
      ADD_FAILURE() << "cannot join the user namespace of the container's PID 1 (" << pid1 << ")";
      return out;
    }
    // The sleep has had time to exec while the box started.
    EXPECT_EQ(status_field(slurp("/proc/" + std::to_string(host.pid()) + "/status"), "Name"),
              "sleep");
    box.write_input("host " + std::to_string(host.pid()) + "\njoined " +
                    std::to_string(joined.pid()) + "\n");
    box.close_input();
    EXPECT_EQ(box.wait(), 0) << box.output();
    std::istringstream in(box.output());
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream words(line);
      std::string label, call, answer;
      if (words >> label >> call >> answer) out[label + " " + call] = answer;
    }
    EXPECT_EQ(out.size(), 10u) << box.output();
    // The tracer is gone with the box: neither target was stopped or kept.
    expect_unaffected(host.pid(), "the host process");
    expect_unaffected(joined.pid(), "the joined process");
    return out;
  }

  static constexpr const char* kCalls[] = {"ptrace", "process_vm_readv", "process_vm_writev",
                                           "pidfd_getfd", "kcmp"};
};

// With the host's pid namespace, the default filter denies reaching into
// other processes; unconfined, the kernel lets the container reach a process
// in its user namespace, which shows the check can fail.
TEST_F(SeccompReach, SharedPidNamespaceDeniesPtraceAndProcessAccess) {
  auto confined = reach({"--share", "pid"});
  for (const char* label : {"host", "joined"})
    for (const char* call : kCalls)
      EXPECT_EQ(confined[std::string(label) + " " + call], "EPERM") << label << " " << call;

  auto open = reach({"--share", "pid", "--seccomp", "unconfined"});
  EXPECT_EQ(open["joined ptrace"], "ok");
  EXPECT_EQ(open["joined process_vm_readv"], "EFAULT");
  EXPECT_EQ(open["joined process_vm_writev"], "EFAULT");
  EXPECT_EQ(open["joined pidfd_getfd"], "ok");
  EXPECT_EQ(open["joined kcmp"], "ok");
  // The host's own user namespace: the kernel refuses by itself.
  for (const char* call : kCalls) EXPECT_EQ(open[std::string("host ") + call], "EPERM") << call;
}

// With its own pid namespace the container sees no process outside: no
// such process, with or without the filter (which then allows ptrace, for
// debuggers inside; kcmp it denies always).
TEST_F(SeccompReach, PtraceCannotReachOutside) {
  for (const auto& options :
       {std::vector<std::string>{}, std::vector<std::string>{"--seccomp", "unconfined"}}) {
    auto answers = reach(options);
    for (const char* label : {"host", "joined"})
      for (const char* call : {"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd"})
        EXPECT_EQ(answers[std::string(label) + " " + call], "ESRCH")
            << label << " " << call << " " << (options.empty() ? "default" : "unconfined");
  }
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
