// The edges of `init: systemd` that need no real systemd inside: what
// box-run reports when the container's init is ended by reboot(2) (a reboot
// is exit status 133, as systemd-nspawn reports it, a halt or power-off a
// clean 0; only for `init: systemd`), and what it says when it is started
// where its cgroup is not delegated. Runs as the test user.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

class InnerInit : public BoxTest {
 protected:
  void prepare() override {
    for (const char* applet : {"reboot", "halt", "poweroff"})
      fs::create_symlink("busybox", rootfs_ + "/bin/" + applet);
  }
  // Starts box@NAME (its READY=1 would come from an inner systemd: none
  // comes) and waits for its end.
  void run_to_the_end(const std::string& name) {
    ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
    ASSERT_EQ(systemctl({"start", "--no-block", "box@" + name + ".service"}).exit_code, 0);
    const std::string unit = "box@" + name + ".service";
    ASSERT_TRUE(eventually(
        [&] {
          const std::string state = show(unit, "ActiveState");
          return (state == "inactive" || state == "failed") && show(unit, "ExecMainPID") != "0";
        },
        std::chrono::seconds(20)))
        << show(unit, "ActiveState") << "\n"
        << journal(unit);
  }
};

// reboot(2) in a pid namespace ends its init with SIGHUP (reboot) or SIGINT
// (halt, power-off): pid_namespaces(7). busybox's `-f` calls it directly.
TEST_F(InnerInit, RebootIsStatus133HaltAndPowerOffAreZero) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"reboot", "133"}, {"halt", "0"}, {"poweroff", "0"}};
  for (const auto& [command, status] : cases) {
    const std::string name = "init-" + command;
    define(name,
           "rootfs: ~/rootfs-innerinit\ninit: systemd\n"
           "command: [sh, -c, 'echo going down; " +
               command + " -f; sleep 30']\n");
    run_to_the_end(name);
    const std::string unit = "box@" + name + ".service";
    EXPECT_EQ(show(unit, "ExecMainCode"), "1") << command << ": box-run exited by itself";
    EXPECT_EQ(show(unit, "ExecMainStatus"), status) << command << "\n" << journal(unit);
    EXPECT_TRUE(contains(journal(unit), "going down")) << journal(unit);
  }
}

// Without `init: systemd` a reboot is only the signal it is: box-run ends
// by SIGHUP, as the program would outside a container (128+1 in a shell).
TEST_F(InnerInit, ARebootOfAnotherInitIsItsSignal) {
  auto r = run({"sh", "-c",
                box_run() + " run --cap-add SYS_BOOT " + rootfs_ +
                    " -- sh -c 'reboot -f; sleep 30'; echo status=$?"});
  EXPECT_TRUE(contains(r.output, "status=129\n")) << r.output;
}

// `box-run start` of an `init: systemd` box from a shell, whose cgroup
// (here the root, as for a login session's scope) the user cannot write:
// refused before anything is made, saying how to start it instead. The
// same start of a box without an init runs, in box-run's cgroup, with a
// warning.
TEST_F(InnerInit, WithoutADelegatedCgroupInitSystemdIsRefused) {
  std::string own;
  {
    std::istringstream lines(slurp("/proc/self/cgroup"));
    for (std::string line; std::getline(lines, line);)
      if (line.rfind("0::", 0) == 0) own = line.substr(3);
  }
  const std::string root = fs::exists("/sys/fs/cgroup/unified/cgroup.procs")
                               ? "/sys/fs/cgroup/unified"
                               : "/sys/fs/cgroup";
  const std::string own_dir = root + (own == "/" ? "" : own);
  ASSERT_NE(access(own_dir.c_str(), W_OK), 0)
      << "the test runs in a cgroup it may write (" << own_dir
      << "): it cannot show the refusal from here";

  define("needs-cgroup",
         "rootfs: ~/rootfs-innerinit\ninit: systemd\n"
         "command: [sh, -c, 'echo started']\n");
  auto r = run({box_run(), "start", "needs-cgroup"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_TRUE(contains(r.output,
                       "start box 'needs-cgroup': the container needs its own cgroup "
                       "(run it as box@needs-cgroup.service, whose cgroup is "
                       "delegated): create cgroup '" +
                           own_dir + "/container': Permission denied"))
      << r.output;
  EXPECT_FALSE(contains(r.output, "started")) << r.output;
  EXPECT_FALSE(fs::exists(own_dir + "/container"));
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  ASSERT_TRUE(runtime && *runtime);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(std::string(runtime) + "/box", ec))
    EXPECT_FALSE(contains(e.path().filename().string(), "notify-needs-cgroup-")) << e.path();

  define("plain", "rootfs: ~/rootfs-innerinit\ncommand: [sh, -c, 'echo started']\n");
  auto plain = run({box_run(), "start", "plain"});
  EXPECT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_TRUE(contains(plain.output, "started\n")) << plain.output;
  EXPECT_TRUE(contains(plain.output, "running in box-run's cgroup: create cgroup '" + own_dir +
                                         "/container': Permission denied"))
      << plain.output;
}

}  // namespace
}  // namespace box::testing
