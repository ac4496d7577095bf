#include "install/atomic_install.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/image/atomic_exports.h"
#include "core/image/oci_runtime.h"
#include "install/host_policy.h"
#include "install/own_places.h"
#include "install/safe_remove.h"

namespace box::install {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kMaxTemplateBytes = 1 << 20;

Result<std::string> read_export(const std::string& rootfs, const std::string& file) {
  std::string path = path_in_rootfs(rootfs, "exports/" + file);
  if (path.empty()) return Error("/exports/" + file + ": not found");
  return read_file(path, kMaxTemplateBytes);
}

bool has_export(const std::string& rootfs, const std::string& file) {
  return !path_in_rootfs(rootfs, "exports/" + file).empty();
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// A link in hostfs stays where it is put: relative, without "..", so it
// names a file beside it or below (never one of yours elsewhere).
bool contained_link(const std::string& target) {
  if (target.empty() || target[0] == '/') return false;
  for (std::size_t start = 0; start <= target.size();) {
    std::size_t end = target.find('/', start);
    if (end == std::string::npos) end = target.size();
    std::string part = target.substr(start, end - start);
    if (part == "..") return false;
    start = end + 1;
  }
  return true;
}

// Whether the existing `dest` is a host file the install being replaced
// made: its record (same inode), or, for an install recorded before box
// kept inodes, its list.
bool installed_by_previous(const std::string& dest, const InstalledImage* previous) {
  if (!previous) return false;
  bool recorded = false;
  for (const auto& c : previous->created) {
    if (c.kind != "host-file") continue;
    recorded = true;
    if (c.path != dest) continue;
    auto now = record_created(dest, c.kind);
    return now && now->dev == c.dev && now->ino == c.ino;
  }
  return !recorded && has(previous->host_files, dest);
}

Result<void> plan_hostfs(const ExportsInput& in, const image::AtomicManifest& manifest,
                         const image::TemplateValues& values, ExportsPlan& plan,
                         std::vector<std::string>& refused) {
  const std::string root = path_in_rootfs(in.rootfs, "exports/hostfs");
  std::error_code ec;
  if (!is_dir(root)) return {};
  // $CONF_DIRECTORY: box's ~/.config/box/etc, or the directory --set named.
  image::UserLocations where{in.ctx.dirs.home, values.at("CONF_DIRECTORY"), in.ctx.dirs.data_home};
  const HostPlaces places = host_places_for(in.ctx);
  std::vector<fs::path> entries;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec))
    entries.push_back(it->path());
  if (ec) return Error("read '" + root + "': " + ec.message());
  std::sort(entries.begin(), entries.end());
  for (const auto& entry : entries) {
    // lstat: the iterator does not enter a symlinked directory, and each
    // entry is taken for what it is, not for what it points to.
    struct stat st;
    if (lstat(entry.c_str(), &st) != 0) return Error::from_errno("stat '" + entry.string() + "'");
    if (S_ISDIR(st.st_mode)) continue;
    std::string rel = entry.string().substr(root.size() + 1);
    const std::string from = "hostfs/" + rel;
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
      refused.push_back(from + ": " +
                        (S_ISFIFO(st.st_mode)   ? "a FIFO"
                         : S_ISSOCK(st.st_mode) ? "a socket"
                                                : "a device node") +
                        "; only regular files and symlinks are installed");
      continue;
    }
    std::string host_path = "/" + rel;
    auto rename = manifest.rename_files.find(host_path);
    if (rename != manifest.rename_files.end()) {
      auto to = image::substitute(rename->second, values, "manifest.json renameFiles");
      if (!to) return to.error();
      host_path = *to;
    }
    auto dest = image::hostfs_destination(host_path.substr(1), where);
    if (!dest) return dest.error().wrap(from);
    ExportsPlan::HostFile f{entry.string(), from, *dest, st.st_mode & 0777, S_ISLNK(st.st_mode),
                            ""};
    if (f.link) {
      f.target = fs::read_symlink(entry, ec).string();
      if (ec) return Error("read link '" + entry.string() + "': " + ec.message());
      if (!contained_link(f.target)) {
        refused.push_back(from + " -> " + *dest + ": a symlink to '" + f.target +
                          "'; a link in hostfs must be relative and stay beside it (no '/' at "
                          "the start, no '..')");
        continue;
      }
    }
    if (exists_nofollow(*dest) && !installed_by_previous(*dest, in.previous)) {
      refused.push_back(from + " -> " + *dest +
                        ": the file exists and was not installed by box; remove it first");
      continue;
    }
    // The box's own config dir is read by the box alone (a template binds
    // $CONF_DIRECTORY/$NAME); the rest of $CONF_DIRECTORY is other boxes'.
    const bool own_conf = own_place(in.locs, in.name, *dest) == OwnPlace::kConf;
    if (auto why = runs_code_or_configures(*dest, places);
        why && !own_conf && !has(in.options.allow_host_files, *dest)) {
      refused.push_back(from + " -> " + *dest + ": " + *why + "; add --allow-host-file " + *dest +
                        " to install it");
      continue;
    }
    plan.host_files.push_back(std::move(f));
  }
  return {};
}

