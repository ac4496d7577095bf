#include "manager/pod_list.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/temp_dir.h"

namespace box::manager {
namespace {
namespace fs = std::filesystem;

ContainerInfo box_in(const std::string& name, const std::string& pod) {
  ContainerInfo c;
  c.name = name;
  c.valid = true;
  c.pod = pod;
  return c;
}

TEST(PodList, PodsWithTheirMembersAndThePodsBoxesNameInVain) {
  box::testing::TempDir tmp{"pods"};
  std::ofstream(tmp / "pods/web.yaml") << "description: Web shop\n";
  std::ofstream(tmp / "pods/bad.yaml") << "network: none\n";
  std::ofstream(tmp / "pods/idle.yaml") << "";
  auto pods = list_pods({tmp / "pods"}, {box_in("shop", "web"), box_in("db", "web"),
                                         box_in("solo", ""), box_in("lost", "gone")});
  ASSERT_EQ(pods.size(), 4u);
  EXPECT_EQ(pods[0].name, "bad");
  EXPECT_FALSE(pods[0].valid);
  EXPECT_NE(pods[0].error.find("'network': a pod's network is private or host"),
            std::string::npos)
      << pods[0].error;
  EXPECT_EQ(pods[1].name, "gone");
  EXPECT_FALSE(pods[1].valid);
  EXPECT_EQ(pods[1].error, "no definition for pod 'gone' (looked for " + (tmp / "pods/gone.yaml") +
                               ")");
  EXPECT_EQ(pods[1].members, std::vector<std::string>{"lost"});
  EXPECT_EQ(pods[2].name, "idle");
  EXPECT_TRUE(pods[2].valid);
  EXPECT_TRUE(pods[2].members.empty());
  EXPECT_EQ(pods[3].name, "web");
  EXPECT_TRUE(pods[3].valid);
  EXPECT_EQ(pods[3].description, "Web shop");
  EXPECT_EQ(pods[3].path, tmp / "pods/web.yaml");
  EXPECT_EQ(pods[3].members, (std::vector<std::string>{"db", "shop"}));
}

}  // namespace
}  // namespace box::manager
