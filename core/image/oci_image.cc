#include "core/image/oci_image.h"

#include <nlohmann/json.hpp>

#include "core/image/sha256.h"

namespace box::image {
namespace {
using nlohmann::json;

Result<json> parse_json(std::string_view text, const std::string& what) {
  if (text.size() > kMaxJsonBytes)
    return Error(what + ": larger than " + std::to_string(kMaxJsonBytes) + " bytes");
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    return Error(what + ": invalid JSON: " + e.what());
  }
}

// Typed accessors that name the key in the error ("'layers[1].digest'").
Error type_error(const std::string& what, const std::string& key, const char* expected) {
  return Error(what + ": '" + key + "': expected " + expected);
}

Result<std::string> get_string(const json& j, const std::string& what, const std::string& key,
                               bool required) {
  if (!j.contains(key) || j[key].is_null()) {
    if (required) return Error(what + ": missing '" + key + "'");
    return std::string();
  }
  if (!j[key].is_string()) return type_error(what, key, "a string");
  return j[key].get<std::string>();
}

Result<std::vector<std::string>> get_strings(const json& j, const std::string& what,
                                             const std::string& key) {
  std::vector<std::string> out;
  if (!j.contains(key) || j[key].is_null()) return out;
  if (!j[key].is_array()) return type_error(what, key, "a list of strings");
  for (const auto& v : j[key]) {
    if (!v.is_string()) return type_error(what, key, "a list of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<std::map<std::string, std::string>> get_string_map(const json& j, const std::string& what,
                                                          const std::string& key) {
  std::map<std::string, std::string> out;
  if (!j.contains(key) || j[key].is_null()) return out;
  if (!j[key].is_object()) return type_error(what, key, "a mapping of strings");
  for (const auto& [k, v] : j[key].items()) {
    if (!v.is_string()) return type_error(what, key + "." + k, "a string");
    out[k] = v.get<std::string>();
  }
  return out;
}

Result<Descriptor> parse_descriptor(const json& j, const std::string& what) {
  if (!j.is_object()) return Error(what + ": expected an object");
  Descriptor d;
  auto mt = get_string(j, what, "mediaType", false);
  if (!mt) return mt.error();
  d.media_type = *mt;
  auto digest = get_string(j, what, "digest", true);
  if (!digest) return digest.error();
  if (!is_valid_sha256_digest(*digest))
    return Error(what + ": 'digest': unsupported or malformed digest '" + *digest +
                 "' (box verifies sha256 digests only)");
  d.digest = *digest;
  if (j.contains("size")) {
    if (!j["size"].is_number_integer() || j["size"].get<std::int64_t>() < 0)
      return type_error(what, "size", "a non-negative integer");
    d.size = j["size"].get<std::int64_t>();
  }
  auto ann = get_string_map(j, what, "annotations");
  if (!ann) return ann.error();
  d.annotations = std::move(*ann);
  if (j.contains("platform") && j["platform"].is_object()) {
    const auto& p = j["platform"];
    auto os = get_string(p, what + ": platform", "os", false);
    auto arch = get_string(p, what + ": platform", "architecture", false);
    auto variant = get_string(p, what + ": platform", "variant", false);
    if (!os) return os.error();
    if (!arch) return arch.error();
    if (!variant) return variant.error();
    d.os = *os;
    d.architecture = *arch;
    d.variant = *variant;
  }
  return d;
}

}  // namespace

std::string Descriptor::ref_name() const {
  auto it = annotations.find(kRefNameAnnotation);
  return it == annotations.end() ? std::string() : it->second;
}

DescriptorKind kind_of(const Descriptor& d) {
  if (d.media_type == kMediaTypeImageIndex ||
      d.media_type == "application/vnd.docker.distribution.manifest.list.v2+json")
    return DescriptorKind::kIndex;
  if (d.media_type == kMediaTypeImageManifest ||
      d.media_type == "application/vnd.docker.distribution.manifest.v2+json")
    return DescriptorKind::kManifest;
  return DescriptorKind::kOther;
}

bool is_layer_media_type(const std::string& mt) {
  static const char* const kTypes[] = {
      kMediaTypeLayerTar,
      "application/vnd.oci.image.layer.v1.tar+gzip",
      "application/vnd.oci.image.layer.v1.tar+zstd",
      "application/vnd.oci.image.layer.nondistributable.v1.tar",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
      "application/vnd.docker.image.rootfs.diff.tar.gzip",
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  };
  for (const char* t : kTypes)
    if (mt == t) return true;
  return false;
}

std::string host_architecture() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "386";
#elif defined(__arm__)
  return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64le";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#else
  return "unknown";
#endif
}

Result<std::vector<Descriptor>> parse_index(std::string_view text, const std::string& what) {
  auto j = parse_json(text, what);
  if (!j) return j.error();
  if (!j->is_object()) return Error(what + ": expected a JSON object");
  if (!j->contains("manifests") || !(*j)["manifests"].is_array())
    return Error(what + ": missing the list 'manifests'");
  std::vector<Descriptor> out;
  const auto& list = (*j)["manifests"];
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto d = parse_descriptor(list[i], what + ": 'manifests[" + std::to_string(i) + "]'");
    if (!d) return d.error();
    out.push_back(std::move(*d));
  }
  return out;
}

