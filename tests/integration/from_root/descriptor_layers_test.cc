// Seen from root: the descriptors of the two box processes that are not
// dumpable, the tiny init and `boxctl enter`'s joining process. Not dumpable
// means no process of the box and not the user either may list them, so
// the tests of descriptors_test.cc, which run as the user, cannot tell
// whether these processes closed what they hold: only root can. The boxes
// themselves still run as the unprivileged test user (box-testbed exec);
// this binary, run by ctest as root, only looks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

namespace fs = std::filesystem;

// The command line that runs `argv` as the test user, in its session.
std::vector<std::string> as_user(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {BOX_TESTBED, "exec", "--"});
  return argv;
}

std::string user_shell(const std::string& script) {
  auto r = run(as_user({"sh", "-c", script}));
  EXPECT_EQ(r.exit_code, 0) << script << "\n" << r.output;
  return r.output;
}

// fd number -> what it points at, as root reads /proc/PID/fd.
std::map<int, std::string> descriptors(pid_t pid) {
  std::map<int, std::string> out;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  for (const auto& e : fs::directory_iterator(dir)) {
    std::error_code ec;
    out[std::stoi(e.path().filename())] = fs::read_symlink(e.path(), ec).string();
  }
  return out;
}

std::string listing(const std::map<int, std::string>& fds) {
  std::string s;
  for (const auto& [fd, target] : fds) s += std::to_string(fd) + " -> " + target + "\n";
  return s;
}

class DescriptorLayers : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(getuid(), 0u) << "these tests look from root; ctest runs them as root";
    setenv("BOX_PREFIX", BOX_TEST_ROOT "/prefix", 1);
    home_ = user_shell("printf %s \"$HOME\"");
    ASSERT_FALSE(home_.empty());
    rootfs_ = home_ + "/rootfs-from-root";
    secret_ = home_ + "/secret-from-root";
    // As the user: a busybox root, and the directory the caller leaves open.
    user_shell("set -e; rm -rf " + rootfs_ + " " + secret_ + "; mkdir -p " + secret_ +
               "; echo host secret >" + secret_ + "/secret; cd " + rootfs_ +
               " 2>/dev/null || mkdir -p " + rootfs_ + "; cd " + rootfs_ +
               "; mkdir -p bin proc dev sys tmp etc root run; cp /bin/busybox bin/;"
               " for a in sh sleep echo true; do ln -s busybox bin/$a; done");
  }
  void TearDown() override {
    for (const auto& name : names_) {
      run(as_user({"systemctl", "--user", "stop", "box@" + name + ".service"}));
      run(as_user({"systemctl", "--user", "reset-failed", "box@" + name + ".service"}));
      run(as_user({"rm", "-f", home_ + "/.config/box/containers/" + name + ".yaml"}));
    }
    if (!names_.empty()) run(as_user({"systemctl", "--user", "daemon-reload"}));
    run(as_user({"rm", "-rf", rootfs_, secret_}));
  }

  std::string home_, rootfs_, secret_;
  std::vector<std::string> names_;
};

// The tiny init stays PID 1 for the box's life and never execs, so
// close-on-exec does nothing for it: the container child's close of every
// descriptor before the init runs is all that keeps the supervisor's
// descriptors (and any of its caller's) out of it. Once its command runs it
// holds stdio and the signalfd it reads, nothing else.
TEST_F(DescriptorLayers, TinyInitHoldsStdioAndItsSignalfdOnly) {
  Background b(as_user({"sh", "-c",
                        "exec 5<" + secret_ + " 6<" + secret_ + "/secret; exec " + box_run() +
                            " run --init tiny " + rootfs_ + " -- sh -c 'echo up; exec sleep 60'"}),
               "/tmp/box-root-view-tiny.out");
  const pid_t init = first_child_once_said(b, "up\n", std::chrono::seconds(20));
  ASSERT_GT(init, 0) << b.output();
  ASSERT_EQ(slurp("/proc/" + std::to_string(b.pid()) + "/comm"), "box-run\n");
  std::map<int, std::string> fds;
  // The init closes its pipes and makes the signalfd once it reads the
  // command's exec; the command may print "up" before the init is run
  // again (seen under the sanitizers). So wait for the signalfd, then check
  // that nothing else is left.
  eventually([&] {
    fds = descriptors(init);
    for (const auto& [fd, target] : fds)
      if (target == "anon_inode:[signalfd]") return true;
    return false;
  });
  std::map<int, std::string> beyond_stdio;
  for (const auto& [fd, target] : fds)
    if (fd > 2) beyond_stdio[fd] = target;
  ASSERT_EQ(beyond_stdio.size(), 1u) << listing(fds);
  EXPECT_EQ(beyond_stdio.begin()->second, "anon_inode:[signalfd]") << listing(fds);
  b.stop();
}

// `boxctl enter`'s joining process stays for the entered command's life,
// in the box's namespaces, with the memory of boxctl. Of boxctl's
// descriptors (whatever its caller left open) it keeps only the pipes to
// boxctl; the command's own close is a second layer, which
// descriptors_test.cc checks from inside. The caller's are at 57 and 58
// (bash: dash takes one digit only), above the numbers the joining process
// is given (3, 4, ...), which would cover low ones were its close missing.
TEST_F(DescriptorLayers, EnterJoinerHoldsNothingOfItsCaller) {
  user_shell("set -e; mkdir -p ~/.config/box/containers; printf '%s\\n' 'rootfs: " + rootfs_ +
             "' 'command: [sleep, \"600\"]' >~/.config/box/containers/rootview.yaml");
  names_.push_back("rootview");
  user_shell("systemctl --user daemon-reload && systemctl --user start box@rootview.service");
  Background enter(
      as_user({"bash", "-c",
               "exec 57<" + secret_ + " 58<" + secret_ + "/secret; exec " + prefix() +
                   "/bin/boxctl enter --no-tty rootview -- sh -c 'echo in; exec sleep 60'"}),
      "/tmp/box-root-view-enter.out");
  const pid_t joiner = first_child_once_said(enter, "in\n", std::chrono::seconds(30));
  ASSERT_GT(joiner, 0) << enter.output();
  ASSERT_EQ(slurp("/proc/" + std::to_string(enter.pid()) + "/comm"), "boxctl\n");
  auto fds = descriptors(joiner);
  const std::string dir = fs::canonical(secret_).string();
  for (const auto& [fd, target] : fds) {
    EXPECT_NE(target, dir) << listing(fds);
    EXPECT_NE(target, dir + "/secret") << listing(fds);
  }
  // boxctl itself holds them still: the listing works and proves the
  // caller's descriptors were there to leak.
  auto caller = descriptors(enter.pid());
  EXPECT_EQ(caller[57], dir) << listing(caller);
  EXPECT_EQ(caller[58], dir + "/secret") << listing(caller);
  enter.stop();
}

}  // namespace
}  // namespace box::testing
