#include "core/plan/proc_files.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <fstream>
#include <sstream>

namespace box {
namespace {

TEST(ProcFiles, Children) {
  EXPECT_EQ(parse_children("12 34 \n"), (std::vector<pid_t>{12, 34}));
  EXPECT_TRUE(parse_children("").empty());
  EXPECT_EQ(parse_children("7"), std::vector<pid_t>{7});
  EXPECT_EQ(parse_children("0 x 5 99999999"), std::vector<pid_t>{5});
}

TEST(ProcFiles, Status) {
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
  EXPECT_FALSE(unfiltered->no_new_privs);
  EXPECT_TRUE(unfiltered->groups.empty());
  EXPECT_FALSE(parse_proc_status("Name:\tx\n").ok());
  auto bad_bounding = parse_proc_status("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapBnd:\tzz\n");
  ASSERT_FALSE(bad_bounding.ok());
  EXPECT_EQ(bad_bounding.error().message(), "no Uid, Gid or CapBnd line");
}

// Every line of the kernel's own file, as this process has it.
TEST(ProcFiles, LimitsOfThisProcess) {
  std::ifstream in("/proc/self/limits");
  std::stringstream text;
  text << in.rdbuf();
  auto limits = parse_proc_limits(text.str());
  ASSERT_TRUE(limits.ok()) << limits.error().message();
  EXPECT_EQ(limits->size(), static_cast<std::size_t>(RLIM_NLIMITS));
  rlimit nofile{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &nofile), 0);
  bool found = false;
  for (const auto& l : *limits)
    if (l.resource == RLIMIT_NOFILE) {
      found = true;
      EXPECT_EQ(l.soft, nofile.rlim_cur == RLIM_INFINITY ? UINT64_MAX : nofile.rlim_cur);
      EXPECT_EQ(l.hard, nofile.rlim_max == RLIM_INFINITY ? UINT64_MAX : nofile.rlim_max);
    }
  EXPECT_TRUE(found);
  EXPECT_FALSE(parse_proc_limits("").ok());
}

TEST(ProcFiles, Environment) {
  const std::string data("PATH=/bin\0container=box\0junk\0=x\0HOME=/root\0", 43);
  EXPECT_EQ(parse_environ(data),
            (std::vector<std::string>{"PATH=/bin", "container=box", "HOME=/root"}));
  EXPECT_TRUE(parse_environ("").empty());
}

}  // namespace
}  // namespace box

namespace box {
namespace {

// A real line of /proc/PID/stat, its command name with a space and a ')'.
TEST(ProcFiles, StartTime) {
  const std::string stat =
      "4242 (box pod) x) S 1 4242 4242 0 -1 4194560 96 0 0 0 0 0 0 0 20 0 1 0 123456 2400256 "
      "150 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
  EXPECT_EQ(parse_start_time(stat), 123456u);
  std::string zombie = stat;
  zombie.replace(zombie.find(") S ") + 2, 1, "Z");
  EXPECT_EQ(parse_start_time(zombie), std::nullopt);
  EXPECT_EQ(parse_start_time("4242 (sh) S 1 2 3\n"), std::nullopt);
  EXPECT_EQ(parse_start_time(""), std::nullopt);
}

}  // namespace
}  // namespace box
