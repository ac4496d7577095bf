#include "core/runtime/validate.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/temp_dir.h"

namespace box {
namespace {

class Validate : public ::testing::Test {
 protected:
  Validate() {
    dirs_.home = tmp_.path();
    dirs_.config_home = tmp_ / "config";
    dirs_.data_home = tmp_ / "data";
    dirs_.containers_path = tmp_ / "defs";
  }
  void write(const std::string& rel, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(tmp_ / rel).parent_path());
    std::ofstream(tmp_ / rel) << text;
  }
  testing::TempDir tmp_{"defs", "rootfs", "data"};
  UserDirs dirs_;
};

TEST_F(Validate, AFileWithEveryError) {
  write("f/bad.yaml", "rootfs: ~/rootfs\ncommand: x\ninit: sysv\n");
  auto reports = validate_target(tmp_ / "f/bad.yaml", dirs_);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].name, "bad");
  EXPECT_EQ(reports[0].errors.size(), 2u);
}

// One round: the file's errors, the rules between keys (init: systemd with
// the host's cgroup namespace) and what the host lacks, together.
TEST_F(Validate, FileErrorsAndWhatTheHostLacksInOneRound) {
  const std::string f = tmp_ / "f/systemd.yaml";
  write("f/systemd.yaml",
        "rootfs: ~/gone\ninit: systemd\nnamespaces: {cgroup: host}\nnetwork: privat\n"
        "mounts: [{type: bind, source: ~/no-data, target: /d}, {type: bind, target: /x}]\n");
  auto reports = validate_target(f, dirs_);
  ASSERT_EQ(reports.size(), 1u);
  const std::string home = tmp_.path();
  EXPECT_EQ(reports[0].errors,
            (std::vector<std::string>{
                f + ":4:10: 'network': expected one of host, none, private, found 'privat'",
                f + ":5:55: 'mounts[1]': missing 'source' (the host path to bind)",
                f + ":2:1: 'init': 'init: systemd' needs a private cgroup namespace "
                    "(namespaces.cgroup is host)",
                f + ":1:1: 'rootfs': open rootfs '" + home + "/gone': No such file or directory",
                f + ":5:31: 'mounts[0].source': open bind source '" + home +
                    "/no-data' for '/d': No such file or directory (create it, or mark the mount "
                    "'optional: true')",
            }));
  // A rootfs that could not be read is not also "not there".
  write("f/unreadable.yaml", "rootfs: [x]\ncommand: [x]\n");
  EXPECT_EQ(validate_target(tmp_ / "f/unreadable.yaml", dirs_)[0].errors.size(), 1u);
}

// By name, as start loads it (the search path, its drop-ins), and what
// start would refuse on the host.
TEST_F(Validate, ANameAsStartLoadsIt) {
  write("defs/web.yaml", "rootfs: ~/rootfs\ncommand: [x]\n");
  write("defs/web.yaml.d/bind.yaml",
        "mounts: [{type: bind, source: ~/no-such-dir, target: /d}]\n");
  auto reports = validate_target("web", dirs_);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].path, tmp_ / "defs/web.yaml");
  EXPECT_EQ(reports[0].fragments, (std::vector<std::string>{tmp_ / "defs/web.yaml.d/bind.yaml"}));
  ASSERT_EQ(reports[0].errors.size(), 1u);
  EXPECT_EQ(reports[0].errors[0].rfind(tmp_ / "defs/web.yaml.d/bind.yaml:1:31: "
                                              "'mounts[0].source': open bind source",
                                       0),
            0u)
      << reports[0].errors[0];
  std::filesystem::create_directory(tmp_ / "no-such-dir");
  EXPECT_TRUE(validate_target("web", dirs_)[0].errors.empty());
  EXPECT_FALSE(validate_target("nothing-by-this-name", dirs_)[0].errors.empty());
}

// A directory: every definition in it, as the generator finds them.
TEST_F(Validate, EveryDefinitionOfADirectory) {
  write("d/good.yaml", "rootfs: ~/rootfs\ncommand: [x]\n");
  write("d/norootfs.yaml", "rootfs: ~/gone\ncommand: [x]\n");
  write("d/noimage.yaml", "image: etcd\ncommand: [x]\n");
  write("d/t@.yaml", "rootfs: ~/rootfs-${instance}\ncommand: [x]\n");
  write("d/bad name.yaml", "rootfs: ~/rootfs\ncommand: [x]\n");
  std::filesystem::create_symlink("/dev/null", tmp_ / "d/masked.yaml");
  std::map<std::string, ValidateReport> by_name;
  for (auto& r : validate_target(tmp_ / "d/", dirs_)) by_name[r.name] = r;
  ASSERT_EQ(by_name.size(), 6u);
  EXPECT_TRUE(by_name["good"].errors.empty());
  EXPECT_EQ(by_name["good"].target, tmp_ / "d/good.yaml");
  ASSERT_EQ(by_name["norootfs"].errors.size(), 1u);
  EXPECT_EQ(by_name["norootfs"].errors[0], tmp_ / "d/norootfs.yaml:1:1: 'rootfs': open rootfs '" +
                                               tmp_.path() + "/gone': No such file or directory");
  ASSERT_EQ(by_name["noimage"].errors.size(), 1u);
  EXPECT_NE(by_name["noimage"].errors[0].find("image 'etcd' is not installed"), std::string::npos);
  // A template's host paths are its instances' to have.
  EXPECT_TRUE(by_name["t@instance"].template_only);
  EXPECT_TRUE(by_name["t@instance"].errors.empty());
  EXPECT_EQ(by_name["masked"].masked_by, tmp_ / "d/masked.yaml");
  EXPECT_FALSE(by_name["bad name"].errors.empty());
}

}  // namespace
}  // namespace box
