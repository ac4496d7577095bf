// images/NAME/image.json <-> InstalledImage. Pure.
#pragma once

#include <string>
#include <string_view>

#include "core/sys/result.h"
#include "install/install.h"

namespace box::install {

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
