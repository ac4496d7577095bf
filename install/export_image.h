// `boxctl export` (and `boxctl commit`, which installs what it exports): an
// installed image's root filesystem, with a box's persistent writes over
// it, as a new OCI image in an oci-archive file or an OCI image layout,
// which podman, skopeo, containerd (Kubernetes) and `boxctl install` read.
//
//   write_export({rootfs, upper, writer, mapping, config, history},
//                {kOciArchive, "/home/you/web.tar", "web"})
//     -> web.tar: oci-layout, index.json (tag "web"), blobs/sha256/
//        {layer, config, manifest}
//
// The layer is made by image::pack_layer (one uncompressed tar, as
// `podman save` writes layers) in a process that is root of a user
// namespace mapped as the install's unpack was (userns.h): files owned by
// the user's subordinate ids are read as the container's ids, which the
// tar records. Nothing is half-written: an archive is written to a file
// with no name (O_TMPFILE) in the destination's directory and given its
// name only when whole, by rename over any file of that name; a new
// layout is made beside its final name and renamed into place; in an
// existing layout, each blob appears whole under its digest and index.json
// is replaced last (a failure removes the blobs it added). docs/export.md.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/image/oci_image.h"
#include "core/image/oci_write.h"
#include "core/image/userns.h"
#include "core/image/whiteouts.h"
#include "core/sys/result.h"

namespace box::install {

struct ExportDestination {
  enum class Kind { kOciArchive, kOciLayout };
  Kind kind = Kind::kOciArchive;
  std::string path;  // absolute
  std::string tag;   // the manifest's ref name in index.json
  std::string text;  // as given, for messages
};

// Whether `text` names a destination ("oci-archive:…" or "oci:…") rather
// than a name (`boxctl commit NAME NEWNAME`).
bool is_export_destination(const std::string& text);

// "oci-archive:FILE[:TAG]" or "oci:DIR[:TAG]"; a relative path is taken from
// `cwd`; TAG defaults to `default_tag`. The tag is checked against the
// layout's ref name grammar.
Result<ExportDestination> parse_export_destination(const std::string& text,
                                                   const std::string& cwd,
                                                   const std::string& default_tag);

// What an export reads and what the image says.
struct ExportSource {
  std::string rootfs;  // the installed image's root filesystem
  std::string upper;   // the box's persistent upper dir; empty: none
  image::UpperWriter writer = image::UpperWriter::kKernel;
  // The ids the image was installed with (image.json's id_mapping).
  image::IdMapping mapping;
  image::ImageConfig config;  // diff_ids are filled in here
  std::vector<image::HistoryEntry> history;
  std::string created;  // the config's "created"
};

struct ExportedImage {
  std::string destination;  // as given
  std::string manifest_digest, config_digest, layer_digest;
  std::uint64_t layer_size = 0, entries = 0, hard_links = 0, xattrs = 0, hidden = 0;
  std::vector<std::string> sockets;  // left out
};

// Writes the image. `cancel`: when it becomes true the export stops, cleans
// up and fails with "cancelled".
Result<ExportedImage> write_export(const ExportSource& source, const ExportDestination& dest,
                                   const std::atomic<bool>* cancel = nullptr);

// The origin an image installed by `boxctl commit NAME NEWNAME` records
// (image.json's source, the definition's header): "commit:NAME".
inline constexpr const char* kCommitOriginPrefix = "commit:";
bool is_commit_origin(const std::string& origin);

}  // namespace box::install
