// The OCI image documents box writes (`boxctl export`): the image config,
// the manifest, the layout's index.json and oci-layout, each as the text
// whose sha256 names it. The counterpart of oci_image.h, which reads them,
// and checked against it (tests/unit/core/image/oci_write_test.cc). Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/image/oci_image.h"
#include "core/sys/result.h"

namespace box::image {

// The content of an image layout's oci-layout file.
inline constexpr std::string_view kOciLayoutText = "{\"imageLayoutVersion\":\"1.0.0\"}";

// One step of how the image was made (the config's "history").
struct HistoryEntry {
  std::string created;  // RFC 3339, UTC
  std::string created_by;
  std::string comment;
};

// The config: `config` as podman and Kubernetes read it (Entrypoint, Cmd,
// Env, WorkingDir, User, ExposedPorts, Labels, StopSignal; empty ones left
// out), its os, architecture and rootfs.diff_ids, when it was made and its
// history.
std::string image_config_json(const ImageConfig& config, const std::string& created,
                              const std::vector<HistoryEntry>& history);

// The descriptor of a document: its media type, sha256 digest and size.
Descriptor descriptor_of(const std::string& media_type, std::string_view content);

std::string manifest_json(const Descriptor& config, const std::vector<Descriptor>& layers);

// index.json of a new layout holding `manifest`, tagged `tag` (the ref name
// annotation) when `tag` is not empty.
std::string index_json(const Descriptor& manifest, const std::string& tag);

// An existing layout's index.json with `manifest` added under `tag`: an
// entry of the same tag is replaced (as skopeo copy into a layout does),
// everything else kept. `what` names the file in errors.
Result<std::string> index_with(std::string_view existing, const Descriptor& manifest,
                               const std::string& tag, const std::string& what);

// A tag as the image layout spec's ref name grammar allows it: components
// of letters and digits joined by one of "-._:@+" or "--", separated by "/"
// ("web", "v1.2", "localhost/web:1").
Result<void> check_ref_name(const std::string& tag);

}  // namespace box::image
