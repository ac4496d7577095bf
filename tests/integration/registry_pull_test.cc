// boxctl install docker://REF (issue 16, "the first hour"): skopeo pulls
// from a real registry (Debian's docker-registry, run by the test user on
// loopback, no network needed) into an OCI layout, which is installed as
// oci:DIR is, the record naming the docker:// reference; and the precise
// errors when skopeo is missing or the pull fails.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

class RegistryPull : public BoxTest {
 protected:
  void prepare() override {
    port_ = std::to_string(35000 + ::getpid() % 1000);
    registry_dir_ = home() + "/registry";
    fs::create_directories(registry_dir_ + "/store");
    write_file(registry_dir_ + "/config.yml", "version: 0.1\nstorage:\n  filesystem:\n"
                                              "    rootdirectory: " + registry_dir_ + "/store\n"
                                              "http:\n  addr: 127.0.0.1:" + port_ + "\n");
    registry_ = std::make_unique<Background>(
        std::vector<std::string>{"/usr/bin/docker-registry", "serve",
                                 registry_dir_ + "/config.yml"},
        registry_dir_ + "/log");
    // The registry speaks plain HTTP on loopback: the user says so in
    // containers-registries.conf(5), as for any local registry.
    fs::create_directories(home() + "/.config/containers");
    write_file(home() + "/.config/containers/registries.conf",
               "[[registry]]\nlocation = \"127.0.0.1:" + port_ + "\"\ninsecure = true\n");
  }
  void cleanup() override {
    boxctl({"uninstall", "hello"});
    registry_.reset();
    fs::remove_all(registry_dir_);
    fs::remove(home() + "/.config/containers/registries.conf");
    fs::remove_all(home() + "/pull-layout");
  }
  std::string reference(const std::string& repo) {
    return "docker://127.0.0.1:" + port_ + "/" + repo;
  }

  std::string port_, registry_dir_;
  std::unique_ptr<Background> registry_;
};

TEST_F(RegistryPull, InstallDockerPullsThroughSkopeo) {
  const std::string layout = home() + "/pull-layout";
  make_oci_layout(layout, rootfs_);
  CommandResult push;
  ASSERT_TRUE(eventually(
      [&] {
        push = run({"skopeo", "copy", "oci:" + layout + ":latest", reference("box/hello:1")});
        return push.exit_code == 0;
      },
      std::chrono::seconds(20)))
      << push.output << registry_->output();

  auto installed = boxctl({"install", reference("box/hello:1")});
  ASSERT_EQ(installed.exit_code, 0) << installed.output;
  EXPECT_TRUE(contains(installed.output, "Pulling " + reference("box/hello:1") + " with skopeo"))
      << installed.output;
  EXPECT_TRUE(contains(installed.output, "Copying blob")) << installed.output;  // skopeo's
  EXPECT_TRUE(contains(installed.output, "Installed hello from " + reference("box/hello:1")))
      << installed.output;
  auto images = boxctl({"images"});
  EXPECT_TRUE(contains(images.output, reference("box/hello:1"))) << images.output;
  auto ran = boxctl({"run", "hello", "echo", "pulled", "and", "run"});
  EXPECT_EQ(ran.exit_code, 0) << ran.output;
  EXPECT_EQ(ran.output, "pulled and run\n");
  // The layout skopeo wrote is gone.
  for (const auto& e : fs::directory_iterator(home() + "/.cache/box"))
    EXPECT_NE(e.path().filename().string().rfind("pull-", 0), 0u) << e.path();

  auto missing = boxctl({"install", reference("box/nope:1"), "nope"});
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_TRUE(contains(missing.output, "boxctl: pull '" + reference("box/nope:1") +
                                           "': 'skopeo copy " + reference("box/nope:1")))
      << missing.output;
  EXPECT_TRUE(contains(missing.output, "failed (exit status 1; skopeo's message is above): "
                                       "nothing was installed"))
      << missing.output;
  EXPECT_FALSE(contains(boxctl({"images"}).output, "nope"));

  auto no_skopeo = run({"env", "PATH=/nonexistent", prefix() + "/bin/boxctl", "install",
                        reference("box/hello:1"), "other"});
  EXPECT_EQ(no_skopeo.exit_code, 1) << no_skopeo.output;
  EXPECT_TRUE(contains(no_skopeo.output,
                       "box pulls from registries through skopeo, which is not installed (not in "
                       "$PATH): install Debian's package skopeo"))
      << no_skopeo.output;
}

// ^C (SIGINT to boxctl alone, as `kill -INT` sends it) while skopeo waits
// on a registry that accepts and never answers: skopeo is stopped, the
// layout removed, nothing installed, exit 130.
TEST_F(RegistryPull, ACancelledPullStopsSkopeoAndLeavesNothing) {
  const std::string stall_port = std::to_string(std::stoi(port_) + 1);
  Background stall({"python3", "-c",
                    "import socket, sys\n"
                    "s = socket.socket()\n"
                    "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                    "s.bind(('127.0.0.1', int(sys.argv[1])))\n"
                    "s.listen(16)\n"
                    "print('listening', flush=True)\n"
                    "kept = []\n"
                    "while True: kept.append(s.accept())\n",
                    stall_port},
                   registry_dir_ + "/stall.log");
  ASSERT_TRUE(eventually([&] { return contains(stall.output(), "listening"); }))
      << stall.output();
  write_file(home() + "/.config/containers/registries.conf",
             "[[registry]]\nlocation = \"127.0.0.1:" + stall_port + "\"\ninsecure = true\n");
  const std::string ref = "docker://127.0.0.1:" + stall_port + "/box/stalled:1";

  PipedProcess pull({prefix() + "/bin/boxctl", "install", ref, "stalled"});
  ASSERT_TRUE(pull.wait_for("Pulling " + ref)) << pull.output();
  // skopeo is running, and waiting on the registry.
  ASSERT_TRUE(eventually([&] {
    return run({"pgrep", "-f", "skopeo copy " + ref}).exit_code == 0;
  })) << pull.output();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(::kill(pull.pid(), SIGINT), 0);
  const auto asked = std::chrono::steady_clock::now();
  EXPECT_EQ(pull.wait(), 130) << pull.output();
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(5));
  EXPECT_TRUE(contains(pull.output(), "boxctl: the pull of " + ref +
                                          " was cancelled: nothing was installed\n"))
      << pull.output();
  EXPECT_EQ(run({"pgrep", "-f", "skopeo copy " + ref}).exit_code, 1);
  for (const auto& e : fs::directory_iterator(home() + "/.cache/box"))
    EXPECT_NE(e.path().filename().string().rfind("pull-", 0), 0u) << e.path();
  EXPECT_FALSE(contains(boxctl({"images"}).output, "stalled"));
  EXPECT_FALSE(fs::exists(home() + "/.config/box/containers/stalled.yaml"));
}

}  // namespace
}  // namespace box::testing
