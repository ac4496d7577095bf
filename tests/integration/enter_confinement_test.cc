// `boxctl enter` into a box that shares the host's pid namespace, where the
// box's processes see every process, the entered ones included: the
// entered command gets the box's bounding set (not its caller's) and the
// box's filter for a shared pid namespace (ptrace denied); the process that
// joins the namespaces and stays outside the box's pid namespace is not
// dumpable, so no process of the box can trace it or read its /proc files
// (environ, fd, mem) even with CAP_SYS_PTRACE in the box. A box without a
// filter is the control: there the kernel lets the same calls through to
// the box's own processes. Runs as the test user against its user manager.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

// In the box: for each LABEL=PID, "LABEL ptrace ANSWER" (PTRACE_SEIZE) and
// "LABEL environ ANSWER" (reading /proc/PID/environ).
constexpr const char* kProbe = R"PY(
import ctypes, errno, sys
libc = ctypes.CDLL(None, use_errno=True)
for arg in sys.argv[1:]:
    label, pid = arg.split("=")
    r = libc.ptrace(ctypes.c_long(0x4206), ctypes.c_long(int(pid)), None, None)
    print(label, "ptrace", "ok" if r == 0 else errno.errorcode[ctypes.get_errno()])
    try:
        open("/proc/%s/environ" % pid, "rb").read()
        print(label, "environ", "ok")
    except OSError as e:
        print(label, "environ", errno.errorcode[e.errno])
)PY";

class EnterConfinement : public BoxTest {
 protected:
  EnterConfinement() : BoxTest("enter") {}
  void SetUp() override {
    BoxTest::SetUp();
    make_host_usr_rootfs(rootfs_);
  }

  // A box sharing the host's pids, mapping only the user's own id (so
  // nothing but the explicit setting makes the joining process not
  // dumpable), with CAP_SYS_PTRACE inside.
  void start(const std::string& name, const std::string& seccomp) {
    define(name,
           "rootfs: ~/rootfs-enter\nuserns: single\nnamespaces: {pid: host}\n"
           "seccomp: " +
               seccomp +
               "\ncapabilities: {add: [CAP_SYS_PTRACE]}\n"
               "mounts:\n  - {type: bind, source: /usr, target: /usr, readonly: true}\n"
               "command: [sh, -c, 'trap \"exit 0\" TERM; while :; do sleep 1 & wait $!; done']\n");
    ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
    auto started = boxctl({"start", name});
    ASSERT_EQ(started.exit_code, 0) << started.output << journal("box@" + name + ".service");
  }

  pid_t pid1(const std::string& name) {
    return first_child(
        static_cast<pid_t>(std::stol("0" + show("box@" + name + ".service", "MainPID"))));
  }

  // The probe's answers ("label call" -> answer) from a command entered
  // into `name`, about the box's PID 1 and a first entered command (the
  // joining process and the command it runs).
  std::map<std::string, std::string> probe(const std::string& name) {
    std::map<std::string, std::string> out;
    Background entered({prefix() + "/bin/boxctl", "enter", name, "--", "sleep", "300"},
                       home() + "/enter-" + name + ".out");
    pid_t joiner = -1, command = -1;
    if (!eventually([&] {
          auto joiners = children_named(entered.pid(), {"boxctl"});
          if (joiners.empty()) return false;
          joiner = *joiners.begin();
          auto commands = children_named(joiner, {"sleep"});
          if (commands.empty()) return false;
          command = *commands.begin();
          return true;
        })) {
      ADD_FAILURE() << "no entered command: " << entered.output();
      return out;
    }
    auto r =
        boxctl({"enter", name, "--", "python3", "-c", kProbe, "pid1=" + std::to_string(pid1(name)),
                "joiner=" + std::to_string(joiner), "command=" + std::to_string(command)});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::istringstream in(r.output);
    std::string label, call, answer;
    while (in >> label >> call >> answer) out[label + " " + call] = answer;
    EXPECT_EQ(out.size(), 6u) << r.output;
    entered.stop();
    return out;
  }
};

TEST_F(EnterConfinement, TheBoxsBoundingSetAndFilterAndAJoinerNoneCanReach) {
  start("pidhost", "default");
  // The bounding set is the box's, not boxctl's (everything, as the test's).
  const std::string box_bounding =
      status_field(slurp("/proc/" + std::to_string(pid1("pidhost")) + "/status"), "CapBnd");
  ASSERT_FALSE(box_bounding.empty());
  ASSERT_NE(box_bounding, status_field(slurp("/proc/self/status"), "CapBnd"))
      << "the box's bounding set is the caller's: the check would prove nothing";
  auto entered =
      boxctl({"enter", "pidhost", "--", "grep", "-E", "^(CapBnd|Seccomp):", "/proc/self/status"});
  EXPECT_EQ(entered.output, "CapBnd:\t" + box_bounding + "\nSeccomp:\t2\n");

  auto confined = probe("pidhost");
  for (const char* target : {"pid1", "joiner", "command"})
    EXPECT_EQ(confined[std::string(target) + " ptrace"], "EPERM") << target;
  EXPECT_EQ(confined["joiner environ"], "EACCES");
  EXPECT_EQ(confined["command environ"], "ok");  // a process of the box's own

  // The control: without a filter, the kernel lets the box trace its own
  // processes, the entered command included; the joining process stays
  // out of reach.
  start("pidhost-open", "unconfined");
  auto open = probe("pidhost-open");
  EXPECT_EQ(open["pid1 ptrace"], "ok");
  EXPECT_EQ(open["command ptrace"], "ok");
  EXPECT_EQ(open["joiner ptrace"], "EPERM");
  EXPECT_EQ(open["joiner environ"], "EACCES");
}

// The entered command gets the box's resource limits, not its caller's
// (issue 16): a box started with nofile 100:200 is entered with 100:200.
TEST_F(EnterConfinement, TheBoxsResourceLimits) {
  define("limited",
         "rootfs: ~/rootfs-enter\nrlimits: {nofile: '100:200'}\n"
         "mounts:\n  - {type: bind, source: /usr, target: /usr, readonly: true}\n"
         "command: [sh, -c, 'trap \"exit 0\" TERM; while :; do sleep 1 & wait $!; done']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  auto started = boxctl({"start", "limited"});
  ASSERT_EQ(started.exit_code, 0) << started.output << journal("box@limited.service");
  auto entered = boxctl({"enter", "limited", "--", "sh", "-c", "ulimit -Sn; ulimit -Hn"});
  EXPECT_EQ(entered.exit_code, 0) << entered.output;
  EXPECT_EQ(entered.output, "100\n200\n");
  // The caller's own are not those: the check would prove nothing.
  auto own = run({"sh", "-c", "ulimit -Sn; ulimit -Hn"});
  EXPECT_NE(own.output, "100\n200\n");
}

}  // namespace
}  // namespace box::testing
