// Rootless podman (Debian's) with `--runtime box-oci`, as the unprivileged
// test user: podman, conmon and slirp4netns call box-oci as they call runc.
// The image is podman's own import of a busybox root. `podman pause` is not
// here: on a host whose /sys/fs/cgroup is not cgroup2 (hybrid, as this
// one), rootless podman refuses it before asking any runtime ("can not
// pause containers on rootless containers with cgroup V1"); box-oci's own
// pause is OciCgroups'.
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

std::string box_oci() { return prefix() + "/bin/box-oci"; }

class Podman : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(getuid(), 0u) << "runs as the unprivileged test user";
    dir_ = home() + "/podman-" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    make_busybox_rootfs(dir_ + "/rootfs");
    for (const char* applet : {"httpd", "wget", "tr"})
      fs::create_symlink("busybox", fs::path(dir_) / "rootfs/bin" / applet);
    auto tar = run({"tar", "-C", dir_ + "/rootfs", "-cf", dir_ + "/rootfs.tar", "."});
    ASSERT_EQ(tar.exit_code, 0) << tar.output;
    auto imported = podman({"import", dir_ + "/rootfs.tar", kImage});
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
  }
  void TearDown() override {
    podman({"rm", "--force", "--all", "--time", "0"});
    podman({"rmi", "--force", kImage});
    fs::remove_all(dir_);
  }
  static CommandResult podman(std::vector<std::string> args,
                              std::chrono::seconds timeout = std::chrono::seconds(120)) {
    args.insert(args.begin(), {"podman", "--runtime", box_oci()});
    return run(args, timeout);
  }
  static constexpr const char* kImage = "localhost/box-busybox:test";
  std::string dir_;
};

TEST_F(Podman, RunsAContainerThroughBoxOci) {
  auto r = podman({"run", "--rm", "--network", "none", kImage, "sh", "-c",
                   "echo hello-from-podman; echo map $(cat /proc/self/uid_map | tr -s ' ')"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "hello-from-podman")) << r.output;
  // podman's own map: the user as root, its subordinate range after.
  EXPECT_TRUE(contains(r.output, "map 0 " + std::to_string(getuid()) + " 1 1 ")) << r.output;
}

TEST_F(Podman, DetachedExecWithATerminalLogsTopKillStopRemove) {
  auto started = podman({"run", "-d", "--name", "c1", kImage, "sh", "-c",
                         "echo started; trap 'echo got-usr1' USR1; trap 'echo bye; exit 0' TERM; "
                         "while :; do sleep 0.1; done"});
  ASSERT_EQ(started.exit_code, 0) << started.output;
  std::string id = started.output.substr(0, started.output.find('\n'));
  // box-oci holds its record: it, not podman's default runtime, runs it.
  EXPECT_TRUE(fs::exists(std::string(std::getenv("XDG_RUNTIME_DIR")) + "/box-oci/" + id + "/state.json"))
      << id;
  EXPECT_EQ(podman({"inspect", "--format", "{{.OCIRuntime}}", "c1"}).output, box_oci() + "\n");

  auto exec = podman({"exec", "c1", "sh", "-c", "echo in-exec; exit 4"});
  EXPECT_EQ(exec.exit_code, 4) << exec.output;
  EXPECT_TRUE(contains(exec.output, "in-exec")) << exec.output;

  // exec -it: conmon asks for a terminal through the console socket; the
  // caller's own terminal is script(1)'s.
  auto tty = run({"script", "-qec",
                  "podman --runtime '" + box_oci() + "' exec -it c1 sh -c 'tty; echo in-tty; exit 3'",
                  "/dev/null"});
  EXPECT_EQ(tty.exit_code, 3) << tty.output;
  // Under load a NUL may reach the terminal between the lines (seen twice
  // in CI): as is, or echoed as "^@" by the pty's ECHOCTL when it came in
  // as input. What matters is the two lines, from a pty.
  std::string tty_text = tty.output;
  std::erase(tty_text, '\0');
  for (auto at = tty_text.find("^@"); at != std::string::npos; at = tty_text.find("^@"))
    tty_text.erase(at, 2);
  EXPECT_TRUE(contains(tty_text, "/dev/pts/0\r\nin-tty\r\n")) << tty.output;

  auto top = podman({"top", "c1"});
  EXPECT_EQ(top.exit_code, 0) << top.output;
  EXPECT_TRUE(contains(top.output, "sleep")) << top.output;

  ASSERT_EQ(podman({"kill", "--signal", "USR1", "c1"}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return contains(podman({"logs", "c1"}).output, "got-usr1"); }))
      << podman({"logs", "c1"}).output;

  auto stopped = podman({"stop", "--time", "10", "c1"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.output;
  auto logs = podman({"logs", "c1"});
  EXPECT_TRUE(contains(logs.output, "started\n")) << logs.output;
  EXPECT_TRUE(contains(logs.output, "bye")) << logs.output;
  EXPECT_EQ(podman({"inspect", "--format", "{{.State.ExitCode}}", "c1"}).output, "0\n");

  ASSERT_EQ(podman({"rm", "c1"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(std::string(std::getenv("XDG_RUNTIME_DIR")) + "/box-oci/" + id));
}

TEST_F(Podman, APublishedPortServes) {
  auto started = podman({"run", "-d", "--name", "web", "-p", "127.0.0.1:18089:8080", kImage, "sh",
                         "-c",
                         "mkdir -p /www; echo served-by-box > /www/index.html; "
                         "exec httpd -f -p 8080 -h /www"});
  ASSERT_EQ(started.exit_code, 0) << started.output;
  std::string body;
  EXPECT_TRUE(eventually(
      [&] {
        body = run({"python3", "-c",
                    "import urllib.request;"
                    "print(urllib.request.urlopen('http://127.0.0.1:18089/index.html',timeout=2)"
                    ".read().decode(),end='')"})
                   .output;
        return contains(body, "served-by-box");
      },
      std::chrono::seconds(20)))
      << body;
}

}  // namespace
}  // namespace box::testing