// The directory mode of a tmpfiles line: "-" is 0755.
Result<mode_t> tmpfiles_mode(const image::TmpfilesEntry& e, const std::string& where) {
  if (e.mode == "-" || e.mode.empty()) return mode_t{0755};
  if (e.mode.size() > 4 || e.mode.find_first_not_of("01234567") != std::string::npos)
    return Error(where + ": '" + e.raw + "': mode '" + e.mode + "' is not octal");
  return static_cast<mode_t>(std::stoul(e.mode, nullptr, 8));
}

// Records a path the install made. One that cannot be reached without a
// symlink (a $HOME under a symlinked /home) is not recorded, and so is
// left by uninstall: said once, here.
void record(const std::string& path, const std::string& kind, InstalledImage& meta) {
  auto r = record_created(path, kind);
  if (r)
    meta.created.push_back(*r);
  else
    meta.warnings.push_back(r.error().message() + ": uninstall will leave it");
}

// Records what `mkdir -p path` made below the box's own places.
Result<void> record_own_dirs(const Locations& locs, const std::string& name,
                             const std::vector<std::string>& made, InstalledImage& meta) {
  for (const auto& d : made) {
    auto place = own_place(locs, name, d);
    if (!place || *place == OwnPlace::kImage) continue;
    record(d, *place == OwnPlace::kRun ? "runtime" : "data", meta);
  }
  return {};
}

}  // namespace

std::vector<std::string> missing_dirs(const std::string& path) {
  std::vector<std::string> todo;
  std::string p = path;
  while (!p.empty() && p != "/" && !exists_nofollow(p)) {
    todo.push_back(p);
    p = p.substr(0, p.find_last_of('/'));
  }
  std::reverse(todo.begin(), todo.end());
  return todo;
}

