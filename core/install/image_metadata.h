// images/NAME/image.json <-> InstalledImage. Pure.
#pragma once

#include <string>
#include <string_view>

#include "install/install.h"
#include "result.h"

namespace box::install {

std::string metadata_to_json(const InstalledImage& image);
Result<InstalledImage> metadata_from_json(std::string_view text, const std::string& what);

}  // namespace box::install
