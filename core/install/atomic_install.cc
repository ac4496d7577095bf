#include "install/atomic_install.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "image/atomic_exports.h"
#include "image/oci_runtime.h"

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

Result<void> install_hostfs(const ExportsInput& in, const image::AtomicManifest& manifest,
                            const image::TemplateValues& values, InstalledImage& meta,
                            Rollback& rb) {
  const std::string root = path_in_rootfs(in.rootfs, "exports/hostfs");
  std::error_code ec;
  if (!is_dir(root)) return {};
  image::UserLocations where{in.ctx.dirs.home, in.ctx.dirs.config_home, in.ctx.dirs.data_home};
  std::set<std::string> ours;
  if (in.previous) ours.insert(in.previous->host_files.begin(), in.previous->host_files.end());
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) continue;
    std::string rel = it->path().string().substr(root.size() + 1);
    std::string host_path = "/" + rel;
    auto rename = manifest.rename_files.find(host_path);
    if (rename != manifest.rename_files.end()) {
      auto to = image::substitute(rename->second, values, "manifest.json renameFiles");
      if (!to) return to.error();
      host_path = *to;
    }
    auto dest = image::hostfs_destination(host_path.substr(1), where);
    if (!dest) return dest.error();
    if (exists_nofollow(*dest) && !ours.count(*dest))
      return Error("hostfs file '" + *dest +
                   "' exists and was not installed by box; remove it "
                   "first");
    auto parent = dest->substr(0, dest->find_last_of('/'));
    auto md = make_dirs_recorded(parent, 0755, rb);
    if (!md) return md;
    if (it->is_symlink(ec)) {
      std::string target = fs::read_symlink(it->path(), ec).string();
      ::unlink(dest->c_str());
      if (symlink(target.c_str(), dest->c_str()) != 0)
        return Error::from_errno("create '" + *dest + "'");
    } else {
      struct stat st;
      if (stat(it->path().c_str(), &st) != 0)
        return Error::from_errno("stat '" + it->path().string() + "'");
      auto content = read_file(it->path(), kMaxHostfsFileBytes);
      if (!content) return content.error();
      auto w = write_file_atomic(*dest, *content, st.st_mode & 0777);
      if (!w) return w;
      chmod(dest->c_str(), st.st_mode & 0777);
    }
    rb.file(*dest);
    meta.host_files.push_back(*dest);
  }
  if (ec) return Error("read '" + root + "': " + ec.message());
  return {};
}

}  // namespace

Result<void> apply_exports(const ExportsInput& in, image::DefinitionDraft& draft,
                           InstalledImage& meta, Rollback& rb) {
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
  std::string run_dir = in.locs.run;
  image::TemplateValues forced = {
      {"NAME", in.name},
      {"DESTDIR", in.image_dir},
      {"EXEC_START", in.ctx.box_run + " start " + in.name},
      {"EXEC_STOP", "/bin/kill -s TERM $MAINPID"},
      {"HOST_UID", std::to_string(in.ctx.uid)},
      {"HOST_GID", std::to_string(in.ctx.gid)},
      {"RUN_DIRECTORY", run_dir},
      {"STATE_DIRECTORY", in.locs.state},
  };
  for (const auto& [k, _] : set)
    if (forced.count(k))
      return Error("--set " + k + ": $" + k + " is set by box and cannot be changed");
  image::TemplateValues values = image::merge_values(manifest.default_values, set, forced);

  if (has_export(in.rootfs, "config.json.template")) {
    auto text = read_export(in.rootfs, "config.json.template");
    if (!text) return text.error();
    auto config = image::substitute(*text, values, "/exports/config.json.template");
    if (!config) return config.error();
    auto t =
        image::translate_runtime_config(*config, "/exports/config.json.template", in.image_dir);
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
    // Directories are made now (box@NAME may start before the next login
    // runs systemd-tmpfiles); the file keeps them across reboots.
    for (const auto& e : *entries) {
      std::string type = e.type.substr(0, 1);
      if (type == "d" || type == "D" || type == "v" || type == "q" || type == "Q") {
        bool data = under(e.path, in.locs.state) || under(e.path, in.locs.containers);
        bool run = !in.locs.run.empty() && under(e.path, in.locs.run);
        if (!data && !run && !under(e.path, in.ctx.dirs.home))
          return Error("tmpfiles.template: '" + e.path +
                       "' is outside your directories ($HOME, "
                       "$RUN_DIRECTORY, $STATE_DIRECTORY)");
        mode_t mode = 0755;
        if (e.mode != "-" && !e.mode.empty()) {
          if (e.mode.size() > 4 || e.mode.find_first_not_of("01234567") != std::string::npos)
            return Error("tmpfiles.template: '" + e.raw + "': mode '" + e.mode + "' is not octal");
          mode = static_cast<mode_t>(std::stoul(e.mode, nullptr, 8));
        }
        // Only what it creates is recorded: an existing dir is left alone.
        auto m = make_dirs_recorded(e.path, mode, rb);
        if (!m) return m;
        (data ? meta.data_dirs : meta.runtime_dirs).push_back(e.path);
      } else {
        meta.warnings.push_back("tmpfiles.template: '" + e.raw +
                                "': applied by systemd-tmpfiles at your next login, not now");
      }
    }
    meta.tmpfiles = in.locs.tmpfiles + "/box-" + in.name + ".conf";
    auto md = make_dirs_recorded(in.locs.tmpfiles, 0755, rb);
    if (!md) return md;
    auto w = write_file_atomic(meta.tmpfiles,
                               "# Installed by boxctl install for box@" + in.name +
                                   "; removed by boxctl uninstall.\n" + *conf,
                               0644);
    if (!w) return w;
    rb.file(meta.tmpfiles);
  }
  return install_hostfs(in, manifest, values, meta, rb);
}

Result<void> prepare_bind_sources(const Locations& locs, const image::DefinitionDraft& d,
                                  InstalledImage& meta, Rollback& rb) {
  for (const auto& m : d.mounts) {
    if (m.type != "bind") continue;
    bool data = under(m.source, locs.state) || under(m.source, locs.containers);
    bool run = !locs.run.empty() && under(m.source, locs.run);
    if (!data && !run) continue;
    if (!exists_nofollow(m.source)) {
      auto r = make_dirs_recorded(m.source, 0755, rb);
      if (!r) return r;
    }
    auto& list = data ? meta.data_dirs : meta.runtime_dirs;
    if (std::find(list.begin(), list.end(), m.source) == list.end()) list.push_back(m.source);
  }
  return {};
}

}  // namespace box::install
