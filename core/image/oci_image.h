// OCI image layout and docker-archive JSON documents, parsed into plain
// structs: index.json, image manifests, image configs, docker's
// manifest.json. Pure: text in, struct or error out (the error names the
// document, e.g. "manifest sha256:ab12…: 'layers[2].digest': …").
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/sys/result.h"

namespace box::image {

// Largest JSON document (index, manifest, config) read into memory.
inline constexpr std::size_t kMaxJsonBytes = 8 << 20;

// The OCI names box reads and writes (image-spec 1.0), spelled once.
inline constexpr const char* kMediaTypeImageIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kMediaTypeImageManifest =
    "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kMediaTypeImageConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kMediaTypeLayerTar = "application/vnd.oci.image.layer.v1.tar";
// The tag of a manifest in an image layout's index.json.
inline constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";

struct Descriptor {
  std::string media_type;
  std::string digest;  // validated: "sha256:<64 hex>"
  std::int64_t size = -1;
  std::map<std::string, std::string> annotations;
  std::string os, architecture, variant;  // index entries' "platform", may be empty

  // org.opencontainers.image.ref.name: the tag in an OCI layout.
  std::string ref_name() const;
};

enum class DescriptorKind { kIndex, kManifest, kOther };
DescriptorKind kind_of(const Descriptor& d);

struct ImageManifest {
  Descriptor config;
  std::vector<Descriptor> layers;  // base first
};

struct ImageConfig {
  std::string os, architecture;
  std::vector<std::string> entrypoint, cmd;
  std::vector<std::string> env;  // "NAME=value"
  std::string working_dir;
  std::string user;
  std::vector<std::string> exposed_ports;  // "2379/tcp"
  std::map<std::string, std::string> labels;
  std::vector<std::string> diff_ids;  // digests of the uncompressed layers
  std::string stop_signal;
};

// index.json (or a nested image index blob): its "manifests".
Result<std::vector<Descriptor>> parse_index(std::string_view json, const std::string& what);

// The manifest to install from an index: the one whose ref name is `tag`
// when one is given; otherwise the only one, or the only one for this
// machine's os/architecture. The error lists the tags there are.
Result<Descriptor> select_manifest(const std::vector<Descriptor>& manifests, const std::string& tag,
                                   const std::string& what);

Result<ImageManifest> parse_manifest(std::string_view json, const std::string& what);
Result<ImageConfig> parse_image_config(std::string_view json, const std::string& what);

// The layer media types box can unpack (tar, tar+gzip, tar+zstd, docker's).
bool is_layer_media_type(const std::string& media_type);

// docker-archive (`docker save`): manifest.json lists, per image, the config
// file and the layer tars in order. Layers are verified against the config's
// rootfs.diff_ids (docker-archive layers are uncompressed tars).
struct DockerArchiveImage {
  std::string config_path;
  std::vector<std::string> repo_tags;
  std::vector<std::string> layer_paths;
};
Result<DockerArchiveImage> parse_docker_archive_manifest(std::string_view json,
                                                         const std::string& tag,
                                                         const std::string& what);

// GOARCH-style name of the machine box was built for ("amd64", "arm64", ...).
std::string host_architecture();

}  // namespace box::image
