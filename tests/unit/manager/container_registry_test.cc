#include "container_registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace box::manager {
namespace {
namespace fs = std::filesystem;

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("box-registry-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_ / "defs");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
  ContainerRegistry registry() {
    return ContainerRegistry({(root_ / "defs").string()}, "/home/u",
                             (root_ / "status.json").string());
  }
  fs::path root_;
};

TEST_F(RegistryTest, ListsValidAndInvalidDefinitions) {
  write(root_ / "defs/a.yaml", "description: A\nrootfs: ~/r\ncommand: [sh]\n");
  write(root_ / "defs/b.yaml", "rootfs: ~/r\ncommand: [sh]\nbogus: 1\n");
  auto reg = registry();
  auto list = reg.list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "a");
  EXPECT_TRUE(list[0].valid);
  EXPECT_EQ(list[0].description, "A");
  EXPECT_EQ(list[0].rootfs, "/home/u/r");
  EXPECT_EQ(list[1].name, "b");
  EXPECT_FALSE(list[1].valid);
  EXPECT_NE(list[1].error.find("b.yaml:3:1"), std::string::npos) << list[1].error;
}

TEST_F(RegistryTest, SeesChangesToFiles) {
  write(root_ / "defs/a.yaml", "description: One\nrootfs: ~/r\ncommand: [sh]\n");
  auto reg = registry();
  EXPECT_EQ(reg.find("a")->description, "One");
  // A different size is enough to tell, whatever the mtime granularity.
  write(root_ / "defs/a.yaml", "description: Two!\nrootfs: ~/r\ncommand: [sh]\n");
  EXPECT_EQ(reg.find("a")->description, "Two!");
  fs::remove(root_ / "defs/a.yaml");
  EXPECT_FALSE(reg.find("a").has_value());
  EXPECT_TRUE(reg.list().empty());
}

TEST_F(RegistryTest, UnknownAndMalformedNames) {
  auto reg = registry();
  EXPECT_FALSE(reg.find("nope").has_value());
  EXPECT_NE(reg.not_found_detail("nope").find("nope.yaml"), std::string::npos);
  EXPECT_FALSE(reg.find("../etc/passwd").has_value());
  EXPECT_NE(reg.not_found_detail("../x").find("not a valid container name"), std::string::npos);
}

TEST_F(RegistryTest, GeneratorVerdictMarksAFileThatLoadsNowAsInvalid) {
  write(root_ / "defs/a.yaml", "rootfs: ~/r\ncommand: [sh]\n");
  write(root_ / "status.json",
        R"({"definitions": [{"name": "a", "ok": false, "error": "a.yaml:1:1: was broken"}]})");
  auto reg = registry();
  auto a = reg.find("a");
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(a->valid);
  EXPECT_NE(a->error.find("a.yaml:1:1: was broken"), std::string::npos) << a->error;
  EXPECT_NE(a->error.find("boxctl reload"), std::string::npos) << a->error;
  fs::remove(root_ / "status.json");
  EXPECT_TRUE(reg.find("a")->valid);
}

}  // namespace
}  // namespace box::manager
