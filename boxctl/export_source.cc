#include "boxctl/export_source.h"

#include "boxctl/boxctl.h"
#include "core/image/config_from_definition.h"
#include "core/model/names.h"
#include "core/model/paths.h"
#include "core/plan/overlay_plan.h"
#include "core/plan/run_plan.h"
#include "core/plan/runtime_facts.h"
#include "core/runtime/fuse_overlay.h"
#include "install/image_metadata.h"
#include "install/install_files.h"

namespace box::boxctl {

BoxExport resolve_box_export(const install::InstallContext& ctx, const std::string& name,
                             const std::string& created_by) {
  const std::string what = "export '" + name + "'";
  if (auto r = check_container_name(name); !r) throw Failure{kExitUsage, r.error().message()};
  auto files = resolve_definition(definition_search_dirs(ctx.dirs), name);
  if (!files) throw Failure{kExitNoSuchContainer, files.error().wrap(what).message()};
  auto def = load_resolved_definition(*files, load_context(ctx.dirs));
  if (!def) throw Failure{kExitInvalidDefinition, def.error().wrap(what).message()};

  BoxExport out;
  out.def = std::move(*def);
  const Definition& d = out.def;
  if (d.image.empty())
    throw Failure{kExitFailure, what + ": it runs the root filesystem '" + d.rootfs +
                                    "' (rootfs:), not an installed image; box exports boxes of "
                                    "images it installed (image: NAME)"};
  out.image = d.image;
  const std::string image_dir = install::locations_for(ctx).images + "/" + d.image;
  const std::string record = image_dir + "/" + install::kMetadataFile;
  if (!install::exists_nofollow(record))
    throw Failure{kExitFailure, what + ": its image '" + d.image + "' is not installed (no '" +
                                    record + "'; see 'boxctl images')"};
  auto text = install::read_file(record, install::kMaxMetadataBytes);
  if (!text) throw Failure{kExitFailure, text.error().wrap(what).message()};
  auto meta = install::metadata_from_json(*text, record);
  if (!meta) throw Failure{kExitFailure, meta.error().wrap(what).message()};

  install::ExportSource& s = out.source;
  s.rootfs = d.rootfs;
  // Read as installed: the files belong to the ids the unpack gave them.
  s.mapping = image::id_mapping_for(ctx.uid, ctx.gid, ctx.user, ctx.subuid_file, ctx.subgid_file);
  if (!meta->id_mapping.empty() && meta->id_mapping != s.mapping.describe())
    throw Failure{kExitFailure,
                  what + ": its image '" + d.image + "' was installed with the ids " +
                      meta->id_mapping + ", and yours are now " + s.mapping.describe() +
                      " (/etc/subuid, /etc/subgid): its files would be read with the wrong "
                      "owners; install the image again ('boxctl install --replace')"};
  if (!meta->owners_kept)
    out.notes.push_back("the image was installed without subordinate ids: every file is "
                        "owned by root in the exported image");

  switch (d.rootfs_writes) {
    case RootfsWrites::kPersistent: {
      out.reads_writes = true;
      const std::string base = persistent_dir(ctx.dirs.data_home, d.name);
      s.upper = base + "/upper";
      auto marker = read_overlay_marker(base);
      if (!marker) throw Failure{kExitFailure, marker.error().wrap(what).message()};
      // Who served it decides how its deletions read (whiteouts.h).
      auto driver = resolve_overlay_driver(OverlayDriver::kAuto, *marker, base);
      if (!driver) throw Failure{kExitFailure, driver.error().wrap(what).message()};
      if (*driver == OverlayDriver::kFuse) s.writer = image::UpperWriter::kFuseOverlayfs;
      if (!install::exists_nofollow(s.upper))
        out.notes.push_back("the box has written nothing yet ('" + s.upper +
                            "' does not exist): the image as installed");
      break;
    }
    case RootfsWrites::kDirect:
      out.reads_writes = true;  // into the image's rootfs itself
      break;
    case RootfsWrites::kOverlay:
    case RootfsWrites::kReadonly:
      out.notes.push_back(std::string("rootfs_writes: ") + to_string(d.rootfs_writes) +
                          ": the box keeps no writes; the image as installed");
      break;
  }

  auto config = image::config_from_definition(d, meta->labels, meta->exposed_ports, kDefaultPath);
  s.config = std::move(config.config);
  for (auto& n : config.notes) out.notes.push_back("not in the image: " + n);
  s.created = install::now_iso8601();  // RFC 3339, UTC
  s.history.push_back({s.created, created_by,
                       "box " + d.name + ": image " + d.image +
                           (meta->digest.empty() ? "" : " (" + meta->digest + ")") +
                           (d.rootfs_writes == RootfsWrites::kPersistent
                                ? " with its persistent writes"
                                : "")});
  return out;
}

}  // namespace box::boxctl
