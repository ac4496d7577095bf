// The host side of Project Atomic /exports in a staged image: templates
// substituted with the variables box forces, the definition draft replaced
// from config.json.template and amended from service.template, tmpfiles
// dirs made, hostfs files copied to per-user places. docs/install.md has the
// mapping and the rules. In two steps: plan_exports() reads the staged image
// only and says what would change on the host and what is refused
// (host_policy.h); apply_exports() carries out a plan nothing refused.
// Internal to install/.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/image/definition_draft.h"
#include "core/sys/result.h"
#include "install/install.h"
#include "install/install_files.h"

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

struct ExportsPlan {
  struct Dir {
    std::string path;
    mode_t mode = 0755;
    std::string kind;  // data | runtime
  };
  std::vector<Dir> dirs;  // from tmpfiles.template, in order
  bool tmpfiles = false;  // write user-tmpfiles.d/box-NAME.conf
  std::string tmpfiles_text;
  struct HostFile {
    std::string source;  // in the staged image
    std::string from;    // "hostfs/usr/bin/x", for messages
    std::string dest;
    mode_t mode = 0644;
    bool link = false;
    std::string target;  // link
  };
  std::vector<HostFile> host_files;
};

// Nothing happens for an image without /exports. Errors are for what is
// malformed; what is not allowed goes to `refused`, all of it.
Result<void> plan_exports(const ExportsInput& in, image::DefinitionDraft& draft,
                          InstalledImage& meta, ExportsPlan& plan,
                          std::vector<std::string>& refused);

// The plan as host changes (meta.changes), directories that exist already
// left out.
void describe_plan(const ExportsPlan& plan, const std::string& tmpfiles_file,
                   std::vector<HostChange>& changes);

// Each directory, file and host file made is recorded in `meta.created`
// (and in `rb`, to be undone if the install fails).
Result<void> apply_exports(const ExportsInput& in, const ExportsPlan& plan, InstalledImage& meta,
                           Rollback& rb);

// Bind sources in the box's state, container state or runtime dir are made
// if missing (a bind of a missing path fails at start); those in the state
// dirs are data. `dry_run`: only listed in `changes`.
Result<void> prepare_bind_sources(const Locations& locs, const std::string& name,
                                  const image::DefinitionDraft& d, InstalledImage& meta,
                                  Rollback& rb, bool dry_run);

// The directories `path` needs that do not exist yet, outermost first.
std::vector<std::string> missing_dirs(const std::string& path);

}  // namespace box::install
