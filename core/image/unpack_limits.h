// How much an install may write, and how large the things an image names
// may be. A layer is a compressed stream: a few MiB of gzip can expand to
// terabytes of zeros (a decompression bomb), or to millions of empty files
// that exhaust inodes; a hostile index can name thousands of layers. Each
// limit is checked before the write it guards, so an image that crosses one
// stops with nothing beyond it written. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/sys/result.h"

namespace box::image {

// 32 GiB: the largest images in common use (CUDA and machine-learning
// stacks) unpack to 10-20 GiB, so no real image reaches it, while a bomb is
// stopped long before it fills a disk of today's usual size. Raised with
// `boxctl install --max-size` (D-Bus option "max_size").
inline constexpr std::uint64_t kDefaultMaxUnpackBytes = 32ull << 30;
// Files, directories, links... of all layers together: large images hold a
// few hundred thousand.
inline constexpr std::uint64_t kMaxUnpackEntries = 4ull << 20;
// Docker's own limit is 127 layers (overlayfs stacking).
inline constexpr std::size_t kMaxLayers = 128;
// An entry name, a hard-link target, a symlink target: the kernel's PATH_MAX
// (a longer one could never be used by the container anyway).
inline constexpr std::size_t kMaxEntryPathBytes = 4095;
// Entries of an archive source (oci-archive, docker-archive): a layout has a
// few files per layer; and what the source keeps in memory of them.
inline constexpr std::size_t kMaxArchiveEntries = 65536;
inline constexpr std::uint64_t kMaxArchiveCacheBytes = 64ull << 20;

struct UnpackLimits {
  std::uint64_t max_bytes = kDefaultMaxUnpackBytes;  // file contents, all layers; also per file
  std::uint64_t max_entries = kMaxUnpackEntries;
};

// The checks, each with the message the user sees. `written` and `entries`
// are the running totals before the new bytes or entry.
Result<void> check_entry_count(const UnpackLimits& limits, std::uint64_t entries);
Result<void> check_bytes(const UnpackLimits& limits, std::uint64_t written, std::uint64_t more);
// A file's size as its header declares it (sparse files included).
Result<void> check_file_size(const UnpackLimits& limits, std::int64_t declared);
// `what`: "entry name", "symlink target", "hard link target".
Result<void> check_path_length(const std::string& path, const char* what);
Result<void> check_layer_count(std::size_t layers);

}  // namespace box::image
