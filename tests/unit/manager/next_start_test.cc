#include "manager/next_start.h"

#include <gtest/gtest.h>

namespace box::manager {
namespace {

const std::vector<DefinitionSource> kNow = {{"/c/web.yaml", "rootfs: /srv\n"}};

TEST(NextStart, NothingToSayWhenNotRunning) {
  EXPECT_EQ(next_start_verdict(0, StartRecord{5, kNow}, true, kNow), "");
  EXPECT_EQ(next_start_verdict(0, std::nullopt, false, {}), "");
}

TEST(NextStart, ComparesTheRecordOfThisRunWithTheFilesNow) {
  EXPECT_EQ(next_start_verdict(5, StartRecord{5, kNow}, true, kNow), "unchanged");
  EXPECT_EQ(next_start_verdict(5, StartRecord{5, {{"/c/web.yaml", "rootfs: /old\n"}}}, true, kNow),
            "changed");
}

TEST(NextStart, ABrokenMaskedOrMissingDefinitionFails) {
  EXPECT_EQ(next_start_verdict(5, StartRecord{5, kNow}, false, {}), "fails");
  EXPECT_EQ(next_start_verdict(5, std::nullopt, false, {}), "fails");
}

TEST(NextStart, ARecordOfAnotherRunSaysNothing) {
  EXPECT_EQ(next_start_verdict(5, std::nullopt, true, kNow), "unknown");
  EXPECT_EQ(next_start_verdict(5, StartRecord{4, kNow}, true, kNow), "unknown");
}

}  // namespace
}  // namespace box::manager
