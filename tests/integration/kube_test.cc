// Kubernetes YAML both ways, with Debian's podman (rootless, with runc) as
// the other side: what `podman kube generate` writes plays in
// box and serves; what `boxctl generate kube` writes plays in `podman kube
// play` and serves. The image is podman's import of a busybox root, handed
// to box as the archive `podman save` writes (docs/kube.md).
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

class Kube : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(getuid(), 0u) << "runs as the unprivileged test user";
    dir_ = home() + "/kube-" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    make_busybox_rootfs(dir_ + "/rootfs");
    for (const char* applet : {"httpd", "wget"})
      fs::create_symlink("busybox", fs::path(dir_) / "rootfs/bin" / applet);
    auto tar = run({"tar", "-C", dir_ + "/rootfs", "-cf", dir_ + "/rootfs.tar", "."});
    ASSERT_EQ(tar.exit_code, 0) << tar.output;
    auto imported = podman({"import", "--change", "CMD=/bin/sh", dir_ + "/rootfs.tar", kImage});
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
    auto saved = podman({"save", "--format", "oci-archive", "-o", archive(), kImage});
    ASSERT_EQ(saved.exit_code, 0) << saved.output;
  }
  void TearDown() override {
    for (const auto& yaml : played_) boxctl({"play", "kube", "--down", yaml});
    for (const auto& yaml : podman_played_) podman({"kube", "down", yaml});
    podman({"pod", "rm", "--force", "--all"});
    podman({"rm", "--force", "--all", "--time", "0"});
    podman({"rmi", "--force", kImage});
    podman({"volume", "rm", "--all", "--force"});
    boxctl({"uninstall", kImageName, "--purge"});
    for (const auto& pod : pods_) fs::remove(home() + "/.config/box/pods/" + pod + ".yaml");
    remove_boxes(home() + "/.config/box/containers", defined_);
    fs::remove_all(dir_);
  }
  // podman with runc: Debian's default runtime, crun, refuses a host whose
  // cgroups are hybrid (as these machines' are) for a pod's containers.
  static CommandResult podman(std::vector<std::string> args,
                              std::chrono::seconds timeout = std::chrono::seconds(120)) {
    args.insert(args.begin(), {"podman", "--runtime", "runc"});
    return run(args, timeout);
  }
  std::string archive() const { return dir_ + "/image.tar"; }

  // The body of http://127.0.0.1:PORT/, once it serves (20 s at most).
  static std::string fetch(int port) {
    std::string body;
    eventually(
        [&] {
          body = run({"python3", "-c",
                      "import urllib.request;"
                      "print(urllib.request.urlopen('http://127.0.0.1:" +
                          std::to_string(port) +
                          "/index.html',timeout=2).read().decode(),end='')"})
                     .output;
          return contains(body, "served-by-");
        },
        std::chrono::seconds(20));
    return body;
  }

  // What the client container last fetched (/tmp/seen), once it holds
  // `want` (20 s at most), read by `exec` (boxctl enter NAME, podman exec NAME).
  static std::string fetched(const std::vector<std::string>& exec, const std::string& want) {
    std::string seen;
    eventually(
        [&] {
          std::vector<std::string> argv = exec;
          argv.insert(argv.end(), {"cat", "/tmp/seen"});
          seen = run(argv).output;
          return contains(seen, want);
        },
        std::chrono::seconds(20));
    return seen;
  }

  static constexpr const char* kImage = "localhost/box-kube-busybox:test";
  static constexpr const char* kImageName = "box-kube-busybox";  // as play installs it
  std::string dir_;
  std::vector<std::string> played_, podman_played_, defined_, pods_;
};

