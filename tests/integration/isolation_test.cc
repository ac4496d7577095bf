// What a container can see and do, checked from inside and outside, through
// the foreground path (box-run run) as the unprivileged test user.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

class Isolation : public BoxTest {};

TEST_F(Isolation, RootInsideIsTheUserOutside) {
  auto r = box({}, "id -u; id -g; cat /proc/self/uid_map");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "0\n0\n")) << r.output;
  EXPECT_TRUE(contains(r.output, std::to_string(getuid()) + "          1")) << r.output;
}

TEST_F(Isolation, SeesOnlyItsOwnProcesses) {
  auto r = box({}, "ls -d /proc/[0-9]* | wc -l; echo pid=$$");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // PID 1 (the shell), ls and wc: nothing of the host.
  EXPECT_TRUE(contains(r.output, "pid=1")) << r.output;
  int count = std::stoi(r.output);
  EXPECT_LE(count, 3) << r.output;
}

TEST_F(Isolation, RootfsIsReadOnlyAndUnchanged) {
  auto r = box({}, "touch /new-file; echo rc=$?");
  EXPECT_TRUE(contains(r.output, "Read-only file system")) << r.output;
  EXPECT_FALSE(fs::exists(rootfs_ + "/new-file"));
}

// The mount options of `mount_point` in /proc/self/mountinfo text, as
// "FSTYPE OPTION,OPTION..." (per-mount options, then the superblock's), or
// "" when nothing is mounted there.
std::string mount_at(const std::string& mountinfo, const std::string& mount_point) {
  std::istringstream lines(mountinfo);
  std::string line, found;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string id, parent, devno, root, point, options, field;
    f >> id >> parent >> devno >> root >> point >> options;
    if (point != mount_point) continue;
    while (f >> field && field != "-") {
    }
    std::string type, source, super;
    f >> type >> source >> super;
    found = type + " " + options + "," + super;  // the last one mounted there wins
  }
  return found;
}

bool has_option(const std::string& mount, const std::string& option) {
  const std::string options = "," + mount.substr(mount.find(' ') + 1) + ",";
  return contains(options, "," + option + ",");
}

// /dev holds exactly the device nodes a container needs (the host's, by
// major:minor) and the usual mounts and links, nothing of the host's disks;
// /proc is a procfs of the container's own pid namespace, without suid,
// devices or exec, and what it must not change there is read-only.
TEST_F(Isolation, MinimalDevAndProc) {
  auto r =
      box({},
          "echo dev: $(ls -A /dev); "
          "for d in null zero full random urandom tty; do echo \"/dev/$d: $(stat -c '%F %t:%T' "
          "/dev/$d)\"; done; "
          "for l in ptmx fd stdin stdout stderr; do echo \"/dev/$l: $(readlink /dev/$l)\"; done; "
          "echo x > /dev/null && echo null-ok; "
          "echo \"proc: $(stat -f -c %T /proc) $(cat /proc/1/comm)\"; "
          "echo mountinfo; cat /proc/self/mountinfo");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(status_field(r.output, "dev"),
            "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero")
      << r.output;
  const std::map<std::string, std::string> nodes = {{"null", "1:3"},    {"zero", "1:5"},
                                                    {"full", "1:7"},    {"random", "1:8"},
                                                    {"urandom", "1:9"}, {"tty", "5:0"}};
  for (const auto& [name, number] : nodes)
    EXPECT_EQ(status_field(r.output, "/dev/" + name), "character special file " + number)
        << r.output;
  const std::map<std::string, std::string> links = {{"ptmx", "pts/ptmx"},
                                                    {"fd", "/proc/self/fd"},
                                                    {"stdin", "/proc/self/fd/0"},
                                                    {"stdout", "/proc/self/fd/1"},
                                                    {"stderr", "/proc/self/fd/2"}};
  for (const auto& [name, target] : links)
    EXPECT_EQ(status_field(r.output, "/dev/" + name), target) << r.output;
  EXPECT_TRUE(contains(r.output, "null-ok\n")) << r.output;
  // PID 1 of this procfs is the shell: its pid namespace is the container's.
  EXPECT_EQ(status_field(r.output, "proc"), "proc sh") << r.output;

  const std::string mounts = r.output.substr(r.output.find("mountinfo\n"));
  const std::string dev = mount_at(mounts, "/dev"), proc = mount_at(mounts, "/proc");
  EXPECT_EQ(dev.substr(0, dev.find(' ')), "tmpfs") << mounts;
  for (const char* o : {"nosuid", "noexec"}) EXPECT_TRUE(has_option(dev, o)) << o << ": " << dev;
  EXPECT_EQ(mount_at(mounts, "/dev/pts").substr(0, 7), "devpts ") << mounts;
  EXPECT_EQ(mount_at(mounts, "/dev/shm").substr(0, 6), "tmpfs ") << mounts;
  EXPECT_EQ(mount_at(mounts, "/dev/mqueue").substr(0, 7), "mqueue ") << mounts;
  EXPECT_EQ(proc.substr(0, proc.find(' ')), "proc") << mounts;
  for (const char* o : {"nosuid", "nodev", "noexec"})
    EXPECT_TRUE(has_option(proc, o)) << o << ": " << proc;
  for (const char* p : {"/proc/sys", "/proc/bus", "/proc/fs", "/proc/irq"}) {
    if (!fs::exists(p)) continue;
    EXPECT_TRUE(has_option(mount_at(mounts, p), "ro")) << p << ": " << mount_at(mounts, p);
  }
}

TEST_F(Isolation, CapabilitiesAreLimitedAndNoNewPrivs) {
  auto r = box({}, "grep -E '^(CapBnd|NoNewPrivs)' /proc/self/status");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // CAP_SYS_ADMIN (bit 21) is not in the bounding set.
  EXPECT_TRUE(contains(r.output, "CapBnd:\t00000000800405fb")) << r.output;
  EXPECT_TRUE(contains(r.output, "NoNewPrivs:\t1")) << r.output;
}

TEST_F(Isolation, EnvironmentIsClean) {
  setenv("BOX_SECRET_FROM_HOST", "leak", 1);
  auto r = box({}, "env");
  unsetenv("BOX_SECRET_FROM_HOST");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(contains(r.output, "BOX_SECRET_FROM_HOST")) << r.output;
  EXPECT_TRUE(contains(r.output, "container=box")) << r.output;
}

TEST_F(Isolation, ExitStatusPassesThrough) {
  EXPECT_EQ(box({}, "exit 7").exit_code, 7);
  auto missing = run({box_run(), "run", rootfs_, "--", "no-such-command"});
  EXPECT_EQ(missing.exit_code, 127);
  EXPECT_TRUE(contains(missing.output, "execute 'no-such-command': No such file or directory"))
      << missing.output;
}

// A tmpfs the command line (or a definition's `mounts:`) asks for is
// nosuid and nodev: a setuid file or a device node written there by the
// container does not work, as on the host's /tmp.
TEST_F(Isolation, TmpfsMountsAreNosuidAndNodev) {
  // On /tmp, which the image has: its root is read-only, so a mount point
  // it lacks could not be created.
  auto r = run({box_run(), "run", "--tmpfs", "/tmp", rootfs_, "--", "cat",
                "/proc/self/mountinfo"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string scratch = mount_at(r.output, "/tmp");
  ASSERT_EQ(scratch.rfind("tmpfs ", 0), 0u) << "no tmpfs at /tmp: " << r.output;
  for (const char* o : {"nosuid", "nodev"}) EXPECT_TRUE(has_option(scratch, o)) << o << ": " << scratch;
}

}  // namespace
}  // namespace box::testing
