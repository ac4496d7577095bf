// Unpacking one image layer (a tar stream, compressed or not) onto a rootfs
// directory, the way OCI image layers stack: whiteouts (".wh.NAME") remove
// what lower layers put there, an opaque marker (".wh..wh..opq") empties a
// directory of lower layers' entries, later entries replace earlier ones.
//
// Safety: every entry is resolved inside the rootfs (openat2 with
// RESOLVE_IN_ROOT), so a symlink in the image, absolute or relative, is
// followed as the container would follow it, never out to the host; entry
// names or hard-link targets with a ".." component are refused; device nodes
// are skipped (an unprivileged user cannot create them); the stream's
// sha256 digest is checked against the descriptor's.
//
// Kernel-touching, but no namespaces of its own: the caller runs it where the
// image's ids can be set (see userns.h), or with `set_owners` off.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/image/blob_source.h"
#include "core/image/unpack_limits.h"
#include "core/sys/result.h"

namespace box::image {

struct UnpackOptions {
  // Give entries the owners the layer records. Only meaningful inside a user
  // namespace that maps ids 0..max_id; ids above max_id become 0 (counted).
  bool set_owners = false;
  std::uint32_t max_id = 0;
  // Checked against the running totals in UnpackStats, which span layers.
  UnpackLimits limits;
};

struct UnpackStats {
  std::uint64_t entries = 0;
  std::uint64_t bytes_read = 0;     // of the (compressed) stream
  std::uint64_t bytes_written = 0;  // file contents written
  std::uint64_t devices_skipped = 0;
  std::uint64_t owners_clamped = 0;  // ids outside the mapped range
  std::uint64_t xattrs_skipped = 0;
  std::uint64_t whiteouts = 0;
};

struct LayerToUnpack {
  std::string what;        // for messages: "layer 2/3 (sha256:ab12…)"
  std::string digest;      // expected sha256 of the stream as read; empty: unchecked
  std::int64_t size = -1;  // expected stream size; -1: unchecked
};

// `on_read` gets the running count of stream bytes read (for progress).
Result<void> unpack_layer(int rootfs_fd, InputStream& in, const LayerToUnpack& layer,
                          const UnpackOptions& options, UnpackStats& stats,
                          const std::function<void(std::uint64_t)>& on_read);

// Removes `name` in `dirfd` (a whole tree for a directory), never following
// symlinks. ENOENT is success.
Result<void> remove_entry_at(int dirfd, const std::string& name);

// Splits an archive entry name into components: leading "/" and "./" and
// empty or "." components dropped. Fails on a ".." component.
Result<std::vector<std::string>> split_entry_path(const std::string& name);

}  // namespace box::image
