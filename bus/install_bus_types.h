// Install's options and result as D-Bus dictionaries (a{sv}), both ways:
// box-manager reads the options and writes the result, boxctl the reverse.
// Pure (sdbus-c++ values, no bus).
#pragma once

#include <sdbus-c++/Types.h>

#include <map>
#include <string>

#include "core/sys/result.h"
#include "install/install.h"

namespace box::manager {

using VariantMap = std::map<std::string, sdbus::Variant>;

// "replace" (b), "set" (a{ss}), "max_size" (t, bytes, more than 0),
// "dry_run" (b), "allow_bind", "allow_host_file", "allow_host_namespace"
// (as) and "allow_autostart" (b);
// another key, or another type, is an error that names it.
Result<install::InstallOptions> install_options_from(const VariantMap& options);
VariantMap install_options_to(const install::InstallOptions& options);

// The keys and values of image.json (install/image_metadata.h names them):
// strings as s, flags as b, lists as as, labels as a{ss}, counts as t;
// "changes" as aa{ss} (kind, path, detail). The inode records ("created")
// stay in image.json.
VariantMap image_info(const install::InstalledImage& image);
install::InstalledImage image_from_info(const VariantMap& info);

}  // namespace box::manager
