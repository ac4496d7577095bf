// How deletions are written down, in the two places box meets them: OCI
// image layers (".wh.NAME" removes NAME of the layers below, ".wh..wh..opq"
// hides everything the layers below have in its directory), which an
// install unpacks, and the upper dir of an overlay (`rootfs_writes:
// persistent`), which an export reads. Pure: names, file types and extended
// attributes in, decisions out.
//
// The upper dir's conventions depend on who wrote it:
// - the kernel's overlayfs (mounted with `userxattr`): a deleted name is a
//   character device 0:0 of that name; a directory that replaced a deleted
//   one carries the xattr user.overlay.opaque = "y". Its other user.overlay.*
//   xattrs (origin, impure) are its own bookkeeping. A file named ".wh.X" is
//   a file like any other.
// - fuse-overlayfs: the same device where it may make one, else an empty
//   file ".wh.NAME"; an opaque directory carries trusted.overlay.opaque,
//   user.overlay.opaque or user.fuseoverlayfs.opaque = "y", or holds a
//   ".wh..wh..opq" file. It reads every one of these forms in any upper dir
//   it serves (so also the kernel's), and keeps its bookkeeping in
//   user.fuseoverlayfs.*.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace box::image {

// OCI layers.
inline constexpr std::string_view kWhiteoutPrefix = ".wh.";
inline constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

// A name an OCI layer cannot hold as a file: a consumer reads it as a
// whiteout (".wh.X") or an opaque marker.
bool is_whiteout_name(std::string_view name);

// Who wrote an upper dir (the persistent dir's driver marker says it:
// core/plan/overlay_plan.h).
enum class UpperWriter { kKernel, kFuseOverlayfs };

// One entry of an upper dir as readdir and lstat give it.
struct UpperDirEntry {
  std::string name;
  bool char_device = false;
  unsigned rdev_major = 0, rdev_minor = 0;
};

// What an upper dir's entry means to the merged view.
struct UpperMeaning {
  enum class Kind {
    kEntry,         // a file of the merged view, hiding the lower one of its name
    kWhiteout,      // `hides` is deleted: the lower one is not seen
    kOpaqueDir,     // the directory is opaque (fuse-overlayfs's marker file)
  };
  Kind kind = Kind::kEntry;
  std::string hides;  // kWhiteout: the name it deletes
};
UpperMeaning upper_meaning(const UpperDirEntry& entry, UpperWriter writer);

// Whether an extended attribute of an upper dir's directory makes it opaque.
bool is_opaque_xattr(std::string_view name, std::string_view value);

// The overlay drivers' own extended attributes (opaque, origin, impure,
// redirect, ...): bookkeeping the container never sees, never a file's own.
bool is_overlay_xattr(std::string_view name);

// One name of a merged directory and where it comes from. A name in both is
// the upper one; when both are directories (and the upper not opaque) their
// contents merge in turn.
struct MergedName {
  std::string name;
  bool upper = false;  // the upper dir's entry is what is seen
  bool lower = false;  // the lower dir has the name too (seen when !upper)
};

// A directory of the merged view: the lower dir's names (none when the
// upper dir is opaque: pass them anyway, `opaque` drops them) and the upper
// dir's entries with their meaning. Sorted by name; whiteouts, opaque
// markers and what they hide left out.
std::vector<MergedName> merge_directory(const std::vector<std::string>& lower,
                                        const std::vector<UpperDirEntry>& upper,
                                        UpperWriter writer, bool opaque);

// Whether an upper directory is opaque by its entries (fuse-overlayfs's
// marker file); its xattrs are checked with is_opaque_xattr.
bool has_opaque_marker(const std::vector<UpperDirEntry>& upper, UpperWriter writer);

}  // namespace box::image