Result<Descriptor> select_manifest(const std::vector<Descriptor>& manifests, const std::string& tag,
                                   const std::string& what) {
  std::string tags;
  for (const auto& d : manifests) {
    if (!d.ref_name().empty()) tags += (tags.empty() ? "" : ", ") + d.ref_name();
  }
  if (tags.empty()) tags = "none";
  if (!tag.empty()) {
    for (const auto& d : manifests)
      if (d.ref_name() == tag) return d;
    return Error(what + ": no image tagged '" + tag + "' (tags: " + tags + ")");
  }
  if (manifests.size() == 1) return manifests.front();
  // Several entries but one for this machine: a multi-architecture index.
  const Descriptor* match = nullptr;
  int matches = 0;
  for (const auto& d : manifests) {
    if ((d.os.empty() || d.os == "linux") && d.architecture == host_architecture()) {
      match = &d;
      ++matches;
    }
  }
  if (matches == 1) return *match;
  if (manifests.empty()) return Error(what + ": the index lists no image");
  return Error(what + ": holds " + std::to_string(manifests.size()) +
               " images; name one with ':TAG' (tags: " + tags + ")");
}

Result<ImageManifest> parse_manifest(std::string_view text, const std::string& what) {
  auto j = parse_json(text, what);
  if (!j) return j.error();
  if (!j->is_object()) return Error(what + ": expected a JSON object");
  ImageManifest m;
  if (!j->contains("config")) return Error(what + ": missing 'config'");
  auto config = parse_descriptor((*j)["config"], what + ": 'config'");
  if (!config) return config.error();
  m.config = std::move(*config);
  if (!j->contains("layers") || !(*j)["layers"].is_array())
    return Error(what + ": missing the list 'layers'");
  const auto& layers = (*j)["layers"];
  for (std::size_t i = 0; i < layers.size(); ++i) {
    std::string where = what + ": 'layers[" + std::to_string(i) + "]'";
    auto d = parse_descriptor(layers[i], where);
    if (!d) return d.error();
    if (!is_layer_media_type(d->media_type))
      return Error(where + ": unsupported layer media type '" + d->media_type + "'");
    m.layers.push_back(std::move(*d));
  }
  return m;
}

Result<ImageConfig> parse_image_config(std::string_view text, const std::string& what) {
  auto j = parse_json(text, what);
  if (!j) return j.error();
  if (!j->is_object()) return Error(what + ": expected a JSON object");
  ImageConfig c;
  auto os = get_string(*j, what, "os", false);
  auto arch = get_string(*j, what, "architecture", false);
  if (!os) return os.error();
  if (!arch) return arch.error();
  c.os = *os;
  c.architecture = *arch;
  if (j->contains("config") && (*j)["config"].is_object()) {
    const auto& cfg = (*j)["config"];
    std::string w = what + ": config";
    auto ep = get_strings(cfg, w, "Entrypoint");
    auto cmd = get_strings(cfg, w, "Cmd");
    auto env = get_strings(cfg, w, "Env");
    auto wd = get_string(cfg, w, "WorkingDir", false);
    auto user = get_string(cfg, w, "User", false);
    auto labels = get_string_map(cfg, w, "Labels");
    auto stop = get_string(cfg, w, "StopSignal", false);
    for (auto* r : {&ep, &cmd, &env})
      if (!*r) return r->error();
    for (auto* r : {&wd, &user, &stop})
      if (!*r) return r->error();
    if (!labels) return labels.error();
    c.entrypoint = std::move(*ep);
    c.cmd = std::move(*cmd);
    c.env = std::move(*env);
    c.working_dir = *wd;
    c.user = *user;
    c.labels = std::move(*labels);
    c.stop_signal = *stop;
    if (cfg.contains("ExposedPorts") && cfg["ExposedPorts"].is_object())
      for (const auto& [port, _] : cfg["ExposedPorts"].items()) c.exposed_ports.push_back(port);
  }
  if (j->contains("rootfs") && (*j)["rootfs"].is_object()) {
    auto ids = get_strings((*j)["rootfs"], what + ": rootfs", "diff_ids");
    if (!ids) return ids.error();
    for (const auto& id : *ids)
      if (!is_valid_sha256_digest(id))
        return Error(what + ": rootfs.diff_ids: unsupported or malformed digest '" + id + "'");
    c.diff_ids = std::move(*ids);
  }
  return c;
}

Result<DockerArchiveImage> parse_docker_archive_manifest(std::string_view text,
                                                         const std::string& tag,
                                                         const std::string& what) {
  auto j = parse_json(text, what);
  if (!j) return j.error();
  if (!j->is_array() || j->empty()) return Error(what + ": expected a non-empty list of images");
  std::vector<DockerArchiveImage> images;
  for (std::size_t i = 0; i < j->size(); ++i) {
    const auto& e = (*j)[i];
    std::string w = what + ": [" + std::to_string(i) + "]";
    if (!e.is_object()) return Error(w + ": expected an object");
    DockerArchiveImage img;
    auto config = get_string(e, w, "Config", true);
    auto tags = get_strings(e, w, "RepoTags");
    auto layers = get_strings(e, w, "Layers");
    if (!config) return config.error();
    if (!tags) return tags.error();
    if (!layers) return layers.error();
    img.config_path = *config;
    img.repo_tags = std::move(*tags);
    img.layer_paths = std::move(*layers);
    images.push_back(std::move(img));
  }
  if (!tag.empty()) {
    for (const auto& img : images)
      for (const auto& t : img.repo_tags)
        if (t == tag) return img;
    return Error(what + ": no image tagged '" + tag + "'");
  }
  if (images.size() > 1)
    return Error(what + ": holds " + std::to_string(images.size()) +
                 " images; name one with ':REPO:TAG'");
  return images.front();
}

}  // namespace box::image