TEST_F(Kube, PodmanYamlPlaysInBoxAndServes) {
  auto created = podman({"create", "--name", "web", "-p", "127.0.0.1:18471:8080", kImage, "sh",
                         "-c",
                         "mkdir -p /www; echo served-by-box > /www/index.html; "
                         "exec httpd -f -p 8080 -h /www"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  const std::string yaml = dir_ + "/web.yaml";
  auto generated = podman({"kube", "generate", "-f", yaml, "web"});
  ASSERT_EQ(generated.exit_code, 0) << generated.output;
  podman({"rm", "--force", "web"});

  played_.push_back(yaml);
  auto played =
      boxctl({"play", "kube", "--image", std::string(kImage) + "=oci-archive:" + archive(), yaml});
  ASSERT_EQ(played.exit_code, 0) << played.output << slurp(yaml);
  // podman names the Pod of a lone container NAME-pod.
  EXPECT_TRUE(contains(played.output, "Played web-pod from " + yaml + ": box web-pod (started)"))
      << played.output;
  EXPECT_EQ(fetch(18471), "served-by-box\n") << journal("box@web-pod.service");

  auto down = boxctl({"play", "kube", "--down", yaml});
  ASSERT_EQ(down.exit_code, 0) << down.output;
  played_.clear();
  EXPECT_FALSE(fs::exists(home() + "/.config/box/containers/web-pod.yaml"));
  EXPECT_FALSE(fs::exists(home() + "/.local/share/box/kube/web-pod"));
  EXPECT_EQ(show("box@web-pod.service", "ActiveState"), "inactive");

  // Again as an install, the image now found by the reference its install
  // recorded from podman's archive.
  played_.push_back(yaml);
  auto installed = boxctl({"install", "kube:" + yaml});
  ASSERT_EQ(installed.exit_code, 0) << installed.output;
  EXPECT_FALSE(contains(installed.output, "by its name")) << installed.output;
  EXPECT_EQ(fetch(18471), "served-by-box\n") << journal("box@web-pod.service");
}

// A pod of two containers: an httpd, and a client that reaches it on the
// pod's localhost. In box: a box pod, kpod-httpd and kpod-client.
TEST_F(Kube, PodmanPodOfTwoContainersPlaysInBoxAndServes) {
  auto pod = podman({"pod", "create", "--name", "kpod", "-p", "127.0.0.1:18473:8080"});
  ASSERT_EQ(pod.exit_code, 0) << pod.output;
  auto httpd = podman({"create", "--pod", "kpod", "--name", "httpd", kImage, "sh", "-c",
                       "mkdir -p /www; echo served-by-box-pod > /www/index.html; "
                       "exec httpd -f -p 8080 -h /www"});
  ASSERT_EQ(httpd.exit_code, 0) << httpd.output;
  auto client = podman({"create", "--pod", "kpod", "--name", "client", kImage, "sh", "-c",
                        "while :; do wget -q -O /tmp/seen http://127.0.0.1:8080/index.html; "
                        "sleep 1; done"});
  ASSERT_EQ(client.exit_code, 0) << client.output;
  const std::string yaml = dir_ + "/kpod.yaml";
  auto generated = podman({"kube", "generate", "-f", yaml, "kpod"});
  ASSERT_EQ(generated.exit_code, 0) << generated.output;
  podman({"pod", "rm", "--force", "kpod"});

  played_.push_back(yaml);
  auto played =
      boxctl({"play", "kube", "--image", std::string(kImage) + "=oci-archive:" + archive(), yaml});
  ASSERT_EQ(played.exit_code, 0) << played.output << slurp(yaml);
  EXPECT_TRUE(contains(played.output, "Played kpod from " + yaml +
                                          ": box kpod-httpd (started) box kpod-client (started)"))
      << played.output;
  EXPECT_TRUE(fs::exists(home() + "/.config/box/pods/kpod.yaml"));
  EXPECT_EQ(show("box-pod@kpod.service", "ActiveState"), "active");
  EXPECT_EQ(fetch(18473), "served-by-box-pod\n") << journal("box@kpod-httpd.service");
  // The client reached the httpd on the pod's own localhost.
  EXPECT_EQ(fetched({prefix() + "/bin/boxctl", "enter", "kpod-client"}, "served-by-box-pod"),
            "served-by-box-pod\n")
      << journal("box@kpod-client.service");

  auto down = boxctl({"play", "kube", "--down", yaml});
  ASSERT_EQ(down.exit_code, 0) << down.output;
  played_.clear();
  EXPECT_EQ(show("box-pod@kpod.service", "ActiveState"), "inactive");
  EXPECT_EQ(show("box@kpod-httpd.service", "ActiveState"), "inactive");
  EXPECT_FALSE(fs::exists(home() + "/.config/box/pods/kpod.yaml"));
  EXPECT_FALSE(fs::exists(home() + "/.config/box/containers/kpod-client.yaml"));
}

// A box pod as one Pod: podman runs its two boxes in one pod, the client
// reaching the httpd on localhost.
TEST_F(Kube, BoxPodYamlPlaysInPodmanAndServes) {
  auto installed = boxctl({"install", "oci-archive:" + archive(), kImageName});
  ASSERT_EQ(installed.exit_code, 0) << installed.output;
  const std::string defs = home() + "/.config/box/containers";
  pods_.push_back("kshop");
  write_file(home() + "/.config/box/pods/kshop.yaml", "ports: [\"127.0.0.1:18474:8080\"]\n");
  defined_ = {"kshop-web", "kshop-check"};
  write_file(defs + "/kshop-web.yaml",
             "image: box-kube-busybox\npod: kshop\n"
             "command: [sh, -c, 'mkdir -p /www; echo served-by-podman-pod > /www/index.html; "
             "exec httpd -f -p 8080 -h /www']\n");
  write_file(defs + "/kshop-check.yaml",
             "image: box-kube-busybox\npod: kshop\n"
             "command: [sh, -c, 'while :; do wget -q -O /tmp/seen "
             "http://127.0.0.1:8080/index.html; sleep 1; done']\n");
  const std::string yaml = dir_ + "/kshop.yaml";
  auto generated = boxctl({"generate", "kube", "-f", yaml, "kshop"});
  ASSERT_EQ(generated.exit_code, 0) << generated.output;
  const std::string text = slurp(yaml);

  podman_played_.push_back(yaml);
  auto played = podman({"kube", "play", yaml});
  ASSERT_EQ(played.exit_code, 0) << played.output << text;
  EXPECT_EQ(fetch(18474), "served-by-podman-pod\n") << text;
  EXPECT_EQ(fetched({"podman", "--runtime", "runc", "exec", "kshop-kshop-check"},
                    "served-by-podman-pod"),
            "served-by-podman-pod\n")
      << text;
}

TEST_F(Kube, BoxYamlPlaysInPodmanAndServes) {
  auto installed = boxctl({"install", "oci-archive:" + archive(), kImageName});
  ASSERT_EQ(installed.exit_code, 0) << installed.output;
  const std::string defs = home() + "/.config/box/containers";
  defined_.push_back("kweb");
  write_file(defs + "/kweb.yaml",
             "image: box-kube-busybox\n"
             "command: [sh, -c, 'mkdir -p /www; echo served-by-podman > /www/index.html; "
             "exec httpd -f -p 8080 -h /www']\n"
             "network: private\n"
             "ports: [\"127.0.0.1:18472:8080\"]\n"
             "env: {GREETING: hello}\n"
             "restart: on-failure\n"
             "mounts: [{type: tmpfs, target: /tmp, size: 8M}]\n");
  const std::string yaml = dir_ + "/kweb.yaml";
  auto generated = boxctl({"generate", "kube", "-f", yaml, "kweb"});
  ASSERT_EQ(generated.exit_code, 0) << generated.output;
  const std::string text = slurp(yaml);
  // The reference podman knows the image by, recorded from the archive
  // podman wrote.
  EXPECT_TRUE(contains(text, "image: " + std::string(kImage))) << text;

  podman_played_.push_back(yaml);
  auto played = podman({"kube", "play", yaml});
  ASSERT_EQ(played.exit_code, 0) << played.output << text;
  EXPECT_EQ(fetch(18472), "served-by-podman\n") << text << podman({"logs", "kweb-kweb"}).output;
  // What podman made of it: the box's environment and restart policy.
  auto env = podman({"exec", "kweb-kweb", "env"});
  EXPECT_TRUE(contains(env.output, "GREETING=hello")) << env.output;
  auto restart = podman({"inspect", "--format", "{{.HostConfig.RestartPolicy.Name}}", "kweb-kweb"});
  EXPECT_EQ(restart.output, "on-failure\n");
}

}  // namespace
}  // namespace box::testing
