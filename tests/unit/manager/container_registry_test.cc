#include "manager/container_registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/model/generator_status.h"
#include "tests/unit/temp_dir.h"

namespace box::manager {
namespace {
namespace fs = std::filesystem;

class RegistryTest : public ::testing::Test {
 protected:
  void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
  ContainerRegistry registry() {
    return ContainerRegistry({(root_ / "defs").string(), (root_ / "shipped").string()},
                             LoadContext{"/home/u", "/home/u/.local/share", ""},
                             (root_ / "status.json").string());
  }
  box::testing::TempDir tmp_{"defs"};
  const fs::path root_{tmp_.path()};
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
  EXPECT_EQ(reg.not_found_detail("../x"),
            "container name '../x' starts with '.': start with a letter or digit");
}

TEST_F(RegistryTest, ResolvesDropinsTemplatesAndMasksLikeTheGenerator) {
  fs::create_directories(root_ / "shipped/db.yaml.d");
  write(root_ / "shipped/db.yaml", "description: shipped\nrootfs: ~/r\ncommand: [sh]\n");
  write(root_ / "shipped/db.yaml.d/10-image.yaml", "image: pg\n");
  write(root_ / "shipped/web@.yaml", "description: site ${instance}\nrootfs: ~/r\ncommand: [sh]\n");
  fs::create_directories(root_ / "defs/web@blue.yaml.d");
  fs::create_symlink("/dev/null", root_ / "defs/old.yaml");
  write(root_ / "shipped/old.yaml", "rootfs: ~/r\ncommand: [sh]\n");
  auto reg = registry();
  auto list = reg.list();
  ASSERT_EQ(list.size(), 3u);

  EXPECT_EQ(list[0].name, "db");
  EXPECT_TRUE(list[0].valid) << list[0].error;
  EXPECT_EQ(list[0].description, "shipped");
  EXPECT_EQ(list[0].image, "pg");  // from the drop-in, in the data dir
  EXPECT_EQ(list[0].rootfs, "/home/u/.local/share/box/images/pg/rootfs");
  EXPECT_EQ(list[0].definition_path, (root_ / "shipped/db.yaml").string());

  // A masked one is listed, with what masks it.
  EXPECT_EQ(list[1].name, "old");
  EXPECT_FALSE(list[1].valid);
  EXPECT_EQ(list[1].definition_path, (root_ / "defs/old.yaml").string());
  EXPECT_NE(list[1].error.find("is masked by '" + (root_ / "defs/old.yaml").string()),
            std::string::npos)
      << list[1].error;

  // A declared instance of a template, with its ${instance}.
  EXPECT_EQ(list[2].name, "web@blue");
  EXPECT_TRUE(list[2].valid) << list[2].error;
  EXPECT_EQ(list[2].description, "site blue");
  EXPECT_EQ(list[2].definition_path, (root_ / "shipped/web@.yaml").string());
  // An undeclared instance is found by name, as box-run start finds it.
  EXPECT_EQ(reg.find("web@green")->description, "site green");
  EXPECT_FALSE(reg.find("web@").has_value());
  EXPECT_NE(reg.not_found_detail("web@").find("names a template, not a container"),
            std::string::npos)
      << reg.not_found_detail("web@");
}

TEST_F(RegistryTest, SeesNewAndChangedDropins) {
  write(root_ / "defs/a.yaml", "description: One\nrootfs: ~/r\ncommand: [sh]\n");
  auto reg = registry();
  EXPECT_EQ(reg.list().at(0).description, "One");
  // A drop-in directory appears, then a fragment in it: both are seen by
  // list() (which answers from its last scan until inotify says otherwise).
  fs::create_directories(root_ / "defs/a.yaml.d");
  write(root_ / "defs/a.yaml.d/50-d.yaml", "description: Two\n");
  EXPECT_EQ(reg.list().at(0).description, "Two");
  write(root_ / "defs/a.yaml.d/60-d.yaml", "description: Three\n");
  EXPECT_EQ(reg.list().at(0).description, "Three");
  // Rewritten in place.
  write(root_ / "defs/a.yaml.d/60-d.yaml", "description: Four!\n");
  EXPECT_EQ(reg.list().at(0).description, "Four!");
  // A broken fragment: the error names it.
  write(root_ / "defs/a.yaml.d/70-bad.yaml", "descripton: x\n");
  auto broken = reg.list().at(0);
  EXPECT_FALSE(broken.valid);
  EXPECT_NE(broken.error.find("70-bad.yaml:1:1: unknown key 'descripton'"), std::string::npos)
      << broken.error;
  fs::remove_all(root_ / "defs/a.yaml.d");
  EXPECT_EQ(reg.list().at(0).description, "One");
  EXPECT_EQ(reg.find("a")->description, "One");
}

TEST_F(RegistryTest, GeneratorVerdictMarksAFileThatLoadsNowAsInvalid) {
  write(root_ / "defs/a.yaml", "rootfs: ~/r\ncommand: [sh]\n");
  GeneratorStatusEntry broken{"a", "container", false, "box@a.service", "/defs/a.yaml"};
  broken.error = "a.yaml:1:1: was broken";
  write(root_ / "status.json", format_generator_status({broken}));
  auto reg = registry();
  auto a = reg.find("a");
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(a->valid);
  EXPECT_NE(a->error.find("a.yaml:1:1: was broken"), std::string::npos) << a->error;
  EXPECT_NE(a->error.find("boxctl reload"), std::string::npos) << a->error;
  fs::remove(root_ / "status.json");
  EXPECT_TRUE(reg.find("a")->valid);
}

// A pod may have a box's name: its verdict is not the box's.
TEST_F(RegistryTest, APodsVerdictIsNotTheBoxOfTheSameName) {
  write(root_ / "defs/a.yaml", "rootfs: ~/r\ncommand: [sh]\npod: a\n");
  GeneratorStatusEntry pod{"a", "pod", false, "box-pod@a.service", "/pods/a.yaml"};
  pod.error = "a.yaml:1:1: a broken pod";
  write(root_ / "status.json", format_generator_status({pod}));
  auto a = registry().find("a");
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(a->valid) << a->error;
  EXPECT_EQ(a->pod, "a");
}

}  // namespace
}  // namespace box::manager
