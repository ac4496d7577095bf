#include "core/runtime/network.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace box {
namespace {

// find_network_helper against a scratch PATH of fake programs: which one is
// found, and that none found is a fact (the plan says what to install).
class HelperSearch : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("box-net-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "bin");
    std::ofstream(dir_ / "tun").put('\n');  // a readable, writable stand-in
    path_ = (dir_ / "bin").string();
    tun_ = (dir_ / "tun").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void install(const std::string& name) {
    const auto p = dir_ / "bin" / name;
    std::ofstream(p) << "#!/bin/sh\n";
    std::filesystem::permissions(p, std::filesystem::perms::owner_all);
  }
  Result<std::optional<NetworkHelperSpec>> find(const std::string& preference = "") {
    return find_network_helper(preference, path_, tun_);
  }
  std::filesystem::path dir_;
  std::string path_, tun_;
};

TEST_F(HelperSearch, PrefersPasta) {
  install("slirp4netns");
  auto slirp = find();
  ASSERT_TRUE(slirp.ok()) << slirp.error().message();
  ASSERT_TRUE(*slirp);
  EXPECT_EQ((*slirp)->kind, NetworkHelperKind::kSlirp4netns);
  install("pasta");
  auto pasta = find();
  ASSERT_TRUE(pasta.ok()) << pasta.error().message();
  ASSERT_TRUE(*pasta);
  EXPECT_EQ((*pasta)->kind, NetworkHelperKind::kPasta);
  EXPECT_EQ((*pasta)->program, (dir_ / "bin" / "pasta").string());
  auto chosen = find("slirp4netns");
  ASSERT_TRUE(chosen.ok()) << chosen.error().message();
  ASSERT_TRUE(*chosen);
  EXPECT_EQ((*chosen)->kind, NetworkHelperKind::kSlirp4netns);
}

TEST_F(HelperSearch, NoneInstalledIsAFactAndAnUnknownPreferenceAnError) {
  auto r = find();
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(*r);
  install("slirp4netns");
  auto only_pasta = find("pasta");
  ASSERT_TRUE(only_pasta.ok()) << only_pasta.error().message();
  EXPECT_FALSE(*only_pasta);
  auto vde = find("vde");
  ASSERT_FALSE(vde.ok());
  EXPECT_NE(vde.error().message().find("expected pasta, slirp4netns"), std::string::npos)
      << vde.error().message();
}

TEST_F(HelperSearch, SaysWhenTheTunDeviceIsMissing) {
  install("pasta");
  tun_ = (dir_ / "no-such-tun").string();
  auto r = find();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("no-such-tun"), std::string::npos) << r.error().message();
}

}  // namespace
}  // namespace box
