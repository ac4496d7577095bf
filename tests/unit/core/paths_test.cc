#include "paths.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace box {
namespace {
namespace fs = std::filesystem;

class PathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("box-paths-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_ / "user");
    fs::create_directories(root_ / "shipped");
  }
  void TearDown() override { fs::remove_all(root_); }
  void touch(const fs::path& p) { std::ofstream(p) << "x"; }
  std::vector<std::string> dirs() { return {root_ / "user", root_ / "shipped", root_ / "missing"}; }

  fs::path root_;
};

TEST_F(PathsTest, UserDefinitionWinsOverShipped) {
  touch(root_ / "user/a.yaml");
  touch(root_ / "shipped/a.yaml");
  touch(root_ / "shipped/b.yaml");
  touch(root_ / "shipped/notes.txt");
  touch(root_ / "shipped/.yaml");
  fs::create_directories(root_ / "shipped/dir.yaml");
  auto files = list_definition_files(dirs());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].name, "a");
  EXPECT_EQ(files[0].path, (root_ / "user/a.yaml").string());
  EXPECT_EQ(files[1].name, "b");
  EXPECT_EQ(files[1].path, (root_ / "shipped/b.yaml").string());

  auto found = find_definition_file(dirs(), "a");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, (root_ / "user/a.yaml").string());
}

TEST_F(PathsTest, MissingDefinitionSaysWhereItLooked) {
  auto found = find_definition_file(dirs(), "nope");
  ASSERT_FALSE(found.ok());
  EXPECT_NE(found.error().message().find((root_ / "user/nope.yaml").string()), std::string::npos);
  EXPECT_NE(found.error().message().find((root_ / "shipped/nope.yaml").string()),
            std::string::npos);
}

TEST_F(PathsTest, RejectsPathLikeNames) {
  EXPECT_FALSE(find_definition_file(dirs(), "../user/a").ok());
}

TEST(UserDirs, DefaultsFollowXdg) {
  UserDirs d{"/home/u", "/home/u/.config", "/home/u/.local/share", "/run/user/1"};
  auto s = definition_search_dirs(d);
  EXPECT_EQ(s, (std::vector<std::string>{"/home/u/.config/box/containers", "/etc/box/containers",
                                         "/usr/share/box/containers"}));
}

}  // namespace
}  // namespace box
