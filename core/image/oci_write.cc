#include "core/image/oci_write.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "core/image/sha256.h"

namespace box::image {
namespace {

using nlohmann::json;

json descriptor_json(const Descriptor& d) {
  json j = {{"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}};
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  return j;
}

bool alphanumeric(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// component ::= alphanum+ (separator alphanum+)*, separator ::= [-._:@+] | "--"
bool ref_component(std::string_view c) {
  std::size_t i = 0;
  auto run = [&] {
    const std::size_t start = i;
    while (i < c.size() && alphanumeric(c[i])) ++i;
    return i > start;
  };
  if (!run()) return false;
  while (i < c.size()) {
    if (c.substr(i, 2) == "--")
      i += 2;
    else if (std::string_view("-._:@+").find(c[i]) != std::string_view::npos)
      ++i;
    else
      return false;
    if (!run()) return false;
  }
  return true;
}

}  // namespace

std::string image_config_json(const ImageConfig& c, const std::string& created,
                              const std::vector<HistoryEntry>& history) {
  json cfg = json::object();
  if (!c.user.empty()) cfg["User"] = c.user;
  if (!c.exposed_ports.empty()) {
    json ports = json::object();
    for (const auto& p : c.exposed_ports) ports[p] = json::object();
    cfg["ExposedPorts"] = ports;
  }
  if (!c.env.empty()) cfg["Env"] = c.env;
  if (!c.entrypoint.empty()) cfg["Entrypoint"] = c.entrypoint;
  if (!c.cmd.empty()) cfg["Cmd"] = c.cmd;
  if (!c.working_dir.empty()) cfg["WorkingDir"] = c.working_dir;
  if (!c.labels.empty()) cfg["Labels"] = c.labels;
  if (!c.stop_signal.empty()) cfg["StopSignal"] = c.stop_signal;
  json j = {{"architecture", c.architecture},
            {"os", c.os},
            {"config", cfg},
            {"rootfs", {{"type", "layers"}, {"diff_ids", c.diff_ids}}}};
  if (!created.empty()) j["created"] = created;
  json h = json::array();
  for (const auto& e : history) {
    json entry = json::object();
    if (!e.created.empty()) entry["created"] = e.created;
    if (!e.created_by.empty()) entry["created_by"] = e.created_by;
    if (!e.comment.empty()) entry["comment"] = e.comment;
    h.push_back(entry);
  }
  if (!h.empty()) j["history"] = h;
  return j.dump();
}

Descriptor descriptor_of(const std::string& media_type, std::string_view content) {
  Descriptor d;
  d.media_type = media_type;
  d.digest = sha256_digest_of(content);
  d.size = static_cast<std::int64_t>(content.size());
  return d;
}

std::string manifest_json(const Descriptor& config, const std::vector<Descriptor>& layers) {
  json l = json::array();
  for (const auto& d : layers) l.push_back(descriptor_json(d));
  return json{{"schemaVersion", 2},
              {"mediaType", kMediaTypeImageManifest},
              {"config", descriptor_json(config)},
              {"layers", l}}
      .dump();
}

namespace {

json tagged(const Descriptor& manifest, const std::string& tag) {
  Descriptor d = manifest;
  if (!tag.empty()) d.annotations[kRefNameAnnotation] = tag;
  return descriptor_json(d);
}

}  // namespace

std::string index_json(const Descriptor& manifest, const std::string& tag) {
  return json{{"schemaVersion", 2},
              {"mediaType", kMediaTypeImageIndex},
              {"manifests", json::array({tagged(manifest, tag)})}}
      .dump();
}

Result<std::string> index_with(std::string_view existing, const Descriptor& manifest,
                               const std::string& tag, const std::string& what) {
  json j;
  try {
    j = json::parse(existing);
  } catch (const json::exception& e) {
    return Error(what + ": invalid JSON: " + e.what());
  }
  if (!j.is_object()) return Error(what + ": expected a JSON object");
  if (!j.contains("manifests")) j["manifests"] = json::array();
  if (!j["manifests"].is_array()) return Error(what + ": 'manifests': expected a list");
  json kept = json::array();
  for (const auto& m : j["manifests"]) {
    const bool same_tag = !tag.empty() && m.is_object() && m.contains("annotations") &&
                          m["annotations"].is_object() &&
                          m["annotations"].value(kRefNameAnnotation, json()) == tag;
    if (!same_tag) kept.push_back(m);
  }
  kept.push_back(tagged(manifest, tag));
  j["manifests"] = kept;
  return j.dump();
}

Result<void> check_ref_name(const std::string& tag) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = tag.find('/', start);
    const std::string_view c = std::string_view(tag).substr(
        start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!ref_component(c))
      return Error("tag '" + tag +
                   "': expected letters and digits, joined by one of - . _ : @ + (or --), in "
                   "parts separated by / (the image layout's ref name)");
    if (slash == std::string::npos) return {};
    start = slash + 1;
  }
}

}  // namespace box::image
