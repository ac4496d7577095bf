// A bundle's rootfs as the one who made it left it, read by the user who
// installs it. A rootfs root made (debootstrap, `tar -x` or `podman export`
// run as root, then `runc spec`) holds files of host ids that the user's
// namespace does not map: seen from inside it, all of them are the overflow
// id (nobody), so the image's owners would be lost. Seen from outside, they
// are the ids root gave, the image's own. And root can let the user read
// what it kept to itself without changing an owner or a mode bit, with an
// access ACL (`setfacl -R -m u:USER:rX`); the mode's group bits then show
// the ACL's mask, the file's own group bits are in the ACL. Pure: ids and
// bytes in, the image's ids and mode out (unpack_job.cc reads the files).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/sys/subid.h"

namespace box::install {

// The image's id for a file whose host owner is `host`: the container id
// the namespace maps it to (`user`, you, is 0; your subordinate ranges are
// 1.. in their order), otherwise `host` itself (an id root gave). Nothing when that is
// above `max_id`, the highest id the namespace maps (the caller clamps it).
std::optional<std::uint32_t> image_id_of_host_id(std::uint32_t host, std::uint32_t user,
                                                 const SubidRanges& ranges,
                                                 std::uint32_t max_id);

// `mode` (from stat) with its group bits taken from the ACL_GROUP_OBJ entry
// of `acl`, the bytes of a system.posix_acl_access attribute: the mode the
// file has without the ACL. `mode` as it is when `acl` is empty or not an
// ACL this reads (version 2, 8-byte entries).
mode_t mode_without_acl(mode_t mode, std::string_view acl);

}  // namespace box::install
