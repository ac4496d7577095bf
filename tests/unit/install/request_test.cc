// The checks install() and uninstall() make before touching anything, and
// how each refusal is classified (box-manager maps them to D-Bus errors).
#include "install/request.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/unit/core/image/image_fixtures.h"
#include "tests/unit/install/scratch_home.h"

namespace box::install {
namespace {
using namespace box::testing;
using namespace box::install::testing;
namespace fs = std::filesystem;

class Request : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_ = scratch_home(tmp_.path());
    write_bytes(tmp_ / "etcd.tar", "not checked here");
    fs::create_directories(tmp_ / "layout");
  }

  TempDir tmp_;
  InstallContext ctx_;
};

TEST_F(Request, AWellFormedRequestResolvesItsName) {
  auto c = check_install_request(ctx_, "oci-archive:" + (tmp_ / "etcd.tar"), {}, "");
  ASSERT_TRUE(c.ok()) << c.error.message();
  EXPECT_EQ(c.name, "etcd");
  EXPECT_EQ(c.source.kind, SourceKind::kOciArchive);
  c = check_install_request(ctx_, "oci:layout:v1", named("web"), tmp_ / ".");
  ASSERT_TRUE(c.ok()) << c.error.message();
  EXPECT_EQ(c.name, "web");
  EXPECT_EQ(c.source.path, tmp_ / "./layout");
}

TEST_F(Request, MalformedOrMissingIsAnInvalidArgument) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"docker://quay.io/coreos/etcd", "skopeo copy"},
      {"oci-archive:etcd.tar", "the path 'etcd.tar' must be absolute"},
      {"bundle", "the path must be absolute"},
      {"oci-archive:" + (tmp_ / "nope.tar"), "no such file"},
      {"oci:" + (tmp_ / "nope"), "no such directory"},
      {tmp_ / "layout-missing", "no such directory"},
      {tmp_ / "etcd.tar", "is a file: name its format"},
  };
  for (const auto& [source, message] : cases) {
    auto c = check_install_request(ctx_, source, {}, "");
    ASSERT_FALSE(c.ok()) << source;
    EXPECT_EQ(*c.refusal, Refusal::kInvalidArgument) << source;
    EXPECT_NE(c.error.message().find(message), std::string::npos) << c.error.message();
  }
  auto bad_name =
      check_install_request(ctx_, "oci-archive:" + (tmp_ / "etcd.tar"), named("../x"), "");
  ASSERT_FALSE(bad_name.ok());
  EXPECT_EQ(*bad_name.refusal, Refusal::kInvalidArgument);
  EXPECT_NE(bad_name.error.message().find("install name '../x' starts with '.'"),
            std::string::npos);

  InstallOptions set = named("etcd");
  set.set.emplace_back("1X", "v");
  auto bad_key = check_install_request(ctx_, "oci-archive:" + (tmp_ / "etcd.tar"), set, "");
  ASSERT_FALSE(bad_key.ok());
  EXPECT_EQ(bad_key.error.message(), "--set '1X': not a variable name");

  // The origin goes into the definition's header comment: one docker://
  // or commit: word, never a line of YAML of its own.
  for (const char* origin : {"docker://r/x:1\nnetwork: host", "oci:/x", "docker://a b",
                             "commit:web\nnetwork: host", "commit:../x", "commit:"}) {
    InstallOptions o = named("etcd");
    o.origin = origin;
    auto bad = check_install_request(ctx_, "oci-archive:" + (tmp_ / "etcd.tar"), o, "");
    ASSERT_FALSE(bad.ok()) << origin;
    EXPECT_EQ(*bad.refusal, Refusal::kInvalidArgument);
    EXPECT_EQ(bad.error.message(), "origin '" + std::string(origin) +
                                       "': expected the docker://IMAGE the source was pulled "
                                       "from, or the commit:NAME of the box it was committed "
                                       "from, one word");
  }
  InstallOptions pulled = named("etcd");
  pulled.origin = "docker://127.0.0.1:5000/box/etcd:1";
  EXPECT_TRUE(check_install_request(ctx_, "oci-archive:" + (tmp_ / "etcd.tar"), pulled, "").ok());
  InstallOptions committed = named("etcd2");
  committed.origin = "commit:etcd";
  EXPECT_TRUE(check_install_request(ctx_, "oci-archive:" + (tmp_ / "etcd.tar"), committed, "").ok());
}

TEST_F(Request, ATakenNameNeedsReplace) {
  const std::string src = "oci-archive:" + (tmp_ / "etcd.tar");
  fs::create_directories(ctx_.dirs.data_home + "/box/images/etcd");
  auto c = check_install_request(ctx_, src, {}, "");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(*c.refusal, Refusal::kAlreadyExists);
  EXPECT_NE(c.error.message().find("'etcd' is already installed"), std::string::npos);
  EXPECT_TRUE(check_install_request(ctx_, src, named("", true), "").ok());

  write_bytes(ctx_.dirs.config_home + "/box/containers/mine.yaml", "rootfs: /x\n");
  c = check_install_request(ctx_, src, named("mine"), "");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(*c.refusal, Refusal::kAlreadyExists);
}

TEST_F(Request, UninstallNeedsAnInstalledImage) {
  auto c = check_uninstall_request(ctx_, "ghost");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(*c.refusal, Refusal::kNotInstalled);
  EXPECT_EQ(c.error.message(), "no installed image named 'ghost'");
  c = check_uninstall_request(ctx_, "a/b");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(*c.refusal, Refusal::kInvalidArgument);
  fs::create_directories(ctx_.dirs.data_home + "/box/images/etcd");
  EXPECT_TRUE(check_uninstall_request(ctx_, "etcd").ok());
}

}  // namespace
}  // namespace box::install
