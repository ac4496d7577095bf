// Where pods live: beside each definition directory, resolved, masked and
// scanned as definitions are, without templates.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/model/paths.h"
#include "tests/unit/temp_dir.h"

namespace box {
namespace {
namespace fs = std::filesystem;

using Strings = std::vector<std::string>;

TEST(PodPaths, BesideEachDefinitionDirectory) {
  UserDirs dirs;
  dirs.home = "/home/u";
  dirs.config_home = "/home/u/.config";
  EXPECT_EQ(pod_search_dirs(dirs),
            (Strings{"/home/u/.config/box/pods", "/etc/box/pods", "/usr/share/box/pods"}));
  dirs.containers_path = "/srv/defs/containers:/opt/box/containers/";
  EXPECT_EQ(pod_search_dirs(dirs), (Strings{"/srv/defs/pods", "/opt/box/pods"}));
}

class PodFiles : public ::testing::Test {
 protected:
  void write(const std::string& rel, const std::string& text = "") {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  std::string p(const std::string& rel) { return (root_ / rel).string(); }
  Strings dirs() { return {p("user/pods"), p("etc/pods")}; }

  box::testing::TempDir tmp_{"user/pods", "etc/pods"};
  const fs::path root_{tmp_.path()};
};

TEST_F(PodFiles, ResolvedWithPrecedenceAndDropIns) {
  write("user/pods/web.yaml", "share: [ipc]\n");
  write("etc/pods/web.yaml", "share: []\n");
  write("etc/pods/web.yaml.d/10-ports.yaml", "ports: ['8080:80']\n");
  auto pod = load_pod(dirs(), "web");
  ASSERT_TRUE(pod.ok()) << pod.error().message();
  EXPECT_EQ(pod->source_path, p("user/pods/web.yaml"));
  EXPECT_TRUE(pod->share_ipc);
  ASSERT_EQ(pod->ports.size(), 1u);
  EXPECT_EQ(pod->fragment_paths, Strings{p("etc/pods/web.yaml.d/10-ports.yaml")});
}

TEST_F(PodFiles, MissingAndMaskedPodsSaySo) {
  auto missing = load_pod(dirs(), "shop");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(), "no definition for pod 'shop' (looked for " +
                                           p("user/pods/shop.yaml") + ", " +
                                           p("etc/pods/shop.yaml") + ")");
  write("etc/pods/shop.yaml");
  fs::create_symlink("/dev/null", root_ / "user/pods/shop.yaml");
  auto masked = load_pod(dirs(), "shop");
  ASSERT_FALSE(masked.ok());
  EXPECT_EQ(masked.error().message(), "pod 'shop' is masked by '" + p("user/pods/shop.yaml") +
                                          "' (a symlink to /dev/null); remove it to use the pod "
                                          "again");
  EXPECT_FALSE(load_pod(dirs(), "web@blue").ok());
}

TEST_F(PodFiles, ScanListsPodsAndRefusesTemplates) {
  write("user/pods/web.yaml");
  write("etc/pods/db.yaml", "network: host\n");
  write("etc/pods/tpl@.yaml");
  write("etc/pods/tpl@x.yaml");
  auto scan = scan_pods(dirs());
  ASSERT_EQ(scan.pods.size(), 2u);
  EXPECT_EQ(scan.pods[0].name, "db");
  EXPECT_EQ(scan.pods[1].name, "web");
  ASSERT_EQ(scan.problems.size(), 1u);  // tpl@x; a template with an instance has no entry
  EXPECT_EQ(scan.problems[0].name, "tpl@x");
  EXPECT_NE(scan.problems[0].message.find("pods have no templates"), std::string::npos);
}

}  // namespace
}  // namespace box
