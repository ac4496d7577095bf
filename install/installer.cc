// install / uninstall / list_installed (install.h). The order of an install:
//   1. parse and classify the source; refuse an existing name without --replace
//      (request.h: the checks a caller can also make on their own)
//   2. stage: images/.staging-NAME-PID-RANDOM/rootfs, filled as the
//      container's ids (unpack_job.h): layers verified as they stream
//   3. translate: image config / config.json / Atomic exports -> definition,
//      checked with the real definition loader
//   4. host side of Atomic exports: hostfs files, tmpfiles dirs
//   5. commit: definition written to a temp file; image dir renamed into
//      place (the old one moved aside first with --replace); definition
//      renamed into place; old image removed
//   6. reload the user manager
// A failure before 5 removes the staging dir and any host files written;
// a failure inside 5 undoes the renames done so far.
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>

#include "core/image/definition_draft.h"
#include "core/image/oci_image.h"
#include "core/image/oci_runtime.h"
#include "core/image/userns.h"
#include "core/model/definition.h"
#include "core/model/definition_loader.h"
#include "install/atomic_install.h"
#include "install/debris.h"
#include "install/desktop_export.h"
#include "install/from_image.h"
#include "install/host_policy.h"
#include "install/image_metadata.h"
#include "install/install.h"
#include "install/install_files.h"
#include "install/own_places.h"
#include "install/registry_pull.h"
#include "install/request.h"
#include "install/safe_remove.h"
#include "install/source.h"
#include "install/unpack_job.h"

namespace box::install {
namespace fs = std::filesystem;
namespace {

struct Prepared {
  image::DefinitionDraft draft;
  std::string native_yaml;  // native bundles: their own box.yaml
  bool native = false;
  bool from_image = false;
};

Result<std::string> native_definition(const std::string& yaml, const std::string& file,
                                      const std::string& name,
                                      const std::vector<std::string>& header) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return Error(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!root.IsMap()) return Error(file + ": expected a mapping of keys");
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "image" << YAML::Value << name;
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>("");
    if (key == "rootfs" || key == "image") continue;
    out << YAML::Key << kv.first << YAML::Value << kv.second;
  }
  out << YAML::EndMap;
  std::string text;
  for (const auto& h : header) text += "# " + h + "\n";
  return text + out.c_str() + "\n";
}

// Removes one record of image.json if it may be (refuse_record) and is
// still what the install made; else the note saying what was left.
std::string remove_created(const InstallContext& ctx, const Locations& locs,
                           const std::string& name, const CreatedPath& rec,
                           const image::IdMapping& mapping) {
  if (auto why = refuse_record(rec, locs, name, host_places_for(ctx))) return *why;
  auto r = remove_recorded(rec, mapping);
  if (!r) return "left '" + rec.path + "': " + r.error().message();
  return *r;
}

}  // namespace

Locations locations_for(const InstallContext& ctx) {
  Locations l;
  l.images = ctx.dirs.data_home + "/box/images";
  l.definitions = ctx.dirs.config_home + "/box/containers";
  l.state = ctx.dirs.data_home + "/box/state";
  l.containers = ctx.dirs.data_home + "/box/containers";
  // Not $XDG_RUNTIME_DIR itself: $RUN_DIRECTORY/$NAME of a box named
  // "systemd" or "bus" would be the user manager's own directory or the
  // session bus socket.
  l.run = (!ctx.dirs.runtime_dir.empty() ? ctx.dirs.runtime_dir
                                          : "/run/user/" + std::to_string(ctx.uid)) +
          "/box/run";
  l.tmpfiles = ctx.dirs.config_home + "/user-tmpfiles.d";
  // Not $XDG_CONFIG_HOME itself: $CONF_DIRECTORY/$NAME of a box named
  // "systemd" or "autostart" would configure the user manager or the desktop.
  l.conf = ctx.dirs.config_home + "/box/etc";
  return l;
}

