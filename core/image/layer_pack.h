// Packing a box's root filesystem into one OCI image layer: the image's
// rootfs with the overlay's upper dir of `rootfs_writes: persistent` over
// it, merged as the overlay shows it to the container (whiteouts.h), as an
// uncompressed tar written to a descriptor and hashed on the way (its
// digest is also its diff_id). One layer, flattened, rather than the image
// plus a layer of the writes: box keeps no layer of the image it installed,
// so a rebuilt base layer would match no registry's anyway, and a file
// deleted in the box is then really gone from the image, not kept below a
// whiteout for anyone who unpacks the layers.
//
// Entries get the owners, modes and times lstat gives where this runs: in
// a user namespace mapped as the container's (userns.h), the ids the
// container sees. Hard links stay hard links (an upper copy of a linked
// file is a file of its own, as in the overlay). Extended attributes
// other than the overlay's bookkeeping (and the host's security.selinux
// label) go in as PAX records (SCHILY.xattr). FIFOs are kept; sockets
// are left out and counted (a tar cannot hold one, and a socket means
// nothing without the process that listened); a device node, and a name
// an OCI layer reads as a whiteout (".wh.X"), fail the export, naming the
// path.
//
// Kernel-touching: reads the trees; no namespaces of its own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/image/whiteouts.h"
#include "core/sys/result.h"

namespace box::image {

struct PackInput {
  int lower_fd = -1;  // the image's rootfs, a directory
  int upper_fd = -1;  // the persistent upper dir over it; -1: none
  UpperWriter writer = UpperWriter::kKernel;
};

struct PackResult {
  std::string digest;  // "sha256:..." of the tar
  std::uint64_t size = 0;
  std::uint64_t entries = 0;
  std::uint64_t hard_links = 0;
  std::uint64_t xattrs = 0;
  std::uint64_t hidden = 0;  // lower entries whited out by the upper dir
  std::vector<std::string> sockets;  // left out: their paths
};

Result<PackResult> pack_layer(const PackInput& input, int out_fd);

}  // namespace box::image
