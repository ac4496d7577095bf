// Removing what an install recorded, and nothing else. A recorded path
// (image.json) is not trusted: before anything is removed, the path is
// walked from "/" one component at a time with O_NOFOLLOW (a symlink on the
// way, or in its place, is refused), and the file or directory found must
// be the very one the install created: the same device and inode. A
// directory is removed from a descriptor of it, as the container's ids
// (image::run_in_user_namespace), so nothing in it is followed either.
#pragma once

#include <string>

#include "core/image/userns.h"
#include "core/sys/result.h"
#include "install/install.h"

namespace box::install {

// The (device, inode) of `path`, reached as above; an error when a
// component is a symlink or missing.
Result<CreatedPath> record_created(const std::string& path, const std::string& kind);

// Removes `rec.path` (a file, or a directory tree) if it is still what was
// recorded. The result is empty when it was removed or is gone already,
// else a note saying what was left and why (a symlink on the way, another
// file at that path). `rec.path` must be canonical (own_places.h).
Result<std::string> remove_recorded(const CreatedPath& rec, const image::IdMapping& mapping);

// Removes the directory `path` (one of a box's own places, which has no
// record) without following a symlink to it or in it; a note when it is
// not a directory reached that way.
Result<std::string> remove_own_dir(const std::string& path, const image::IdMapping& mapping);

}  // namespace box::install
