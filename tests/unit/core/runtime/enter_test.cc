#include "core/runtime/enter.h"

#include <gtest/gtest.h>

#include "core/plan/run_plan.h"

namespace box {
namespace {

TEST(EnterParsing, Children) {
  EXPECT_EQ(parse_children("12 34 \n"), (std::vector<pid_t>{12, 34}));
  EXPECT_TRUE(parse_children("").empty());
  EXPECT_EQ(parse_children("7"), std::vector<pid_t>{7});
}

TEST(EnterParsing, ProcStatus) {
  const char* text =
      "Name:\tsh\nUid:\t1000\t1001\t1001\t1001\nGid:\t100\t101\t101\t101\n"
      "Groups:\t4 27 \nCapBnd:\t00000000a80425fb\nNoNewPrivs:\t1\nSeccomp:\t2\n"
      "Seccomp_filters:\t1\n";
  auto st = parse_proc_status(text);
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_EQ(st->uid, 1001u);  // the effective id
  EXPECT_EQ(st->gid, 101u);
  EXPECT_EQ(st->groups, (std::vector<gid_t>{4, 27}));
  EXPECT_EQ(st->cap_bounding, 0xa80425fbu);
  EXPECT_TRUE(st->no_new_privs);
  EXPECT_TRUE(st->seccomp_filtered);
  auto unfiltered =
      parse_proc_status("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapBnd:\t0\nSeccomp:\t0\n");
  ASSERT_TRUE(unfiltered.ok());
  EXPECT_FALSE(unfiltered->seccomp_filtered);
  EXPECT_FALSE(parse_proc_status("Name:\tx\n").ok());
}

TEST(EnterParsing, IdMaps) {
  auto map = parse_id_map("         0       1000          1\n         1     100000      65536\n");
  ASSERT_TRUE(map.ok());
  ASSERT_EQ(map->size(), 2u);
  EXPECT_EQ(*id_inside(*map, 1000), 0u);
  EXPECT_EQ(*id_inside(*map, 100000), 1u);
  EXPECT_EQ(*id_inside(*map, 165535), 65536u);
  EXPECT_FALSE(id_inside(*map, 165536).ok());
  EXPECT_FALSE(id_inside(*map, 0).ok());
  EXPECT_FALSE(parse_id_map("0 1\n").ok());
}

TEST(EnterParsing, EnvironmentAndOverrides) {
  const std::string data("PATH=/bin\0container=box\0junk\0HOME=/root\0", 41);
  auto env = parse_environ(data);
  EXPECT_EQ(env, (std::vector<std::string>{"PATH=/bin", "container=box", "HOME=/root"}));
  auto merged = merge_env(env, {"HOME=/tmp", "TERM=xterm", "bad"});
  EXPECT_EQ(merged,
            (std::vector<std::string>{"PATH=/bin", "container=box", "HOME=/tmp", "TERM=xterm"}));
}

// boxctl enter searches PATH as box-run does: never the working directory.
TEST(EnterParsing, ExecCandidates) {
  EXPECT_EQ(exec_candidates("/bin/sh", "/usr/bin"), std::vector<std::string>{"/bin/sh"});
  EXPECT_EQ(exec_candidates("cat", "/usr/bin:/bin"),
            (std::vector<std::string>{"/usr/bin/cat", "/bin/cat"}));
  EXPECT_EQ(exec_candidates("x", "/a::rel:/b:"), (std::vector<std::string>{"/a/x", "/b/x"}));
}

}  // namespace
}  // namespace box
