// Test images built on the spot with libarchive: layer tars (any entry,
// including hostile ones), OCI layouts, oci-archives and docker-archives.
// Header-only: the unit test glob compiles *_test.cc files only. (TempDir,
// a scratch directory, is tests/unit/temp_dir.h.)
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/image/sha256.h"
#include "tests/unit/temp_dir.h"

namespace box::testing {

struct TarEntry {
  enum Kind { kFile, kDir, kSymlink, kHardlink, kCharDev, kFifo } kind = kFile;
  std::string path;
  std::string data;  // file content, or link target
  unsigned mode = 0644;
  int uid = 0, gid = 0;
};

inline TarEntry file(std::string path, std::string data, unsigned mode = 0644, int uid = 0,
                     int gid = 0) {
  return {TarEntry::kFile, std::move(path), std::move(data), mode, uid, gid};
}
inline TarEntry dir(std::string path, unsigned mode = 0755, int uid = 0, int gid = 0) {
  return {TarEntry::kDir, std::move(path), "", mode, uid, gid};
}
inline TarEntry symlink(std::string path, std::string target) {
  return {TarEntry::kSymlink, std::move(path), std::move(target), 0777, 0, 0};
}
inline TarEntry hardlink(std::string path, std::string target) {
  return {TarEntry::kHardlink, std::move(path), std::move(target), 0644, 0, 0};
}
inline TarEntry chardev(std::string path) {
  return {TarEntry::kCharDev, std::move(path), "", 0666, 0, 0};
}
inline TarEntry fifo(std::string path) { return {TarEntry::kFifo, std::move(path), "", 0644, 0, 0}; }

// A tar of `entries`, gzip- or zstd-compressed when asked.
inline std::string make_tar(const std::vector<TarEntry>& entries, bool gzip = true,
                            bool zstd = false) {
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (gzip) archive_write_add_filter_gzip(a);
  if (zstd) archive_write_add_filter_zstd(a);
  std::vector<char> buf(16 << 20);
  size_t used = 0;
  if (archive_write_open_memory(a, buf.data(), buf.size(), &used) != ARCHIVE_OK)
    throw std::runtime_error("archive_write_open_memory");
  for (const auto& e : entries) {
    struct archive_entry* ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.path.c_str());
    archive_entry_set_uid(ae, e.uid);
    archive_entry_set_gid(ae, e.gid);
    archive_entry_set_perm(ae, e.mode);
    archive_entry_set_mtime(ae, 1700000000, 0);
    switch (e.kind) {
      case TarEntry::kFile:
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_size(ae, static_cast<la_int64_t>(e.data.size()));
        break;
      case TarEntry::kDir:
        archive_entry_set_filetype(ae, AE_IFDIR);
        break;
      case TarEntry::kSymlink:
        archive_entry_set_filetype(ae, AE_IFLNK);
        archive_entry_set_symlink(ae, e.data.c_str());
        break;
      case TarEntry::kHardlink:
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_hardlink(ae, e.data.c_str());
        break;
      case TarEntry::kCharDev:
        archive_entry_set_filetype(ae, AE_IFCHR);
        archive_entry_set_rdevmajor(ae, 1);
        archive_entry_set_rdevminor(ae, 3);
        break;
      case TarEntry::kFifo:
        archive_entry_set_filetype(ae, AE_IFIFO);
        break;
    }
    archive_write_header(a, ae);
    if (e.kind == TarEntry::kFile && !e.data.empty())
      archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

inline void write_bytes(const std::string& path, const std::string& data) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct ImageSpec {
  std::vector<std::string> layers;  // layer blobs (gzip tars), base first
  nlohmann::json config = {{"architecture", "amd64"},
                           {"os", "linux"},
                           {"config", {{"Cmd", {"/bin/sh"}}}},
                           {"rootfs", {{"type", "layers"}, {"diff_ids", nlohmann::json::array()}}}};
  std::string tag = "latest";
};

struct BuiltLayout {
  std::string manifest_digest;
  std::vector<std::string> layer_digests;
};

// An OCI image layout in `dir` (created).
inline BuiltLayout make_oci_layout(const std::string& dir, const ImageSpec& spec) {
  using nlohmann::json;
  BuiltLayout out;
  auto put = [&](const std::string& data) {
    std::string d = image::sha256_digest_of(data);
    write_bytes(dir + "/blobs/sha256/" + d.substr(7), data);
    return d;
  };
  json config = spec.config;
  json layers = json::array();
  for (const auto& l : spec.layers) {
    std::string d = put(l);
    out.layer_digests.push_back(d);
    layers.push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                      {"digest", d},
                      {"size", l.size()}});
  }
  std::string config_text = config.dump();
  std::string config_digest = put(config_text);
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"config",
                    {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                     {"digest", config_digest},
                     {"size", config_text.size()}}},
                   {"layers", layers}};
  std::string manifest_text = manifest.dump();
  out.manifest_digest = put(manifest_text);
  json index = {{"schemaVersion", 2},
                {"manifests",
                 {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"digest", out.manifest_digest},
                   {"size", manifest_text.size()},
                   {"annotations", {{"org.opencontainers.image.ref.name", spec.tag}}}}}}};
  write_bytes(dir + "/index.json", index.dump());
  write_bytes(dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  return out;
}

// The files under `dir` as an uncompressed tar at `file` (an oci-archive
// when `dir` is a layout).
inline void tar_directory(const std::string& dir, const std::string& file) {
  std::vector<TarEntry> entries;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    std::string rel = std::filesystem::relative(e.path(), dir).string();
    if (e.is_directory())
      entries.push_back(testing::dir(rel));
    else
      entries.push_back(testing::file(rel, read_bytes(e.path())));
  }
  write_bytes(file, make_tar(entries, false));
}

// A `docker save` archive: manifest.json, the config, uncompressed layers.
inline void make_docker_archive(const std::string& file, const std::vector<std::string>& layer_tars,
                                nlohmann::json config) {
  using nlohmann::json;
  std::vector<TarEntry> entries;
  json layers = json::array();
  json diff_ids = json::array();
  for (std::size_t i = 0; i < layer_tars.size(); ++i) {
    std::string name = "layer" + std::to_string(i) + "/layer.tar";
    entries.push_back(testing::file(name, layer_tars[i]));
    layers.push_back(name);
    diff_ids.push_back(image::sha256_digest_of(layer_tars[i]));
  }
  config["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
  std::string config_text = config.dump();
  std::string config_name = image::sha256_digest_of(config_text).substr(7) + ".json";
  entries.push_back(testing::file(config_name, config_text));
  json manifest = json::array(
      {{{"Config", config_name}, {"RepoTags", {"example/app:latest"}}, {"Layers", layers}}});
  entries.push_back(testing::file("manifest.json", manifest.dump()));
  write_bytes(file, make_tar(entries, false));
}

}  // namespace box::testing
