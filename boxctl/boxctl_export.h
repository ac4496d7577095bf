// boxctl export, and the export half of boxctl commit (whose install half
// is boxctl install's: boxctl_install.cc registers both commands).
// docs/export.md.
#pragma once

#include <string>
#include <vector>

#include "install/export_image.h"

namespace box::boxctl {

// Exports box `name` to `destination` ("oci-archive:FILE[:TAG]",
// "oci:DIR[:TAG]"; TAG defaults to `name`), `created_by` going into the
// image's history. Holds the box's instance lock while it reads writes
// that persist, so the box cannot start meanwhile. ^C, SIGTERM and SIGHUP
// cancel it (nothing is left). Throws Failure (boxctl.h); `notes` gets what
// the user should know.
install::ExportedImage export_box(const std::string& name, const std::string& destination,
                                  const std::string& created_by, std::vector<std::string>& notes);

// `boxctl export NAME DESTINATION [--json]`: the exit code.
int cmd_export(const std::string& name, const std::string& destination, bool json);

}  // namespace box::boxctl
