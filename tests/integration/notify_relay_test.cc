// What box-run passes on from a container's sd_notify messages (notify:
// true) to the user manager, through a real unit: readiness and status, and
// nothing that would let the container steer the unit. A container that
// sends MAINPID=<a host PID in the unit's cgroup> (which systemd accepts
// from the unit's main process) must not become the unit's main process,
// and descriptors it sends with FDSTORE=1 must not land in the unit's
// descriptor store (FileDescriptorStoreMax= is raised for the test, so
// systemd would keep them if they reached it). Runs as the test user.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

// In the container: waits for the host PID the test writes to
// /shared/pid, then sends one notification with it, a descriptor and
// readiness, and stays.
constexpr const char* kNotifier = R"PY(
import os, socket, sys, time
while not os.path.exists("/shared/pid"):
    time.sleep(0.05)
pid = open("/shared/pid").read().strip()
r, w = os.pipe()
message = ("MAINPID=%s\nFDSTORE=1\nFDNAME=from-the-box\nWATCHDOG_USEC=1\n"
           "READY=1\nSTATUS=relayed\n" % pid)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(os.environ["NOTIFY_SOCKET"])
socket.send_fds(s, [message.encode()], [r])
print("sent", message.replace("\n", " "), flush=True)
while True:
    time.sleep(60)
)PY";

class NotifyRelay : public BoxTest {
 protected:
  NotifyRelay() : BoxTest("notify", Rootfs::kHostUsr) {}
  void prepare() override {
    shared_ = home() + "/notify-shared";
    write_file(rootfs_ + "/notifier.py", kNotifier);
    fs::remove_all(shared_);
    fs::create_directories(shared_);
    dropins_ = home() + "/.config/systemd/user/box@notifier.service.d";
  }
  void cleanup() override {
    fs::remove_all(dropins_);
    fs::remove_all(shared_);
  }
  std::string shared_, dropins_;
};

TEST_F(NotifyRelay, MainPidAndDescriptorsFromTheContainerDoNotReachTheUnit) {
  define("notifier",
         "rootfs: ~/rootfs-notify\nnotify: true\n"
         "mounts:\n  - {type: bind, source: /usr, target: /usr, readonly: true}\n"
         "  - {type: bind, source: ~/notify-shared, target: /shared}\n"
         "command: [python3, /notifier.py]\n");
  // systemd keeps what the unit's main process sends with FDSTORE=1 only
  // up to this many descriptors (0 by default, which would hide a leak).
  write_file(dropins_ + "/fdstore.conf", "[Service]\nFileDescriptorStoreMax=8\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  ASSERT_EQ(show("box@notifier.service", "FileDescriptorStoreMax"), "8");
  ASSERT_EQ(systemctl({"start", "--no-block", "box@notifier.service"}).exit_code, 0);

  pid_t supervisor = 0, pid1 = -1;
  ASSERT_TRUE(eventually([&] {
    supervisor = static_cast<pid_t>(std::stol("0" + show("box@notifier.service", "MainPID")));
    return supervisor > 0 && (pid1 = first_child(supervisor)) > 0;
  })) << journal("box@notifier.service");
  // A process of the unit's cgroup: systemd would take it as MainPID.
  const std::string unit_cg = show("box@notifier.service", "ControlGroup");
  ASSERT_TRUE(contains(slurp("/proc/" + std::to_string(pid1) + "/cgroup"), unit_cg + "/container"))
      << slurp("/proc/" + std::to_string(pid1) + "/cgroup");
  write_file(shared_ + "/pid.tmp", std::to_string(pid1) + "\n");
  fs::rename(shared_ + "/pid.tmp", shared_ + "/pid");

  // READY=1 and STATUS= came through: the message reached box-run.
  EXPECT_TRUE(eventually([] { return show("box@notifier.service", "ActiveState") == "active"; },
                         std::chrono::seconds(20)))
      << show("box@notifier.service", "ActiveState") << "\n"
      << journal("box@notifier.service");
  EXPECT_EQ(show("box@notifier.service", "StatusText"), "relayed");
  EXPECT_TRUE(contains(journal("box@notifier.service"), "sent MAINPID=" + std::to_string(pid1)))
      << journal("box@notifier.service");
  // The rest did not.
  EXPECT_EQ(show("box@notifier.service", "MainPID"), std::to_string(supervisor));
  EXPECT_EQ(show("box@notifier.service", "NFileDescriptorStore"), "0");
  // WATCHDOG_USEC=1 would have had the unit killed by its watchdog by now.
  EXPECT_EQ(show("box@notifier.service", "ActiveState"), "active")
      << journal("box@notifier.service");

  ASSERT_EQ(systemctl({"stop", "box@notifier.service"}).exit_code, 0);
}

}  // namespace
}  // namespace box::testing
