#include "core/image/whiteouts.h"

#include <gtest/gtest.h>

namespace box::image {
namespace {

using K = UpperMeaning::Kind;
constexpr auto kKernel = UpperWriter::kKernel;
constexpr auto kFuse = UpperWriter::kFuseOverlayfs;

UpperDirEntry whiteout(const std::string& name) { return {name, true, 0, 0}; }
UpperDirEntry file(const std::string& name) { return {name}; }

TEST(Whiteouts, OciNames) {
  EXPECT_TRUE(is_whiteout_name(".wh.foo"));
  EXPECT_TRUE(is_whiteout_name(kOpaqueMarker));
  EXPECT_FALSE(is_whiteout_name(".whx"));
  EXPECT_FALSE(is_whiteout_name("a.wh.b"));
}

TEST(Whiteouts, ADeviceZeroZeroDeletesItsNameForEitherDriver) {
  for (auto writer : {kKernel, kFuse}) {
    auto m = upper_meaning(whiteout("passwd"), writer);
    EXPECT_EQ(m.kind, K::kWhiteout);
    EXPECT_EQ(m.hides, "passwd");
  }
  // Any other device is a file of the view (which an export refuses).
  EXPECT_EQ(upper_meaning({"null", true, 1, 3}, kKernel).kind, K::kEntry);
  EXPECT_EQ(upper_meaning({"x", true, 0, 1}, kKernel).kind, K::kEntry);
}

TEST(Whiteouts, WhNamesAreFuseOverlayfssOnly) {
  auto fuse = upper_meaning(file(".wh.group"), kFuse);
  EXPECT_EQ(fuse.kind, K::kWhiteout);
  EXPECT_EQ(fuse.hides, "group");
  EXPECT_EQ(upper_meaning(file(std::string(kOpaqueMarker)), kFuse).kind, K::kOpaqueDir);
  // The kernel's overlayfs reads no names: these are files the box made.
  EXPECT_EQ(upper_meaning(file(".wh.group"), kKernel).kind, K::kEntry);
  EXPECT_EQ(upper_meaning(file(std::string(kOpaqueMarker)), kKernel).kind, K::kEntry);
  EXPECT_TRUE(has_opaque_marker({file("a"), file(std::string(kOpaqueMarker))}, kFuse));
  EXPECT_FALSE(has_opaque_marker({file("a"), file(std::string(kOpaqueMarker))}, kKernel));
}

TEST(Whiteouts, OpaqueAndBookkeepingXattrs) {
  for (const char* name :
       {"user.overlay.opaque", "trusted.overlay.opaque", "user.fuseoverlayfs.opaque"}) {
    EXPECT_TRUE(is_opaque_xattr(name, "y")) << name;
    EXPECT_TRUE(is_overlay_xattr(name)) << name;
  }
  // "x": the kernel's mark of a directory with whiteouts in xattr form.
  EXPECT_FALSE(is_opaque_xattr("user.overlay.opaque", "x"));
  EXPECT_FALSE(is_opaque_xattr("user.opaque", "y"));
  EXPECT_TRUE(is_overlay_xattr("user.overlay.origin"));
  EXPECT_TRUE(is_overlay_xattr("user.overlay.impure"));
  EXPECT_TRUE(is_overlay_xattr("user.fuseoverlayfs.origin"));
  EXPECT_FALSE(is_overlay_xattr("user.mime_type"));
  EXPECT_FALSE(is_overlay_xattr("security.capability"));
  EXPECT_FALSE(is_overlay_xattr("user.overlayfoo"));
}

std::string render(const std::vector<MergedName>& merged) {
  std::string out;
  for (const auto& m : merged)
    out += m.name + (m.upper ? (m.lower ? "=UL " : "=U ") : "=L ");
  return out;
}

TEST(Whiteouts, AMergedDirectoryIsTheUpperOverTheLowerLessWhatIsDeleted) {
  const std::vector<std::string> lower = {"d", "a", "c", "b"};
  const std::vector<UpperDirEntry> upper = {file("b"), whiteout("c"), file("e")};
  EXPECT_EQ(render(merge_directory(lower, upper, kKernel, false)), "a=L b=UL d=L e=U ");
  // Opaque: nothing of the lower dir.
  EXPECT_EQ(render(merge_directory(lower, upper, kKernel, true)), "b=U e=U ");
  // fuse-overlayfs's forms.
  EXPECT_EQ(render(merge_directory(lower, {file(".wh.a"), file(".wh.zz"), file("b")}, kFuse, false)),
            "b=UL c=L d=L ");
  // The same names from the kernel's overlay are the box's files (an export refuses them).
  EXPECT_EQ(render(merge_directory({"a"}, {file(".wh.a")}, kKernel, false)), ".wh.a=U a=L ");
  // A whiteout beside a file of its name (fuse-overlayfs made the file after): the file.
  EXPECT_EQ(render(merge_directory({"a"}, {file(".wh.a"), file("a")}, kFuse, false)), "a=UL ");
  EXPECT_TRUE(merge_directory({}, {}, kKernel, false).empty());
}

}  // namespace
}  // namespace box::image
