// boxctl install end to end, as the unprivileged test user against its real
// user manager: an etcd system-container image built from Debian's
// etcd-server package (examples/etcd/build-image) is installed, started
// with systemctl, written to and read from the host with etcdctl, restarted
// (the data survives), stopped and uninstalled.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

// A loopback port nobody listens on now.
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

class InstallEtcd : public ::testing::Test {
 protected:
  void SetUp() override {
    image_ = home() + "/etcd-image.tar";
    build_etcd_image(image_);
  }

  void TearDown() override {
    stop_and_reset("box@etcd.service");
    boxctl({"uninstall", "etcd", "--purge"});
    fs::remove(image_);
  }

  CommandResult etcdctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"etcdctl", "--endpoints", endpoint_, "--dial-timeout", "2s"});
    return run(args, std::chrono::seconds(20));
  }

  bool healthy() { return etcdctl({"endpoint", "health"}).exit_code == 0; }

  std::string image_;
  std::string endpoint_;
};

TEST_F(InstallEtcd, InstallStartPutGetRestartUninstall) {
  const int client = free_port(), peer = free_port();
  endpoint_ = "http://127.0.0.1:" + std::to_string(client);

  auto install = boxctl({"install", "--user", "oci-archive:" + image_, "etcd", "--set",
                         "ETCD_CLIENT_PORT=" + std::to_string(client), "--set",
                         "ETCD_PEER_PORT=" + std::to_string(peer)});
  ASSERT_EQ(install.exit_code, 0) << install.output;
  EXPECT_TRUE(contains(install.output, "Installed etcd from oci-archive:")) << install.output;
  const std::string data = home() + "/.local/share/box/state/etcd";
  EXPECT_TRUE(fs::is_directory(data));

  // The user manager was reloaded by the install: the unit exists at once.
  auto cat = systemctl({"cat", "box@etcd.service"});
  ASSERT_EQ(cat.exit_code, 0) << cat.output;
  EXPECT_TRUE(contains(cat.output, "Description=etcd key-value store etcd (" + endpoint_ + ")"))
      << cat.output;

  auto images = boxctl({"images"});
  ASSERT_EQ(images.exit_code, 0) << images.output;
  EXPECT_TRUE(contains(images.output, "etcd  oci-archive:" + image_ + "  sha256:"))
      << images.output;

  auto start = systemctl({"start", "box@etcd.service"});
  ASSERT_EQ(start.exit_code, 0) << start.output << journal("box@etcd.service");
  EXPECT_EQ(show("box@etcd.service", "ActiveState"), "active");
  ASSERT_TRUE(eventually([&] { return healthy(); }, std::chrono::seconds(30)))
      << journal("box@etcd.service");

  auto put = etcdctl({"put", "greeting", "hello from box"});
  ASSERT_EQ(put.exit_code, 0) << put.output;
  auto get = etcdctl({"get", "--print-value-only", "greeting"});
  ASSERT_EQ(get.exit_code, 0) << get.output;
  EXPECT_EQ(get.output, "hello from box\n");

  auto stop = systemctl({"stop", "box@etcd.service"});
  ASSERT_EQ(stop.exit_code, 0) << stop.output;
  EXPECT_EQ(show("box@etcd.service", "ActiveState"), "inactive");
  EXPECT_FALSE(healthy());

  // Started again: the data was on the host, in the state dir.
  ASSERT_EQ(systemctl({"start", "box@etcd.service"}).exit_code, 0) << journal("box@etcd.service");
  ASSERT_TRUE(eventually([&] { return healthy(); }, std::chrono::seconds(30)))
      << journal("box@etcd.service");
  get = etcdctl({"get", "--print-value-only", "greeting"});
  EXPECT_EQ(get.output, "hello from box\n") << journal("box@etcd.service");

  // Uninstall stops it, removes the definition and image, keeps the data.
  auto uninstall = boxctl({"uninstall", "etcd"});
  ASSERT_EQ(uninstall.exit_code, 0) << uninstall.output;
  EXPECT_EQ(show("box@etcd.service", "ActiveState"), "inactive");
  EXPECT_FALSE(fs::exists(home() + "/.config/box/containers/etcd.yaml"));
  EXPECT_FALSE(fs::exists(home() + "/.local/share/box/images/etcd"));
  EXPECT_TRUE(fs::is_directory(data + "/member")) << "etcd's data should be kept";
  images = boxctl({"images"});
  EXPECT_FALSE(contains(images.output, "etcd ")) << images.output;
}

