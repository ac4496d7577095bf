#include "core/plan/user_entries.h"

#include <gtest/gtest.h>

namespace box {
namespace {

TEST(UserEntries, Lines) {
  EXPECT_EQ(passwd_entry("alice", 1000, 1001, "Alice", "/home/alice"),
            "alice:*:1000:1001:Alice:/home/alice:/bin/sh");
  EXPECT_EQ(passwd_entry("alice", 1000, 1001, "", ""), "alice:*:1000:1001::/:/bin/sh");
  EXPECT_EQ(passwd_entry("", 1000, 1001, "", "/home/x"), "");
  EXPECT_EQ(group_entry("staff", 50, "alice"), "staff:x:50:alice");
}

// Added once, as podman adds it: not when the image has the name or the id.
TEST(UserEntries, AddedUnlessTheNameOrIdIsThere) {
  const std::string image = "root:x:0:0:root:/root:/bin/bash\nubuntu:x:1001:1001::/home/ubuntu:/bin/sh\n";
  const std::string alice = "alice:*:1000:1000::/home/alice:/bin/sh";
  EXPECT_EQ(with_entry(image, alice), image + alice + "\n");
  EXPECT_EQ(with_entry(image, "ubuntu:*:1000:1000::/:/bin/sh"), image);  // the name
  EXPECT_EQ(with_entry(image, "bob:*:1001:1001::/:/bin/sh"), image);     // the id
  // A file without its last newline, and an empty one.
  EXPECT_EQ(with_entry("root:x:0:0::/root:/bin/sh", alice),
            "root:x:0:0::/root:/bin/sh\n" + alice + "\n");
  EXPECT_EQ(with_entry("", alice), alice + "\n");
  // Group lines: the id is the third field too.
  EXPECT_EQ(with_entry("root:x:0:\nusers:x:100:\n", "users2:x:100:alice"), "root:x:0:\nusers:x:100:\n");
  EXPECT_EQ(with_entry("root:x:0:\n", "alice:x:1000:alice"), "root:x:0:\nalice:x:1000:alice\n");
}

}  // namespace
}  // namespace box
