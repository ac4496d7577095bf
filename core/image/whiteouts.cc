#include "core/image/whiteouts.h"

#include <algorithm>
#include <map>
#include <set>

namespace box::image {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The overlay drivers' xattr namespaces (fuse-overlayfs's, and the
// kernel's: trusted.* as root mounts it, user.* with `userxattr`).
constexpr std::string_view kOverlayXattrPrefixes[] = {"trusted.overlay.", "user.overlay.",
                                                      "user.fuseoverlayfs."};
constexpr std::string_view kOpaqueXattrs[] = {"trusted.overlay.opaque", "user.overlay.opaque",
                                              "user.fuseoverlayfs.opaque"};

}  // namespace

bool is_whiteout_name(std::string_view name) { return starts_with(name, kWhiteoutPrefix); }

UpperMeaning upper_meaning(const UpperDirEntry& entry, UpperWriter writer) {
  UpperMeaning m;
  if (entry.char_device && entry.rdev_major == 0 && entry.rdev_minor == 0) {
    m.kind = UpperMeaning::Kind::kWhiteout;
    m.hides = entry.name;
    return m;
  }
  // Only fuse-overlayfs reads these names; under the kernel's overlayfs
  // they are files the container made.
  if (writer == UpperWriter::kFuseOverlayfs && is_whiteout_name(entry.name)) {
    if (entry.name == kOpaqueMarker) {
      m.kind = UpperMeaning::Kind::kOpaqueDir;
    } else {
      m.kind = UpperMeaning::Kind::kWhiteout;
      m.hides = entry.name.substr(kWhiteoutPrefix.size());
    }
  }
  return m;
}

bool is_opaque_xattr(std::string_view name, std::string_view value) {
  // The kernel (6.7 and later) also writes "x" there: a directory that
  // holds whiteouts in xattr form, which is not opaque.
  return std::find(std::begin(kOpaqueXattrs), std::end(kOpaqueXattrs), name) !=
             std::end(kOpaqueXattrs) &&
         value == "y";
}

bool is_overlay_xattr(std::string_view name) {
  return std::any_of(std::begin(kOverlayXattrPrefixes), std::end(kOverlayXattrPrefixes),
                     [&](std::string_view p) { return starts_with(name, p); });
}

bool has_opaque_marker(const std::vector<UpperDirEntry>& upper, UpperWriter writer) {
  return std::any_of(upper.begin(), upper.end(), [&](const UpperDirEntry& e) {
    return upper_meaning(e, writer).kind == UpperMeaning::Kind::kOpaqueDir;
  });
}

std::vector<MergedName> merge_directory(const std::vector<std::string>& lower,
                                        const std::vector<UpperDirEntry>& upper,
                                        UpperWriter writer, bool opaque) {
  std::map<std::string, MergedName> names;
  std::set<std::string> hidden;
  for (const auto& e : upper) {
    const UpperMeaning m = upper_meaning(e, writer);
    if (m.kind == UpperMeaning::Kind::kWhiteout) hidden.insert(m.hides);
    if (m.kind != UpperMeaning::Kind::kEntry) continue;
    names[e.name].name = e.name;
    names[e.name].upper = true;
  }
  if (!opaque) {
    for (const auto& n : lower) {
      auto it = names.find(n);
      if (it != names.end()) {
        it->second.lower = true;  // under the upper one of its name
      } else if (!hidden.count(n)) {
        names[n] = MergedName{n, false, true};
      }
    }
  }
  std::vector<MergedName> out;
  out.reserve(names.size());
  for (auto& [_, m] : names) out.push_back(std::move(m));
  return out;
}

}  // namespace box::image
