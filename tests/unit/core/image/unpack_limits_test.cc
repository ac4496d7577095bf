#include "core/image/unpack_limits.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace box::image {
namespace {

TEST(UnpackLimits, BytesUpToTheLimitAndNotOneMore) {
  UnpackLimits l;
  l.max_bytes = 1000;
  EXPECT_TRUE(check_bytes(l, 0, 1000).ok());
  EXPECT_TRUE(check_bytes(l, 999, 1).ok());
  auto over = check_bytes(l, 999, 2);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().message(),
            "the image unpacks to more than 1000 bytes; raise --max-size");
  // No wrap-around for sizes near the top of the range.
  EXPECT_FALSE(check_bytes(l, 10, UINT64_MAX).ok());
  EXPECT_FALSE(check_bytes(l, 1001, 0).ok());
}

TEST(UnpackLimits, TheDefaultIs32GiB) {
  UnpackLimits l;
  EXPECT_EQ(l.max_bytes, 32ull << 30);
  auto over = check_bytes(l, l.max_bytes, 1);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().message(),
            "the image unpacks to more than 32 GiB (34359738368 bytes); raise --max-size");
}

TEST(UnpackLimits, OneFileByItsDeclaredSize) {
  UnpackLimits l;
  l.max_bytes = 4096;
  EXPECT_TRUE(check_file_size(l, 4096).ok());
  EXPECT_TRUE(check_file_size(l, -1).ok());  // not declared: counted as written
  auto big = check_file_size(l, 1ll << 40);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().message(),
            "a file of 1099511627776 bytes is larger than 4 KiB (4096 bytes); raise --max-size");
}

TEST(UnpackLimits, EntriesPathsAndLayers) {
  UnpackLimits l;
  l.max_entries = 3;
  EXPECT_TRUE(check_entry_count(l, 2).ok());
  auto many = check_entry_count(l, 3);
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.error().message(),
            "the image has more than 3 files, directories and links, the most box unpacks");

  EXPECT_TRUE(check_path_length(std::string(4095, 'a'), "the entry name").ok());
  auto longer = check_path_length(std::string(4096, 'a'), "the symlink target");
  ASSERT_FALSE(longer.ok());
  EXPECT_EQ(longer.error().message().rfind(
                "the symlink target of 4096 bytes is longer than 4095 (PATH_MAX): 'aaa", 0),
            0u)
      << longer.error().message();

  EXPECT_TRUE(check_layer_count(128).ok());
  auto layers = check_layer_count(129);
  ASSERT_FALSE(layers.ok());
  EXPECT_EQ(layers.error().message(), "the image has 129 layers, more than 128, the most box unpacks");
}

}  // namespace
}  // namespace box::image
