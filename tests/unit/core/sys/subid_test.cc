#include "core/sys/subid.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include "core/sys/small_file.h"

namespace box {
namespace {

TEST(Subid, EveryRangeByNameOrUidInFileOrder) {
  const char* text =
      "alice:100000:65536\n# comment\nbroken line\n1000:300000:1000\nbob:200000:0\n"
      "alice:500000:70000\n";
  EXPECT_EQ(find_subid_ranges(text, "alice", 1000),
            (SubidRanges{{100000, 65536}, {300000, 1000}, {500000, 70000}}));
  EXPECT_EQ(find_subid_ranges(text, "carol", 1000), (SubidRanges{{300000, 1000}}));
  EXPECT_TRUE(find_subid_ranges(text, "bob", 1002).empty());  // zero-sized range
  EXPECT_TRUE(find_subid_ranges(text, "dave", 1003).empty());
  EXPECT_TRUE(find_subid_ranges("", "alice", 1000).empty());
}

TEST(Subid, TotalCountsOverlapsOnce) {
  EXPECT_EQ(subid_total({{100000, 65536}, {300000, 1000}}), 66536u);
  EXPECT_EQ(subid_total({{100000, 65536}, {100000, 65536}, {160000, 10}}), 65536u);
  EXPECT_EQ(subid_total({}), 0u);
}

// Inside ids one after the other, across the ranges.
TEST(Subid, MapLinesAcrossRanges) {
  const SubidRanges two{{100000, 65536}, {300000, 1000}};
  EXPECT_EQ(map_from_ranges(1, two),
            (std::vector<IdMapLine>{{1, 100000, 65536}, {65537, 300000, 1000}}));
  // keep-id: the user's own id 1000 is a hole, the ranges fill around it.
  EXPECT_EQ(map_from_ranges(0, two, 1000u),
            (std::vector<IdMapLine>{{0, 100000, 1000}, {1001, 101000, 64536},
                                    {65537, 300000, 1000}}));
  // A hole inside the second range.
  EXPECT_EQ(map_from_ranges(0, two, 65600u),
            (std::vector<IdMapLine>{{0, 100000, 65536}, {65536, 300000, 64}, {65601, 300064, 936}}));
  // Overlapping ranges are left out; the line limit holds.
  EXPECT_EQ(map_from_ranges(1, {{100000, 10}, {100005, 10}, {200000, 5}}),
            (std::vector<IdMapLine>{{1, 100000, 10}, {11, 200000, 5}}));
  SubidRanges many;
  for (unsigned i = 0; i < 1000; ++i) many.push_back({100000 + 10 * i, 10});
  EXPECT_EQ(map_from_ranges(1, many).size(), kMaxIdMapLines - 1);
  // Never up to (uid_t)-1.
  auto top = map_from_ranges(0xfffffff0u, {{100000, 65536}});
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].count, 0xfu);
}

TEST(Subid, NsswitchSource) {
  EXPECT_EQ(nsswitch_subid_source("passwd: files\ngroup: files\n"), "");
  EXPECT_EQ(nsswitch_subid_source("passwd: files\n  subid:\tsss  # IPA\n"), "sss");
  EXPECT_EQ(nsswitch_subid_source("#subid: sss\nsubid: files\n"), "files");
}

// libsubid (what newuidmap asks) and box's reading of the files agree
// where nsswitch.conf names no source: every range, by name or uid.
// A user the machine gives ranges to (the first of /etc/subuid), else us.
TEST(Subid, LibsubidAgreesWithTheFiles) {
  std::string user;
  if (auto text = read_small_file("/etc/subuid"); text && !text->empty())
    user = text->substr(0, text->find(':'));
  struct passwd* pw = user.empty() ? ::getpwuid(::getuid()) : ::getpwnam(user.c_str());
  ASSERT_NE(pw, nullptr) << user;
  user = pw->pw_name;
  for (auto kind : {SubidKind::kUid, SubidKind::kGid}) {
    auto lib = libsubid_ranges(kind, user);
    ASSERT_TRUE(lib.ok()) << lib.error().message();
    const char* file = kind == SubidKind::kUid ? "/etc/subuid" : "/etc/subgid";
    EXPECT_EQ(*lib, subid_ranges_in(file, user, pw->pw_uid)) << file;
    auto ours = user_subid_ranges(kind, user, pw->pw_uid);
    ASSERT_TRUE(ours.ok()) << ours.error().message();
    EXPECT_EQ(*ours, *lib);
  }
}

}  // namespace
}  // namespace box
