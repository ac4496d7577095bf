#include "core/runtime/host_refusals.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/model/definition_loader.h"
#include "tests/unit/temp_dir.h"

namespace box {
namespace {

class HostRefusals : public ::testing::Test {
 protected:
  Definition load(const std::string& text) {
    auto check = check_definition_sources({{"d.yaml", text}}, "d",
                                          LoadContext{tmp_.path(), tmp_ / "data", ""});
    EXPECT_TRUE(check.definition) << (check.errors.empty() ? "" : check.errors.front());
    return check.definition.value_or(Definition{});
  }
  testing::TempDir tmp_{"rootfs", "data/box/images/there/rootfs", "src"};
};

TEST_F(HostRefusals, NothingWhenThePathsAreThere) {
  std::ofstream(tmp_ / "file") << "x";
  EXPECT_TRUE(host_refusals(load("rootfs: ~/rootfs\ncommand: [x]\nmounts:\n"
                                 "  - {type: bind, source: ~/src, target: /s}\n"
                                 "  - {type: bind, source: ~/file, target: /f}\n"
                                 "  - {type: bind, source: ~/gone, target: /g, optional: true}\n"))
                  .empty());
  EXPECT_TRUE(host_refusals(load("image: there\ncommand: [x]\n")).empty());
}

// Every refusal, each where the definition asks for the path.
TEST_F(HostRefusals, EachAtItsKey) {
  const std::string home = tmp_.path();
  EXPECT_EQ(host_refusals(load("command: [x]\nrootfs: ~/nope\nmounts:\n"
                               "  - {type: tmpfs, target: /t}\n"
                               "  - {type: bind, source: ~/gone, target: /g}\n"
                               "  - {type: bind, source: ~/src, target: /s}\n"
                               "  - {type: bind, target: /h, source: ~/also-gone}\n")),
            (std::vector<std::string>{
                "d.yaml:2:1: 'rootfs': open rootfs '" + home +
                    "/nope': No such file or directory",
                "d.yaml:5:26: 'mounts[1].source': open bind source '" + home +
                    "/gone' for '/g': No such file or directory (create it, or mark the mount "
                    "'optional: true')",
                "d.yaml:7:38: 'mounts[3].source': open bind source '" + home +
                    "/also-gone' for '/h': No such file or directory (create it, or mark the "
                    "mount 'optional: true')",
            }));
  std::ofstream(tmp_ / "file") << "x";
  EXPECT_EQ(host_refusals(load("command: [x]\nrootfs: ~/file\n")),
            (std::vector<std::string>{"d.yaml:2:1: 'rootfs': open rootfs '" + home +
                                      "/file': Not a directory"}));
}

// A device the host lacks, each at its entry of `devices`: by name, the
// name and its path; by path, the path. (A definition built by hand names
// paths no loader would take, to test the other answers here.)
TEST_F(HostRefusals, ADeviceTheHostLacks) {
  const std::string home = tmp_.path();
  EXPECT_EQ(host_refusals(load("rootfs: ~/rootfs\ncommand: [x]\n"
                               "devices: [/dev/box-unit-absent, /dev/box-unit-absent/x]\n")),
            (std::vector<std::string>{
                "d.yaml:3:11: 'devices[0]': device '/dev/box-unit-absent': No such file or "
                "directory: this host has none (is its driver loaded? remove it from 'devices' "
                "to start without it)",
                "d.yaml:3:33: 'devices[1]': device '/dev/box-unit-absent/x': No such file or "
                "directory: this host has none (is its driver loaded? remove it from 'devices' "
                "to start without it)"}));
  std::ofstream(tmp_ / "file") << "x";
  Definition by_hand;
  by_hand.devices = {{"dri", home + "/no-dri"}, {"file", home + "/file"}, {"dir", home + "/src"}};
  EXPECT_EQ(host_refusals(by_hand),
            (std::vector<std::string>{
                "device 'dri' (" + home + "/no-dri): No such file or directory: this host has "
                "none (is its driver loaded? remove it from 'devices' to start without it)",
                "device 'file' (" + home + "/file) is not a device node or a directory of them"}));
}

TEST_F(HostRefusals, AnImageThatIsNotInstalled) {
  EXPECT_EQ(host_refusals(load("command: [x]\nimage: etcd\n")),
            (std::vector<std::string>{
                "d.yaml:2:1: 'image': image 'etcd' is not installed (open rootfs '" +
                tmp_.path() +
                "/data/box/images/etcd/rootfs': No such file or directory): install it with "
                "'boxctl install --user SOURCE etcd' ('boxctl images' lists those installed)"}));
}

// Built elsewhere (box-run run's options): no place to name.
TEST_F(HostRefusals, WithoutAFileTheMessageAlone) {
  Definition def;
  def.rootfs = tmp_ / "rootfs";
  MountSpec bind;
  bind.target = "/x";
  bind.source = tmp_ / "gone";
  def.mounts.push_back(bind);
  EXPECT_EQ(host_refusals(def),
            (std::vector<std::string>{"open bind source '" + tmp_.path() +
                                      "/gone' for '/x': No such file or directory (create it, "
                                      "or mark the mount 'optional: true')"}));
}

}  // namespace
}  // namespace box