// Each failure the CLI reports leaves nothing installed.
TEST_F(InstallEtcd, FailuresLeaveNothingBehind) {
  auto again = [&] {
    std::vector<std::string> left;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(home() + "/.local/share/box/images", ec))
      left.push_back(e.path().filename());
    return left;
  };
  // A truncated archive.
  const std::string cut = home() + "/cut.tar";
  auto size = fs::file_size(image_);
  fs::copy_file(image_, cut, fs::copy_options::overwrite_existing);
  fs::resize_file(cut, size / 2);
  auto r = boxctl({"install", "oci-archive:" + cut, "etcd"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(again().empty());
  EXPECT_FALSE(fs::exists(home() + "/.config/box/containers/etcd.yaml"));
  fs::remove(cut);

  // Interrupted (SIGINT, as ^C does; `timeout` sends it to boxctl and to
  // its process group) at different moments of a ~0.3 s install. Each
  // attempt ends in one of three ways, and what is on disk and in systemd
  // must match it:
  //  - exit 0: installed, completely (the cancel, if boxctl asked for one,
  //    came once the install had committed): definition, image, data dir,
  //    and the user manager reloaded (the generator's drop-in);
  //  - exit 130 after "cancelling the install": cancelled while it ran;
  //  - exit 130 without it: boxctl ended before it asked for anything.
  // The last two leave nothing: no definition, nothing in images/ (staging
  // included), no data dir that was not there before (an earlier test's
  // uninstall may have kept one), nothing systemd sees. At least one attempt must
  // have been cancelled while the install ran, or the loop proved nothing.
  const std::string definition = home() + "/.config/box/containers/etcd.yaml";
  const std::string data = home() + "/.local/share/box/state/etcd";
  int cancelled_while_running = 0;
  for (const char* delay : {"0.02", "0.05", "0.1", "0.15", "0.2", "0.25"}) {
    const bool had_data = fs::exists(data);
    auto interrupted = run({"timeout", "--preserve-status", "-s", "INT", delay,
                            prefix() + "/bin/boxctl", "install", "oci-archive:" + image_, "etcd"});
    SCOPED_TRACE(std::string("interrupted after ") + delay + " s: exit " +
                 std::to_string(interrupted.exit_code) + ", " + interrupted.output);
    const bool asked = contains(interrupted.output, "boxctl: cancelling the install of 'etcd'\n");
    const std::string drop_ins = show("box@etcd.service", "DropInPaths");
    if (interrupted.exit_code == 0) {
      EXPECT_TRUE(fs::exists(definition));
      EXPECT_EQ(again(), std::vector<std::string>{"etcd"});
      EXPECT_TRUE(fs::is_directory(data));
      EXPECT_TRUE(contains(drop_ins, "50-box.conf")) << drop_ins;
      EXPECT_TRUE(contains(interrupted.output, "Installed etcd from oci-archive:"));
      EXPECT_FALSE(contains(interrupted.output, "note: installed, but"));
      ASSERT_EQ(boxctl({"uninstall", "etcd", "--purge"}).exit_code, 0);
      continue;
    }
    ASSERT_EQ(interrupted.exit_code, 130);
    if (asked) ++cancelled_while_running;
    EXPECT_FALSE(fs::exists(definition));
    EXPECT_TRUE(again().empty()) << again().front();
    EXPECT_EQ(fs::exists(data), had_data);
    EXPECT_FALSE(contains(drop_ins, "50-box.conf")) << drop_ins;
  }
  EXPECT_GE(cancelled_while_running, 1) << "no attempt was cancelled while the install ran";

  // A registry reference: box does not fetch images.
  r = boxctl({"install", "docker://quay.io/coreos/etcd", "etcd"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, "skopeo copy")) << r.output;
}

// The formats real tools write: skopeo's oci and docker-archive, umoci's
// runtime bundle, and a box bundle. Each installs and uninstalls cleanly.
TEST_F(InstallEtcd, EverySourceKindFromRealTools) {
  const std::string dir = home() + "/formats";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& to :
       {"oci:" + dir + "/layout:etcd", "docker-archive:" + dir + "/docker.tar:example/etcd:1"}) {
    auto c = run({"skopeo", "copy", "--quiet", "oci-archive:" + image_ + ":etcd", to});
    ASSERT_EQ(c.exit_code, 0) << c.output;
  }
  auto u =
      run({"umoci", "unpack", "--rootless", "--image", dir + "/layout:etcd", dir + "/ocibundle"});
  ASSERT_EQ(u.exit_code, 0) << u.output;
  fs::create_directories(dir + "/boxbundle");
  ASSERT_EQ(run({"cp", "-a", dir + "/ocibundle/rootfs", dir + "/boxbundle/rootfs"}).exit_code, 0);
  write_file(dir + "/boxbundle/box.yaml",
             "description: from a box bundle\ncommand: [/usr/bin/etcd, --version]\n");

  const std::vector<std::pair<std::string, std::string>> kinds = {
      {"oci:" + dir + "/layout:etcd", "oci"},
      {"docker-archive:" + dir + "/docker.tar", "docker-archive"},
      {dir + "/ocibundle", "oci-bundle"},
      {dir + "/boxbundle", "bundle"}};
  for (const auto& [source, kind] : kinds) {
    auto r = boxctl({"install", "--user", source, "kind-" + kind});
    ASSERT_EQ(r.exit_code, 0) << source << ": " << r.output;
    EXPECT_TRUE(
        fs::exists(home() + "/.local/share/box/images/kind-" + kind + "/rootfs/usr/bin/etcd"));
    auto cat = systemctl({"cat", "box@kind-" + kind + ".service"});
    EXPECT_EQ(cat.exit_code, 0) << cat.output;
  }
  auto json = boxctl({"images", "--json"});
  for (const auto& [source, kind] : kinds)
    EXPECT_TRUE(contains(json.output, "\"source_kind\": \"" + kind + "\"")) << json.output;
  // umoci's config.json asks for things box cannot do rootless: reported.
  auto oci = boxctl({"install", "--replace", dir + "/ocibundle", "kind-oci-bundle"});
  EXPECT_TRUE(contains(oci.output, "note: config.json: linux.maskedPaths")) << oci.output;
  for (const auto& [source, kind] : kinds)
    EXPECT_EQ(boxctl({"uninstall", "kind-" + kind}).exit_code, 0) << kind;
  EXPECT_TRUE(contains(boxctl({"images"}).output, "NAME"));
  EXPECT_FALSE(contains(boxctl({"images"}).output, "kind-"));
  run({"chmod", "-R", "u+w", dir});
  fs::remove_all(dir);
}

}  // namespace
}  // namespace box::testing
