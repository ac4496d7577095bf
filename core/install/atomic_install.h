// The host side of Project Atomic /exports in a staged image: templates
// substituted with the variables box forces, the definition draft replaced
// from config.json.template and amended from service.template, tmpfiles
// dirs made, hostfs files copied to per-user places. docs/install.md has the
// mapping. Internal to core/install.
#pragma once

#include <string>

#include "image/definition_draft.h"
#include "install/install.h"
#include "install/install_files.h"
#include "result.h"

namespace box::install {

struct ExportsInput {
  const InstallContext& ctx;
  const Locations& locs;
  const std::string& name;
  const std::string& rootfs;     // staging rootfs
  const std::string& image_dir;  // final image dir ($DESTDIR)
  const InstallOptions& options;
  const InstalledImage* previous;  // the install being replaced, if any
};

// Nothing happens for an image without /exports.
Result<void> apply_exports(const ExportsInput& in, image::DefinitionDraft& draft,
                           InstalledImage& meta, Rollback& rb);

// Bind sources in your state or runtime dir are made if missing (a bind of
// a missing path fails at start); those in the state dir are data.
Result<void> prepare_bind_sources(const Locations& locs, const image::DefinitionDraft& d,
                                  InstalledImage& meta, Rollback& rb);

}  // namespace box::install
