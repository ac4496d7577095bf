// An image source (oci:, oci-archive:, docker-archive:) into a staged
// rootfs: the manifest chosen and verified, the layers unpacked as the
// container's ids, and the image config's defaults (Entrypoint, Cmd, Env,
// WorkingDir, User, StopSignal, Labels, ExposedPorts) put in the draft.
// Internal to install/.
#pragma once

#include <string>

#include "core/image/definition_draft.h"
#include "core/image/layer_unpack.h"
#include "core/image/userns.h"
#include "core/sys/result.h"
#include "install/install.h"
#include "install/source.h"

namespace box::install {

Result<image::UnpackStats> unpack_image(const Source& src, const std::string& rootfs,
                                        const image::IdMapping& mapping,
                                        const InstallOptions& options, const ProgressFn& progress,
                                        image::DefinitionDraft& draft, InstalledImage& meta);

// The image's "User" ("", "name", "uid", "name:group", "uid:gid") as
// "UID:GID" ("" for root), names looked up in the image's own /etc/passwd
// and /etc/group.
Result<std::string> resolve_user(const std::string& spec, const std::string& rootfs);

}  // namespace box::install
