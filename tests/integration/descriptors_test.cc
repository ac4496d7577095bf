// Trust boundary: nothing of the caller's descriptors reaches a container
// (docs/security.md). Each test opens a host directory the way a shell, a CI
// runner or a service manager leaves one to its children (`exec 5<DIR`),
// then attacks it from inside exactly as the review did: through
// /proc/1/fd/N of a tiny init, or an entered command's own fd N. Runs as the
// unprivileged test user.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

// From inside, `sh /attack PROC N`: tries every way the review used to
// reach the caller's directory at descriptor N of process PROC, and lists
// whether the shell itself holds descriptor N. "done" last, so a test sees
// the script ran.
constexpr const char* kAttack =
    "cat $1/fd/$2/secret; echo pwned > $1/fd/$2/planted; ls $1/fd/$2/\n"
    "[ -e /proc/$$/fd/$2 ] && echo HELD $2\n"
    "echo done\n";

// The descriptor numbers of `ls -l /proc/PID/fd` output ("... 2 -> /dev/null").
std::set<int> listed_fds(const std::string& text) {
  std::set<int> fds;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto arrow = line.find(" -> ");
    if (arrow == std::string::npos) continue;
    const auto start = line.rfind(' ', arrow - 1);
    fds.insert(std::stoi(line.substr(start + 1, arrow - start - 1)));
  }
  return fds;
}

class Descriptors : public BoxTest {
 protected:
  Descriptors() : BoxTest("fds") {}
  void SetUp() override {
    BoxTest::SetUp();
    write_file(rootfs_ + "/attack", kAttack);
    secret_ = home() + "/fd-secret";
    fs::remove_all(secret_);
    fs::create_directories(secret_);
    write_file(secret_ + "/secret", "host secret\n");
  }
  void TearDown() override {
    fs::remove_all(home() + "/.config/systemd/user/box@fdsys.service.d");
    BoxTest::TearDown();
    fs::remove_all(secret_);
  }

  // The caller's directory is as it was: nothing read back, nothing added.
  void expect_untouched(const CommandResult& r) {
    EXPECT_TRUE(contains(r.output, "done")) << r.output;  // "\r\n" on a terminal
    EXPECT_FALSE(contains(r.output, "host secret")) << r.output;
    EXPECT_FALSE(contains(r.output, "HELD")) << r.output;
    std::set<std::string> entries;
    for (const auto& e : fs::directory_iterator(secret_)) entries.insert(e.path().filename());
    EXPECT_EQ(entries, (std::set<std::string>{"secret"}));
  }

  std::string secret_;
};