Result<void> plan_exports(const ExportsInput& in, image::DefinitionDraft& draft,
                          InstalledImage& meta, ExportsPlan& plan,
                          std::vector<std::string>& refused) {
  if (!is_dir(path_in_rootfs(in.rootfs, "exports"))) return {};
  meta.atomic_exports = true;

  image::AtomicManifest manifest;
  if (has_export(in.rootfs, "manifest.json")) {
    auto text = read_export(in.rootfs, "manifest.json");
    if (!text) return text.error();
    auto m = image::parse_atomic_manifest(*text, "/exports/manifest.json");
    if (!m) return m.error();
    manifest = std::move(*m);
  }
  image::TemplateValues set;
  for (const auto& [k, v] : in.options.set) set[k] = v;
  image::TemplateValues forced = {
      {"NAME", in.name},
      {"DESTDIR", in.image_dir},
      {"EXEC_START", in.ctx.box_run + " start " + in.name},
      {"EXEC_STOP", "/bin/kill -s TERM $MAINPID"},
      {"HOST_UID", std::to_string(in.ctx.uid)},
      {"HOST_GID", std::to_string(in.ctx.gid)},
      {"RUN_DIRECTORY", in.locs.run},
      {"STATE_DIRECTORY", in.locs.state},
      {"CONF_DIRECTORY", in.locs.conf},
  };
  // $CONF_DIRECTORY is where your configuration of the box lives: you may
  // name another directory of yours (Atomic let --set change it too). There
  // the box's config dir is not one of its own places, so a bind of it asks
  // for --allow-bind and its files face the host-file rules, as anywhere else.
  if (auto conf = set.find("CONF_DIRECTORY"); conf != set.end()) {
    if (!is_canonical_path(conf->second) || conf->second == "/")
      return Error("--set CONF_DIRECTORY=" + conf->second +
                   ": not an absolute directory path without '.', '..', '//' or a trailing '/' "
                   "(give a directory of yours, e.g. ~/etcd-conf)");
    forced["CONF_DIRECTORY"] = conf->second;
    set.erase(conf);
  }
  for (const auto& [k, _] : set)
    if (forced.count(k))
      return Error("--set " + k + ": $" + k + " is set by box and cannot be changed");
  image::TemplateValues values = image::merge_values(manifest.default_values, set, forced);

  if (has_export(in.rootfs, "config.json.template")) {
    auto text = read_export(in.rootfs, "config.json.template");
    if (!text) return text.error();
    auto config = image::substitute(*text, values, "/exports/config.json.template");
    if (!config) return config.error();
    // The image's own rootfs tells whether its /sbin/init is systemd.
    auto t = image::translate_runtime_config(*config, "/exports/config.json.template", in.image_dir,
                                             [&](const std::string&, const std::string& path) {
                                               return path_in_rootfs(in.rootfs, path);
                                             });
    if (!t) return t.error();
    // The exports replace the image config's defaults, as with Atomic.
    std::string description = draft.description;
    draft = std::move(t->draft);
    if (draft.description.empty()) draft.description = description;
    // The image config's ports note described the defaults just replaced.
    meta.warnings.erase(
        std::remove_if(meta.warnings.begin(), meta.warnings.end(),
                       [](const std::string& w) { return w.rfind("image exposes", 0) == 0; }),
        meta.warnings.end());
    for (auto& w : t->warnings) meta.warnings.push_back("config.json.template: " + w);
    if (t->root_path != "rootfs" && t->root_path != in.image_dir + "/rootfs")
      meta.warnings.push_back("config.json.template: root.path '" + t->root_path +
                              "': the image's own rootfs is used");
  }
  if (has_export(in.rootfs, "service.template")) {
    auto text = read_export(in.rootfs, "service.template");
    if (!text) return text.error();
    auto unit = image::substitute(*text, values, "/exports/service.template");
    if (!unit) return unit.error();
    auto s = image::apply_service_template(*unit, forced["EXEC_START"], forced["EXEC_STOP"], draft,
                                           meta.warnings, "service.template");
    if (!s) return s;
  }
  if (has_export(in.rootfs, "tmpfiles.template")) {
    auto text = read_export(in.rootfs, "tmpfiles.template");
    if (!text) return text.error();
    auto conf = image::substitute(*text, values, "/exports/tmpfiles.template");
    if (!conf) return conf.error();
    auto entries = image::parse_tmpfiles(*conf, "tmpfiles.template");
    if (!entries) return entries.error();
    // Directories are made at install (box@NAME may start before the next
    // login runs systemd-tmpfiles); the file keeps them across reboots.
    // Only lines box accepted are written to it.
    std::string accepted;
    for (const auto& e : *entries) {
      const std::string where = "tmpfiles.template:" + std::to_string(e.line);
      // Atomic's templates end with "Z DIR MODE $HOST_UID $HOST_GID" to give
      // the host user a directory root made. Here the box's own directories
      // are made by you already: nothing to change, and nothing written.
      auto own = own_place(in.locs, in.name, e.path);
      if ((e.type == "z" || e.type == "Z") && own && *own != OwnPlace::kImage) {
        meta.warnings.push_back(where + ": '" + e.raw +
                                "': ignored (box made the directory; it is yours already)");
        continue;
      }
      if (auto why = refuse_tmpfiles_line(e, in.locs, in.name, where)) {
        refused.push_back(*why);
        continue;
      }
      auto mode = tmpfiles_mode(e, where);
      if (!mode) return mode.error();
      auto place = own_place(in.locs, in.name, e.path);
      plan.dirs.push_back({e.path, *mode, *place == OwnPlace::kRun ? "runtime" : "data"});
      accepted += tmpfiles_line_text(e) + "\n";
    }
    if (!accepted.empty()) {
      plan.tmpfiles = true;
      plan.tmpfiles_text = "# Installed by boxctl install for box@" + in.name +
                           "; removed by boxctl uninstall.\n" + accepted;
    }
  }
  return plan_hostfs(in, manifest, values, plan, refused);
}

