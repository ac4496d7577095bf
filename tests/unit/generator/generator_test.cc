#include "generator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace box::generator {
namespace {
namespace fs = std::filesystem;

class GeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("box-generator-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_ / "defs");
    fs::create_directories(root_ / "out");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& text) {
    std::ofstream(root_ / rel) << text;
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  GeneratorInput input() {
    return {{(root_ / "defs").string()}, {"/home/u", "/home/u/.local/share", ""}, (root_ / "out").string()};
  }

  fs::path root_;
};

TEST_F(GeneratorTest, BrokenDefinitionIsSkippedOthersWritten) {
  write("defs/good.yaml", "description: Good\nrootfs: /r\ncommand: [x]\n");
  write("defs/broken.yaml", "rootfs: /r\ncommand: [x]\nbogus: 1\n");
  write("defs/zz.yaml", "rootfs: /r\ncommand: [y]\n");
  auto v = run_generator(input());
  ASSERT_TRUE(v.ok()) << v.error().message();
  ASSERT_EQ(v->size(), 3u);
  EXPECT_EQ((*v)[0].name, "broken");
  EXPECT_FALSE((*v)[0].ok);
  EXPECT_NE((*v)[0].message.find("broken.yaml:3:1: unknown key 'bogus'"), std::string::npos);
  EXPECT_TRUE((*v)[1].ok);
  EXPECT_TRUE((*v)[2].ok);
  EXPECT_TRUE(fs::exists(root_ / "out/box@good.service.d/50-box.conf"));
  EXPECT_TRUE(fs::exists(root_ / "out/box@zz.service.d/50-box.conf"));
  EXPECT_FALSE(fs::exists(root_ / "out/box@broken.service.d"));
  EXPECT_NE(read(root_ / "out/box@good.service.d/50-box.conf").find("Description=Good\n"),
            std::string::npos);
}

TEST_F(GeneratorTest, OutputIsDeterministicAndLeavesNoTempFiles) {
  write("defs/a.yaml", "description: A\nrootfs: /r\ncommand: [x]\n");
  ASSERT_TRUE(run_generator(input()).ok());
  std::string first = read(root_ / "out/box@a.service.d/50-box.conf");
  ASSERT_TRUE(run_generator(input()).ok());
  EXPECT_EQ(read(root_ / "out/box@a.service.d/50-box.conf"), first);
  int files = 0;
  for (auto& e : fs::recursive_directory_iterator(root_ / "out")) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST_F(GeneratorTest, AtomicWriteReplacesWhole) {
  std::string path = (root_ / "out/f").string();
  ASSERT_TRUE(write_file_atomically(path, "first version, longer\n").ok());
  ASSERT_TRUE(write_file_atomically(path, "second\n").ok());
  EXPECT_EQ(read(path), "second\n");
  EXPECT_FALSE(write_file_atomically((root_ / "no/such/dir/f").string(), "x").ok());
}

}  // namespace
}  // namespace box::generator
