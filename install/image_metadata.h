// images/NAME/image.json <-> InstalledImage. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/sys/result.h"
#include "install/install.h"

namespace box::install {

// The record's file name in images/NAME/.
inline constexpr const char* kMetadataFile = "image.json";

// A key of image.json and the member of InstalledImage it holds. The keys
// are named once, in the tables below, by the type of their value; box-
// manager's D-Bus dictionary of an image uses the same keys
// (bus/install_bus_types.h). "labels", "changes" and "created" are spelled
// out where they are read and written.
template <typename T>
struct ImageField {
  const char* key;
  T InstalledImage::*member;
};

inline constexpr ImageField<std::string> kImageTexts[] = {
    {"name", &InstalledImage::name},
    {"source", &InstalledImage::source},
    {"source_kind", &InstalledImage::source_kind},
    {"digest", &InstalledImage::digest},
    {"installed_at", &InstalledImage::installed_at},
    {"image_dir", &InstalledImage::image_dir},
    {"rootfs", &InstalledImage::rootfs},
    {"definition", &InstalledImage::definition},
    {"id_mapping", &InstalledImage::id_mapping},
    {"tmpfiles", &InstalledImage::tmpfiles},
    {"reference", &InstalledImage::reference},
    {"working_dir", &InstalledImage::working_dir},
    {"user", &InstalledImage::user},
};
inline constexpr ImageField<bool> kImageFlags[] = {
    {"owners_kept", &InstalledImage::owners_kept},
    {"atomic_exports", &InstalledImage::atomic_exports},
    {"dry_run", &InstalledImage::dry_run},
    {"config_recorded", &InstalledImage::config_recorded},
};
inline constexpr ImageField<std::vector<std::string>> kImageLists[] = {
    {"data_dirs", &InstalledImage::data_dirs},
    {"runtime_dirs", &InstalledImage::runtime_dirs},
    {"host_files", &InstalledImage::host_files},
    {"refused", &InstalledImage::refused},
    {"warnings", &InstalledImage::warnings},
    {"exposed_ports", &InstalledImage::exposed_ports},
    {"entrypoint", &InstalledImage::entrypoint},
    {"cmd", &InstalledImage::cmd},
    {"env", &InstalledImage::env},
};
inline constexpr ImageField<std::uint64_t> kImageCounts[] = {
    {"layers", &InstalledImage::layers},
    {"bytes_unpacked", &InstalledImage::bytes_unpacked},
    {"devices_skipped", &InstalledImage::devices_skipped},
};

std::string metadata_to_json(const InstalledImage& image);

// What box reads back of an image.json (uninstall, --replace, the list of
// installed images). An install whose record would be larger could never
// be uninstalled by it, nor its result reach box-manager (whose limit on a
// worker's line is above this), so it is refused.
inline constexpr std::size_t kMaxMetadataBytes = 1 << 20;

// metadata_to_json, or an error naming what takes the room when the text
// is larger than kMaxMetadataBytes.
Result<std::string> metadata_record(const InstalledImage& image);
Result<InstalledImage> metadata_from_json(std::string_view text, const std::string& what);

}  // namespace box::install
