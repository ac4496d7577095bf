// The file work of an install that must run as the container's ids:
// unpacking layers and copying a bundle's rootfs, each in a child process
// inside a user namespace mapped like the container's (image/userns.h).
// Progress comes back to the caller's ProgressFn as it happens.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "core/image/blob_source.h"
#include "core/image/layer_unpack.h"
#include "core/image/userns.h"
#include "install/install.h"

namespace box::install {

// The limits an install's options ask for (max_size 0: the default).
image::UnpackLimits unpack_limits_for(const InstallOptions& options);

struct LayerJob {
  std::string path;  // in the blob source
  image::LayerToUnpack check;
};

Result<image::UnpackStats> unpack_layers_as_owner(
    image::BlobSource& source, const std::vector<LayerJob>& layers, const std::string& rootfs,
    const image::IdMapping& mapping, const image::UnpackLimits& limits, const ProgressFn& progress,
    const std::atomic<bool>* cancel);

// Copies a directory tree (a bundle's rootfs) keeping modes, owners as seen
// in the namespace, symlinks and times; device nodes are skipped. The
// limits apply as to layers.
Result<image::UnpackStats> copy_tree_as_owner(const std::string& from, const std::string& to,
                                              const image::IdMapping& mapping,
                                              const image::UnpackLimits& limits,
                                              const ProgressFn& progress,
                                              const std::atomic<bool>* cancel);

}  // namespace box::install
