// What `boxctl export NAME` (and `commit`) reads: box NAME's definition,
// as `box-run start NAME` loads it; its installed image (images/IMAGE/
// rootfs and image.json); its persistent upper dir and who wrote it (the
// driver marker); and from these the image config and history of the new
// image (core/image/config_from_definition.h). docs/export.md.
#pragma once

#include <string>
#include <vector>

#include "core/model/definition.h"
#include "install/export_image.h"
#include "install/install.h"

namespace box::boxctl {

struct BoxExport {
  Definition def;
  std::string image;  // the installed image's name
  install::ExportSource source;
  // Whether the box's writes are read (persistent, or direct into the
  // image's rootfs): then it must not run meanwhile.
  bool reads_writes = false;
  // For the user: what the image does not carry, where the writes come from.
  std::vector<std::string> notes;
};

// Box `name` as the export reads it, or a Failure (boxctl.h) with the exit
// code: 4 when nothing defines `name`, 3 when its definition is invalid, 1
// when it is not a box of an installed image or that image cannot be read
// as it was installed. `created_by`: the command for the image's history
// ("boxctl export web").
BoxExport resolve_box_export(const install::InstallContext& ctx, const std::string& name,
                             const std::string& created_by);

}  // namespace box::boxctl