void describe_plan(const ExportsPlan& plan, const std::string& tmpfiles_file,
                   std::vector<HostChange>& changes) {
  if (plan.tmpfiles)
    changes.push_back({"tmpfiles", tmpfiles_file, "systemd-tmpfiles rules for the directories"});
  std::set<std::string> listed;
  for (const auto& d : plan.dirs)
    for (const auto& m : missing_dirs(d.path))
      if (listed.insert(m).second)
        changes.push_back({"directory", m, "created (" + d.kind + ", from tmpfiles.template)"});
  for (const auto& f : plan.host_files)
    changes.push_back({"host-file", f.dest, f.link ? "symlink to '" + f.target + "' from " + f.from
                                                   : "from " + f.from});
}

Result<void> apply_exports(const ExportsInput& in, const ExportsPlan& plan, InstalledImage& meta,
                           Rollback& rb) {
  for (const auto& d : plan.dirs) {
    // Only what it creates is recorded: an existing dir is left alone.
    auto made = missing_dirs(d.path);
    auto m = make_dirs_recorded(d.path, d.mode, rb);
    if (!m) return m;
    auto r = record_own_dirs(in.locs, in.name, made, meta);
    if (!r) return r;
    (d.kind == "data" ? meta.data_dirs : meta.runtime_dirs).push_back(d.path);
  }
  if (plan.tmpfiles) {
    meta.tmpfiles = in.locs.tmpfiles + "/box-" + in.name + ".conf";
    auto md = make_dirs_recorded(in.locs.tmpfiles, 0755, rb);
    if (!md) return md;
    auto w = replace_recorded(meta.tmpfiles, rb, [&] {
      return write_file_atomic(meta.tmpfiles, plan.tmpfiles_text, 0644);
    });
    if (!w) return w;
    record(meta.tmpfiles, "tmpfiles", meta);
  }
  for (const auto& f : plan.host_files) {
    auto parent = f.dest.substr(0, f.dest.find_last_of('/'));
    auto md = make_dirs_recorded(parent, 0755, rb);
    if (!md) return md;
    // Only a file the previous install made is there (plan_hostfs): a
    // failed replace puts it back.
    auto w = replace_recorded(f.dest, rb, [&]() -> Result<void> {
      if (f.link) {
        ::unlink(f.dest.c_str());
        if (symlink(f.target.c_str(), f.dest.c_str()) != 0)
          return Error::from_errno("create '" + f.dest + "'");
        return {};
      }
      auto content = read_file(f.source, kMaxHostfsFileBytes);
      if (!content) return content.error();
      auto written = write_file_atomic(f.dest, *content, f.mode);
      if (!written) return written;
      chmod(f.dest.c_str(), f.mode);
      return {};
    });
    if (!w) return w;
    record(f.dest, "host-file", meta);
    meta.host_files.push_back(f.dest);
  }
  return {};
}

Result<void> prepare_bind_sources(const Locations& locs, const std::string& name,
                                  const image::DefinitionDraft& d, InstalledImage& meta,
                                  Rollback& rb, bool dry_run) {
  for (const auto& m : d.mounts) {
    if (m.type != MountType::kBind) continue;
    auto place = own_place(locs, name, m.source);
    if (!place || *place == OwnPlace::kImage) continue;
    bool data = *place != OwnPlace::kRun;
    auto made = missing_dirs(m.source);
    if (dry_run) {
      for (const auto& dir : made)
        meta.changes.push_back({"directory", dir,
                                std::string("created (") + (data ? "data" : "runtime") +
                                    ", the source of a bind)"});
      continue;
    }
    if (!made.empty()) {
      auto r = make_dirs_recorded(m.source, 0755, rb);
      if (!r) return r;
      auto rec = record_own_dirs(locs, name, made, meta);
      if (!rec) return rec;
    }
    auto& list = data ? meta.data_dirs : meta.runtime_dirs;
    if (std::find(list.begin(), list.end(), m.source) == list.end()) list.push_back(m.source);
  }
  return {};
}

}  // namespace box::install
