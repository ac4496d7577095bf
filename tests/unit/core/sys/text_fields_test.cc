#include "core/sys/text_fields.h"

#include <gtest/gtest.h>

namespace box {
namespace {

using Pieces = std::vector<std::string_view>;

TEST(TextFields, NonEmptyPieces) {
  EXPECT_EQ(split_nonempty("Uid:\t0\t 12  ", " \t"), (Pieces{"Uid:", "0", "12"}));
  EXPECT_EQ(split_nonempty("./blobs//sha256/x", "/"), (Pieces{".", "blobs", "sha256", "x"}));
  EXPECT_TRUE(split_nonempty("", "/").empty());
  EXPECT_TRUE(split_nonempty("///", "/").empty());
  EXPECT_EQ(text_lines("a\n\nb\r\nc"), (Pieces{"a", "b\r", "c"}));
}

TEST(TextFields, FixedFieldsKeepTheRestInTheLast) {
  auto cgroup = split_fields("0::/user.slice/a:b", ':', 3);
  ASSERT_TRUE(cgroup);
  EXPECT_EQ(*cgroup, (Pieces{"0", "", "/user.slice/a:b"}));
  EXPECT_FALSE(split_fields("alice:100000", ':', 3));
  EXPECT_EQ(*split_fields("no separator", ':', 1), Pieces{"no separator"});
}

TEST(TextFields, UnsignedNumbers) {
  EXPECT_EQ(parse_unsigned("65536"), 65536u);
  EXPECT_EQ(parse_unsigned("000001ffffffffff", 16), 0x1ffffffffffu);
  EXPECT_EQ(parse_unsigned("A8", 16), 0xa8u);
  EXPECT_EQ(parse_unsigned("18446744073709551615"), UINT64_MAX);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "0x10", "12a", "18446744073709551616"})
    EXPECT_FALSE(parse_unsigned(bad)) << bad;
  EXPECT_FALSE(parse_unsigned("g", 16));
}

}  // namespace
}  // namespace box
