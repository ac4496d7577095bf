#include "core/sys/subid.h"

#include <gtest/gtest.h>

namespace box {
namespace {

TEST(Subid, FindsByNameOrUid) {
  const char* text = "alice:100000:65536\n# comment\nbroken line\n1001:300000:1000\nbob:200000:0\n";
  auto a = find_subid_range(text, "alice", 1000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->start, 100000u);
  EXPECT_EQ(a->count, 65536u);
  auto by_uid = find_subid_range(text, "carol", 1001);
  ASSERT_TRUE(by_uid);
  EXPECT_EQ(by_uid->start, 300000u);
  EXPECT_FALSE(find_subid_range(text, "bob", 1002));  // zero-sized range
  EXPECT_FALSE(find_subid_range(text, "dave", 1003));
  EXPECT_FALSE(find_subid_range("", "alice", 1000));
}

}  // namespace
}  // namespace box
