// The image's owners and modes of a rootfs root made, read by the user who
// installs it (root_made.h).
#include "install/root_made.h"

#include <gtest/gtest.h>

#include <string>

namespace box::install {
namespace {

TEST(RootMade, HostIdsTheNamespaceDoesNotMapAreTheImagesOwn) {
  const SubidRanges range = {{100000, 65536}};
  // You and your subordinate ids: as the namespace maps them.
  EXPECT_EQ(image_id_of_host_id(1000, 1000, range, 65536), 0u);
  EXPECT_EQ(image_id_of_host_id(100000, 1000, range, 65536), 1u);
  EXPECT_EQ(image_id_of_host_id(100041, 1000, range, 65536), 42u);
  EXPECT_EQ(image_id_of_host_id(165535, 1000, range, 65536), 65536u);
  // Root's and the ids root gave (Debian's shadow group 42): kept.
  EXPECT_EQ(image_id_of_host_id(0, 1000, range, 65536), 0u);
  EXPECT_EQ(image_id_of_host_id(42, 1000, range, 65536), 42u);
  // Above what the namespace maps: nothing (clamped by the caller).
  EXPECT_FALSE(image_id_of_host_id(165536, 1000, range, 65536).has_value());
  EXPECT_FALSE(image_id_of_host_id(70000, 1000, range, 65536).has_value());
  // Without subordinate ids only 0 is mapped.
  EXPECT_EQ(image_id_of_host_id(1000, 1000, {}, 0), 0u);
  EXPECT_EQ(image_id_of_host_id(0, 1000, {}, 0), 0u);
  EXPECT_FALSE(image_id_of_host_id(42, 1000, {}, 0).has_value());
  // A second range follows the first inside.
  const SubidRanges two = {{100000, 65536}, {300000, 1000}};
  EXPECT_EQ(image_id_of_host_id(300000, 1000, two, 66536), 65537u);
  EXPECT_EQ(image_id_of_host_id(300999, 1000, two, 66536), 66536u);
}

std::string entry(std::uint16_t tag, std::uint16_t perm, std::uint32_t id) {
  std::string e;
  for (int i = 0; i < 2; ++i) e += static_cast<char>((tag >> (8 * i)) & 0xff);
  for (int i = 0; i < 2; ++i) e += static_cast<char>((perm >> (8 * i)) & 0xff);
  for (int i = 0; i < 4; ++i) e += static_cast<char>((id >> (8 * i)) & 0xff);
  return e;
}

const std::string kVersion2("\x02\x00\x00\x00", 4);

TEST(RootMade, TheGroupBitsOfAFileWithAnAclAreInTheAcl) {
  // `setfacl -m u:1000:r` on root's 0600 file: user::rw- user:1000:r--
  // group::--- mask::r-- other::---; stat says 0640.
  const std::string acl = kVersion2 + entry(0x01, 6, 0xffffffff) + entry(0x02, 4, 1000) +
                          entry(0x04, 0, 0xffffffff) + entry(0x10, 4, 0xffffffff) +
                          entry(0x20, 0, 0xffffffff);
  EXPECT_EQ(mode_without_acl(0100640, acl), static_cast<mode_t>(0100600));
  // Root's 0750 directory given rX: group r-x stays.
  const std::string dir = kVersion2 + entry(0x01, 7, 0xffffffff) + entry(0x02, 5, 1000) +
                          entry(0x04, 5, 0xffffffff) + entry(0x10, 5, 0xffffffff) +
                          entry(0x20, 0, 0xffffffff);
  EXPECT_EQ(mode_without_acl(040750, dir), static_cast<mode_t>(040750));
  // Set-id and sticky bits are the mode's.
  EXPECT_EQ(mode_without_acl(0104750, acl), static_cast<mode_t>(0104700));
}

TEST(RootMade, WhatIsNotAnAclLeavesTheModeAsItIs) {
  EXPECT_EQ(mode_without_acl(0100640, ""), static_cast<mode_t>(0100640));
  EXPECT_EQ(mode_without_acl(0100640, std::string("\x01\x00\x00\x00", 4) + entry(0x04, 0, 0)),
            static_cast<mode_t>(0100640));
  EXPECT_EQ(mode_without_acl(0100640, kVersion2 + "\x04\x00"), static_cast<mode_t>(0100640));
  EXPECT_EQ(mode_without_acl(0100640, kVersion2 + entry(0x01, 6, 0)),
            static_cast<mode_t>(0100640));
}

}  // namespace
}  // namespace box::install