Result<InstallContext> context_from_environment(const std::string& box_run) {
  auto dirs = user_dirs_from_environment();
  if (!dirs) return dirs.error();
  InstallContext ctx;
  ctx.dirs = *dirs;
  ctx.uid = getuid();
  ctx.gid = getgid();
  struct passwd* pw = getpwuid(ctx.uid);
  ctx.user = pw && pw->pw_name ? pw->pw_name : std::to_string(ctx.uid);
  ctx.box_run = box_run;
  if (const char* path = std::getenv("PATH")) {
    std::string p = path;
    for (std::size_t start = 0; start <= p.size();) {
      std::size_t end = p.find(':', start);
      if (end == std::string::npos) end = p.size();
      if (end > start) ctx.path_dirs.push_back(p.substr(start, end - start));
      start = end + 1;
    }
  }
  return ctx;
}

namespace {

Result<InstalledImage> install_steps(const InstallContext& ctx, const std::string& source_arg,
                                     const InstallOptions& options, const ProgressFn& progress) {
  char cwd_buf[4096];
  std::string cwd = getcwd(cwd_buf, sizeof cwd_buf) ? cwd_buf : "/";
  // 1. refuse what is malformed, and to clobber
  auto request = check_install_request(ctx, source_arg, options, cwd);
  if (!request.ok()) return request.error;
  const Source src = request.source;
  // What the user named: the source, or what it is a copy of (docker://).
  const std::string& source_text = options.origin.empty() ? source_arg : options.origin;
  const std::string name = request.name;

  const Locations locs = locations_for(ctx);
  const std::string image_dir = locs.images + "/" + name;
  const std::string definition = locs.definitions + "/" + name + ".yaml";
  const image::IdMapping mapping =
      image::id_mapping_for(ctx.uid, ctx.gid, ctx.user, ctx.subuid_file, ctx.subgid_file);

  std::optional<InstalledImage> previous;
  if (exists_nofollow(image_dir + "/" + kMetadataFile)) {
    auto text = read_file(image_dir + "/" + kMetadataFile, kMaxMetadataBytes);
    if (text) {
      auto m = metadata_from_json(*text, image_dir + "/" + kMetadataFile);
      if (m) previous = *m;
    }
  }

  for (const auto& d : {locs.images, locs.definitions}) {
    auto r = make_dirs(d);
    if (!r) return r.error();
  }
  remove_debris(locs, mapping);

  // 2. stage
  Rollback rb(mapping);
  const std::string staging =
      locs.images + "/.staging-" + name + "-" + std::to_string(getpid()) + "-" + random_suffix();
  if (mkdir(staging.c_str(), 0700) != 0) return Error::from_errno("create '" + staging + "'");
  rb.tree(staging);
  const std::string rootfs = staging + "/rootfs";
  if (mkdir(rootfs.c_str(), 0755) != 0) return Error::from_errno("create '" + rootfs + "'");

  InstalledImage meta;
  meta.name = name;
  meta.source = source_text;
  meta.source_kind = kind_name(src.kind);
  // docker://REF: what skopeo pulled is REF (an archive's own name, read
  // as it is unpacked, says it otherwise).
  if (is_registry_source(options.origin))
    meta.reference = options.origin.substr(std::string(kRegistryPrefix).size());
  meta.installed_at = now_iso8601();
  meta.image_dir = image_dir;
  meta.rootfs = image_dir + "/rootfs";
  meta.definition = definition;
  meta.owners_kept = mapping.full();
  meta.id_mapping = mapping.describe();
  if (!mapping.full())
    meta.warnings.push_back(
        "you have no subordinate ids (/etc/subuid, /etc/subgid): every file "
        "of the image is owned by you; the image's own owners are not kept");

  Prepared prep;
  image::UnpackStats stats;
  const std::string wrap = "install '" + name + "' from '" + source_text + "'";
  if (src.kind == SourceKind::kNativeBundle || src.kind == SourceKind::kOciBundle) {
    std::string from = src.path + "/rootfs";
    if (src.kind == SourceKind::kNativeBundle) {
      // The bundle's own files: named by the user, so a symlink is followed
      // (to a regular file only).
      auto y = read_file(src.path + "/box.yaml", kMaxDefinitionBytes, image::FinalSymlink::kFollow);
      if (!y) return y.error().wrap(wrap);
      prep.native = true;
      prep.native_yaml = *y;
    } else {
      auto c =
          read_file(src.path + "/config.json", image::kMaxJsonBytes, image::FinalSymlink::kFollow);
      if (!c) return c.error().wrap(wrap);
      auto bundle_root = [&](const std::string& root_path) {
        return root_path.empty() || root_path[0] != '/' ? src.path + "/" + root_path : root_path;
      };
      // Read before the copy, in the bundle's rootfs: is its /sbin/init systemd?
      auto t = image::translate_runtime_config(
          *c, src.path + "/config.json", src.path,
          [&](const std::string& root_path, const std::string& path) {
            return path_in_rootfs(bundle_root(root_path), path);
          });
      if (!t) return t.error().wrap(wrap);
      prep.draft = std::move(t->draft);
      for (auto& w : t->warnings) meta.warnings.push_back("config.json: " + w);
      meta.labels = t->annotations;
      from = bundle_root(t->root_path);
    }
    struct stat st;
    if (stat(from.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return Error("bundle rootfs '" + from + "' is not a directory").wrap(wrap);
    auto copied = copy_tree_as_owner(from, rootfs, mapping, unpack_limits_for(options), progress,
                                     options.cancel);
    if (!copied) return copied.error().wrap(wrap);
    stats = *copied;
  } else {
    auto u = unpack_image(src, rootfs, mapping, options, progress, prep.draft, meta);
    prep.from_image = true;
    if (!u) return u.error().wrap(wrap);
    stats = *u;
  }
  meta.bytes_unpacked = stats.bytes_written;
  meta.devices_skipped = stats.devices_skipped;
  if (stats.devices_skipped)
    meta.warnings.push_back(std::to_string(stats.devices_skipped) +
                            " device nodes skipped (an unprivileged user cannot create them; box "
                            "provides /dev)");
  if (stats.owners_clamped)
    meta.warnings.push_back(std::to_string(stats.owners_clamped) + " files owned by ids above " +
                            std::to_string(mapping.max_id()) + " are owned by container root");
  if (stats.xattrs_skipped)
    meta.warnings.push_back(std::to_string(stats.xattrs_skipped) +
                            " extended attributes (file capabilities, ACLs) not restored");
  if (options.cancel && options.cancel->load()) return Error("cancelled").wrap(wrap);

  // 3. translate. Nothing outside staging is written until every check
  // has passed: what the image asks for is planned, checked against what an
  // image may do (host_policy.h), and only then carried out.
  if (progress) progress(Progress{Progress::Phase::kFinishing, 0, 0, 0, 0});
  ExportsInput ein{ctx, locs, name, rootfs, image_dir, options, previous ? &*previous : nullptr};
  ExportsPlan plan;
  std::vector<std::string> refused;
  if (prep.from_image) {
    auto e = plan_exports(ein, prep.draft, meta, plan, refused);
    if (!e) return e.error().wrap(wrap);
  } else if (!options.set.empty()) {
    return Error("--set is for images with Atomic exports (/exports/*.template)").wrap(wrap);
  }
  if (!prep.native && prep.draft.command.empty())
    return Error("the image names no command (no Entrypoint or Cmd, no exports): nothing to run")
        .wrap(wrap);

  std::vector<std::string> header = {
      "Installed by 'boxctl install' from " + source_text +
          (meta.digest.empty() ? "" : " (" + meta.digest + ")"),
      "on " + meta.installed_at + ". 'boxctl install --replace' overwrites this file;",
      "'boxctl uninstall " + name + "' removes it with the image."};
  std::string text;
  meta.changes.push_back({"definition", definition,
                          exists_nofollow(definition) ? "replaced" : "created"});
  meta.changes.push_back({"image", image_dir, exists_nofollow(image_dir) ? "replaced" : "created"});
  describe_plan(plan, locs.tmpfiles + "/box-" + name + ".conf", meta.changes);
  if (prep.native) {
    auto t = native_definition(prep.native_yaml, src.path + "/box.yaml", name, header);
    if (!t) return t.error().wrap(wrap);
    text = *t;
  } else {
    if (prep.draft.description.empty()) prep.draft.description = name + " (" + source_text + ")";
    prep.draft.image = name;
    check_definition_reach(prep.draft, locs, name, options,
                           src.kind == SourceKind::kOciBundle ? "config.json"
                                                              : "config.json.template",
                           meta.changes, refused);
    text = image::to_yaml(prep.draft, header);
  }
  // The same loader systemd's generator uses (pure: it does not look for
  // the image dir, which is only renamed into place below).
  auto check = parse_definition_sources({{definition, text}}, name,
                                        load_context(ctx.dirs));
  if (!check)
    return check.error().wrap("the definition made for '" + name + "' does not load").wrap(wrap);

  // Refused now, before anything outside staging is written, if what the
  // image brings (labels, ports, host changes) already makes the record too
  // large; checked again on the final record below.
  if (auto record = metadata_record(meta); !record) return record.error().wrap(wrap);
  if (options.dry_run) {
    if (!prep.native) {
      auto b = prepare_bind_sources(locs, name, prep.draft, meta, rb, true);
      if (!b) return b.error().wrap(wrap);
    }
    meta.dry_run = true;
    meta.refused = std::move(refused);
    // What the dry run returns is the record it would write.
    if (auto record = metadata_record(meta); !record) return record.error().wrap(wrap);
    return meta;  // the Rollback removes the staging dir
  }
  if (!refused.empty()) {
    std::string why = "refused, nothing was installed (see 'boxctl install --dry-run'):";
    for (const auto& r : refused) why += "\n  " + r;
    return Error(why).wrap(wrap);
  }
  // 4. host side: what was planned and allowed, each thing made recorded.
  auto applied = apply_exports(ein, plan, meta, rb);
  if (!applied) return applied.error().wrap(wrap);
  if (!prep.native) {
    auto b = prepare_bind_sources(locs, name, prep.draft, meta, rb, false);
    if (!b) return b.error().wrap(wrap);
  }
  // What the replaced install created and this one did not make again
  // (data dirs that exist already, its runtime dirs) is still this box's:
  // kept in the record while it is the same inode, for a later uninstall.
  if (previous)
    for (const auto& c : previous->created) {
      if (c.kind != "data" && c.kind != "runtime") continue;
      if (std::find_if(meta.created.begin(), meta.created.end(), [&](const CreatedPath& n) {
            return n.path == c.path;
          }) != meta.created.end())
        continue;
      auto now = record_created(c.path, c.kind);
      if (now && now->dev == c.dev && now->ino == c.ino) meta.created.push_back(c);
    }

  auto record = metadata_record(meta);
  if (!record) return record.error().wrap(wrap);
  auto w = write_file_atomic(staging + "/" + kMetadataFile, *record, 0644);
  if (!w) return w.error().wrap(wrap);
  if (options.cancel && options.cancel->load()) return Error("cancelled").wrap(wrap);

  // 5. commit. A container running on the image being replaced would have
  // its files removed under it: it is stopped first (as `atomic update`
  // restarted it), and the user is told to start it again.
  if (exists_nofollow(image_dir) && ctx.stop_unit) {
    const std::string cancelled_stop =
        "cancelled (box@" + name + ".service was stopped; its image is unchanged)";
    auto s = ctx.stop_unit(unit_name(name));
    // A stop_unit that watches the cancel flag too gives up waiting for the
    // stop job (which goes on): the old image stays as it is.
    if (!s && options.cancel && options.cancel->load()) return Error(cancelled_stop).wrap(wrap);
    if (!s) return s.error().wrap(wrap);
    meta.warnings.push_back(unit_name(name) +
                            ".service was stopped (if it was running) to replace "
                            "its image: start it again");
    // The stop can take as long as the container's stop timeout: a cancel
    // that came meanwhile is still honoured, and the old image stays.
    if (options.cancel && options.cancel->load()) return Error(cancelled_stop).wrap(wrap);
  }
  const std::string def_tmp = definition + ".installing-" + std::to_string(getpid());
  {
    int fd = ::open(def_tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Error::from_errno("create '" + def_tmp + "'").wrap(wrap);
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ok = fsync(fd) == 0 && ok;
    ::close(fd);
    rb.file(def_tmp);
    if (!ok) return Error::from_errno("write '" + def_tmp + "'").wrap(wrap);
  }
  std::string old;
  if (exists_nofollow(image_dir)) {
    old = locs.images + "/.old-" + name + "-" + std::to_string(getpid()) + "-" + random_suffix();
    if (rename(image_dir.c_str(), old.c_str()) != 0)
      return Error::from_errno("move '" + image_dir + "' aside").wrap(wrap);
  }
  if (rename(staging.c_str(), image_dir.c_str()) != 0) {
    Error e = Error::from_errno("rename '" + staging + "' to '" + image_dir + "'");
    if (!old.empty()) rename(old.c_str(), image_dir.c_str());
    return e.wrap(wrap);
  }
  if (rename(def_tmp.c_str(), definition.c_str()) != 0) {
    Error e = Error::from_errno("rename '" + def_tmp + "' to '" + definition + "'");
    rename(image_dir.c_str(), staging.c_str());
    if (!old.empty()) rename(old.c_str(), image_dir.c_str());
    return e.wrap(wrap);
  }
  rb.commit();
  if (!old.empty()) (void)image::remove_tree_as_owner(mapping, old);
  // Host files the previous install made and this one did not make again:
  // removed only if they are still what it made (safe_remove.h).
  if (previous) {
    for (const auto& c : previous->created) {
      if (c.kind != "host-file" && c.kind != "tmpfiles") continue;
      if (std::find(meta.host_files.begin(), meta.host_files.end(), c.path) !=
              meta.host_files.end() ||
          c.path == meta.tmpfiles)
        continue;
      auto note = remove_created(ctx, locs, name, c, mapping);
      if (!note.empty()) meta.warnings.push_back(note);
    }
  }

  // 6. reload
  if (ctx.reload) {
    auto r = ctx.reload();
    if (!r)
      meta.warnings.push_back("installed, but " + r.error().message() +
                              ": run 'systemctl --user daemon-reload'");
  }
  return meta;
}

}  // namespace

Result<InstalledImage> install(const InstallContext& ctx, const std::string& source_text,
                               const InstallOptions& options, const ProgressFn& progress) {
  auto r = install_steps(ctx, source_text, options, progress);
  // Which disk, and that the rollback has already run.
  if (!r && (r.error().errno_value() == ENOSPC || r.error().errno_value() == EDQUOT))
    return Error(r.error().message() + " (the file system of '" + locations_for(ctx).images +
                     "' is full: free some space there and install again; nothing was changed)",
                 r.error().errno_value());
  return r;
}

Result<std::vector<std::string>> uninstall(const InstallContext& ctx, const std::string& name,
                                           bool purge) {
  auto request = check_uninstall_request(ctx, name);
  if (!request.ok()) return request.error;
  const Locations locs = locations_for(ctx);
  const std::string image_dir = locs.images + "/" + name;
  const std::string meta_path = image_dir + "/" + kMetadataFile;
  // Every path removed below is computed from NAME, or is a record of
  // image.json checked again (remove_created): image.json is only a list of
  // candidates, as anyone who can write it could have edited it.
  const std::string definition = locs.definitions + "/" + name + ".yaml";
  const std::string tmpfiles = locs.tmpfiles + "/box-" + name + ".conf";
  std::optional<InstalledImage> meta;
  auto text = read_file(meta_path, kMaxMetadataBytes);
  if (text) {
    auto m = metadata_from_json(*text, meta_path);
    if (m) meta = *m;
  }
  const image::IdMapping mapping =
      image::id_mapping_for(ctx.uid, ctx.gid, ctx.user, ctx.subuid_file, ctx.subgid_file);
  const std::string wrap = "uninstall '" + name + "'";
  std::vector<std::string> notes;

  if (ctx.stop_unit) {
    auto s = ctx.stop_unit(unit_name(name));
    if (!s) return s.error().wrap(wrap);
  }
  if (::unlink(definition.c_str()) != 0 && errno != ENOENT)
    return Error::from_errno("remove '" + definition + "'").wrap(wrap);
  if (meta) {
    for (const auto& c : meta->created) {
      if (c.kind == "data" && !purge) continue;
      auto note = remove_created(ctx, locs, name, c, mapping);
      if (!note.empty()) notes.push_back(note);
    }
    // An install made before box recorded inodes: its host files and dirs
    // cannot be told from files that were there before; they stay. Its
    // tmpfiles file is box's own by name.
    if (meta->created.empty()) {
      for (const auto& f : meta->host_files)
        notes.push_back("left '" + f +
                        "': installed by an earlier box that did not record it safely; remove "
                        "it yourself if it is the image's");
      for (const auto& d : meta->data_dirs)
        if (own_place(locs, name, d) == std::nullopt)
          notes.push_back("left '" + d + "': not in the box's own directories");
      for (const auto& d : meta->runtime_dirs)
        if (own_place(locs, name, d) == std::nullopt)
          notes.push_back("left '" + d + "': not in the box's own directories");
      if (meta->tmpfiles == tmpfiles && ::unlink(tmpfiles.c_str()) != 0 && errno != ENOENT)
        notes.push_back("left '" + tmpfiles + "': " + strerror(errno));
    }
  }
  // Its menu entry and icons (boxctl export-desktop), while the record of
  // them is still in the image's directory.
  auto exported = remove_desktop_exports(ctx, name);
  if (!exported)
    notes.push_back(exported.error().message());
  else
    notes.insert(notes.end(), exported->begin(), exported->end());
  // Renamed first: a half-removed image is never taken for an installed one.
  std::string doomed =
      locs.images + "/.removing-" + name + "-" + std::to_string(getpid()) + "-" + random_suffix();
  if (rename(image_dir.c_str(), doomed.c_str()) != 0)
    return Error::from_errno("move '" + image_dir + "' aside").wrap(wrap);
  auto r = image::remove_tree_as_owner(mapping, doomed);
  if (!r) return r.error().wrap(wrap);
  // The box's own places, by name: its runtime dir always, its data with
  // --purge. Walked without following a symlink (a link there is left).
  std::vector<OwnPlace> places = {OwnPlace::kRun};
  if (purge) places.insert(places.end(), {OwnPlace::kState, OwnPlace::kContainers, OwnPlace::kConf});
  for (OwnPlace p : places) {
    std::string root = own_place_root(locs, name, p);
    if (root.empty()) continue;
    auto rr = remove_own_dir(root, mapping);
    if (!rr) return rr.error().wrap(wrap);
    if (!rr->empty()) notes.push_back(*rr);
  }
  if (ctx.reload) {
    auto rl = ctx.reload();
    if (!rl) return rl.error().wrap(wrap + ": removed, but");
  }
  return notes;
}

Result<std::vector<InstalledImage>> list_installed(const InstallContext& ctx) {
  const Locations locs = locations_for(ctx);
  std::vector<InstalledImage> out;
  std::error_code ec;
  if (!fs::exists(locs.images, ec)) return out;
  for (const auto& e : fs::directory_iterator(locs.images, ec)) {
    std::string n = e.path().filename();
    if (n.empty() || n[0] == '.' || !e.is_directory()) continue;
    std::string path = e.path().string() + "/" + kMetadataFile;
    auto text = read_file(path, kMaxMetadataBytes);
    InstalledImage m;
    if (text) {
      auto parsed = metadata_from_json(*text, path);
      if (parsed)
        m = *parsed;
      else
        m.warnings.push_back(parsed.error().message());
    } else {
      m.warnings.push_back(text.error().message());
    }
    m.name = n;
    out.push_back(std::move(m));
  }
  if (ec) return Error("read '" + locs.images + "': " + ec.message());
  std::sort(out.begin(), out.end(),
            [](const InstalledImage& a, const InstalledImage& b) { return a.name < b.name; });
  return out;
}

}  // namespace box::install