// Finding 1: the tiny init kept the caller's descriptors (only marked
// close-on-exec, and it never execs), and any process of the box reached
// the host directory through /proc/1/fd/5.
TEST_F(Descriptors, TinyInitOffersNoCallerDescriptor) {
  auto r = run({"sh", "-c",
                "exec 5<" + secret_ + "; exec 6<" + secret_ + "; " + box_run() +
                    " run --init tiny --writable " + rootfs_ + " -- sh /attack /proc/1 5"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  expect_untouched(r);
  // The init is not dumpable: even its own files in /proc are closed to the
  // box (it holds the supervisor's memory).
  auto environ = run({box_run(), "run", "--init", "tiny", rootfs_, "--", "sh", "-c",
                      "cat /proc/1/environ >/dev/null && echo readable; ls /proc/1/fd/ && "
                      "echo listed; echo done"});
  EXPECT_TRUE(contains(environ.output, "done\n")) << environ.output;
  EXPECT_FALSE(contains(environ.output, "readable")) << environ.output;
  EXPECT_FALSE(contains(environ.output, "listed")) << environ.output;
}

// The same attack where PID 1 is the command itself (init: none), and from
// the command under a tiny init: its own descriptors are stdio only, with
// five of the caller's open (directories, a file, /dev/null), listed in
// full by the container's own shell.
TEST_F(Descriptors, ContainerProcessesHoldOnlyStdio) {
  const std::string caller_fds = "exec 5<" + secret_ + " 6<" + secret_ + "/secret 7<" + secret_ +
                                 " 8</dev/null 9<" + secret_ + "; ";
  for (const char* init : {"none", "tiny"}) {
    auto r = run({"sh", "-c",
                  caller_fds + box_run() + " run --init " + init + " " + rootfs_ +
                      " -- sh /attack /proc/self 5"});
    EXPECT_EQ(r.exit_code, 0) << init << ": " << r.output;
    expect_untouched(r);
    // The shell's own descriptors, listed by its child (the shell stays:
    // `; true`). No redirection or `$(...)`: the shell would hold the
    // saved or piped descriptor meanwhile.
    auto listed = run({"sh", "-c",
                       caller_fds + box_run() + " run --init " + init + " " + rootfs_ +
                           " -- sh -c 'ls -l /proc/$$/fd; true'"});
    EXPECT_EQ(listed.exit_code, 0) << init << ": " << listed.output;
    EXPECT_EQ(listed_fds(listed.output), (std::set<int>{0, 1, 2})) << "init: " << init << "\n"
                                                                   << listed.output;
  }
}

// init: systemd, started by its unit, with the caller's descriptors held by
// the unit's own process (a wrapper in a drop-in opens them before it execs
// box-run, as a service manager or a socket-activation wrapper would): the
// container's PID 1 has stdio only. Its table is read from the host (the
// user owns the box's user namespace), which sees what the container would.
TEST_F(Descriptors, InitSystemdStartsWithStdioOnly) {
  define("fdsys",
         "rootfs: ~/rootfs-fds\ninit: systemd\n"
         "command: [sh, -c, 'trap \"exit 0\" TERM; while :; do sleep 1 & wait $!; done']\n");
  const std::string dropins = home() + "/.config/systemd/user/box@fdsys.service.d";
  write_file(dropins + "/90-descriptors.conf",
             "[Service]\nExecStart=\nExecStart=/bin/sh -c 'exec 5<" + secret_ + " 6<" + secret_ +
                 "/secret 9<" + secret_ + "; exec " + box_run() + " start fdsys'\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  // Its READY=1 would come from an inner systemd: this shell sends none.
  ASSERT_EQ(systemctl({"start", "--no-block", "box@fdsys.service"}).exit_code, 0);
  // PID 1 once it runs the command (before the exec it is box-run's copy).
  pid_t pid1 = -1;
  ASSERT_TRUE(eventually([&] {
    const pid_t main = static_cast<pid_t>(std::stol("0" + show("box@fdsys.service", "MainPID")));
    pid1 = main > 0 ? first_child(main) : -1;
    return pid1 > 0 &&
           status_field(slurp("/proc/" + std::to_string(pid1) + "/status"), "Name") == "sh";
  })) << journal("box@fdsys.service");
  std::set<int> fds;
  std::string targets;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(pid1) + "/fd", ec)) {
    fds.insert(std::stoi(e.path().filename().string()));
    std::error_code link_ec;
    targets +=
        e.path().filename().string() + " -> " + fs::read_symlink(e.path(), link_ec).string() + "\n";
  }
  ASSERT_FALSE(ec) << "list /proc/" << pid1 << "/fd: " << ec.message();
  EXPECT_EQ(fds, (std::set<int>{0, 1, 2})) << targets;
}

// Finding 2: `boxctl enter` passed its caller's descriptors to the command
// it started in the container (runc's CVE-2024-21626 class): an entered
// shell wrote into the host directory through fd 7. With and without a
// terminal. The directory is at 57 here (bash: dash takes one digit only),
// above the numbers the joining process is given (3, 4, ...), which would
// cover a caller's low descriptor were a close missing.
TEST_F(Descriptors, EnterPassesNoCallerDescriptor) {
  define("fdenter", "rootfs: ~/rootfs-fds\nrootfs_writes: overlay\n"
                    "command: [sh, -c, 'trap \"exit 0\" TERM; while :; do sleep 1 & wait $!; done']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  auto start = systemctl({"start", "box@fdenter.service"});
  ASSERT_EQ(start.exit_code, 0) << start.output << journal("box@fdenter.service");

  auto plain = run({"bash", "-c",
                    "exec 57<" + secret_ + "; " + prefix() +
                        "/bin/boxctl enter --no-tty fdenter -- sh /attack /proc/self 57"});
  EXPECT_EQ(plain.exit_code, 0) << plain.output;
  expect_untouched(plain);

  // A terminal inside the box (script(1) gives boxctl one outside).
  auto tty = run({"script", "-qec",
                  "bash -c 'exec 57<" + secret_ + "; " + prefix() +
                      "/bin/boxctl enter --tty fdenter -- sh /attack /proc/self 57'",
                  "/dev/null"});
  EXPECT_EQ(tty.exit_code, 0) << tty.output;
  expect_untouched(tty);
}

// Entering a box whose PID 1 is the (not dumpable) tiny init goes through
// its command, which has the same namespaces and root.
TEST_F(Descriptors, EnterReachesABoxUnderTheTinyInit) {
  define("fdtiny", "rootfs: ~/rootfs-fds\ninit: tiny\nhostname: tiny-host\n"
                   "env: {MARK: from-pid-2}\n"
                   "command: [sh, -c, 'while :; do sleep 1 & wait $!; done']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  auto start = systemctl({"start", "box@fdtiny.service"});
  ASSERT_EQ(start.exit_code, 0) << start.output << journal("box@fdtiny.service");
  auto r = boxctl({"enter", "--no-tty", "fdtiny", "sh", "-c",
                   "echo $(hostname) $MARK $(cat /proc/1/comm)"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "tiny-host from-pid-2 box-run\n");
}

// The helpers box starts beside a container (the network helper, and
// fuse-overlayfs serving its root) hold no descriptor of the caller's.
// slirp4netns: pasta makes itself not dumpable, so neither we nor a
// container can list its descriptors.
TEST_F(Descriptors, HelpersHoldNoCallerDescriptor) {
  Background b({"sh", "-c",
                "exec 5<" + secret_ + "; BOX_NETWORK_HELPER=slirp4netns exec " + box_run() +
                    " run --network private --writable --overlay-driver fuse " + rootfs_ +
                    " -- sh -c 'echo up; exec sleep 60'"},
               home() + "/fds-helpers.out");
  pid_t supervisor = b.pid();
  std::set<pid_t> helpers;
  ASSERT_TRUE(eventually([&] {
    helpers = children_named(supervisor, {"slirp4netns", "fuse-overlayfs"});
    return helpers.size() == 2 && contains(b.output(), "up\n");
  }, std::chrono::seconds(20)))
      << b.output();
  const std::string target = fs::canonical(secret_).string();
  auto expect_clean = [&](pid_t pid) {
    const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    const std::string name = status_field(slurp("/proc/" + std::to_string(pid) + "/status"), "Name");
    std::error_code ec;
    int seen = 0;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      ++seen;
      std::error_code link_ec;
      EXPECT_NE(fs::read_symlink(e.path(), link_ec).string(), target)
          << name << ": " << e.path().string();
    }
    EXPECT_FALSE(ec) << name << ": list " << dir << ": " << ec.message();
    EXPECT_GT(seen, 2) << name << ": " << dir;  // at least stdio: the listing worked
  };
  for (pid_t helper : helpers) expect_clean(helper);
  // The supervisor itself closed what its caller left it.
  expect_clean(supervisor);
  b.stop();
}

}  // namespace
}  // namespace box::testing
