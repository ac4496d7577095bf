#include "boxctl/run_target.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "core/image/oci_image.h"
#include "core/image/oci_runtime.h"
#include "core/model/definition_loader.h"
#include "core/runtime/run_options.h"
#include "install/install_files.h"

namespace box::boxctl {
namespace {

bool directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool regular_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// `path` lexically inside `dir` (both absolute, without "..").
bool inside(const std::string& path, const std::string& dir) {
  return path == dir || path.starts_with(dir + "/");
}

// An OCI runtime bundle, translated as `boxctl install` does
// (install/installer.cc): config.json to a definition draft, its YAML
// checked by the definition loader. Its config.json is untrusted (the
// trust model, docs/security.md): a bind of a host path outside the
// bundle is refused here, where `boxctl install` would ask for consent;
// -v binds what the user names.
Result<RunTarget> bundle_target(const std::string& dir, const UserDirs& dirs) {
  const std::string config = dir + "/config.json";
  auto text = install::read_file(config, image::kMaxJsonBytes, image::FinalSymlink::kFollow);
  if (!text) return text.error();
  auto bundle_root = [&](const std::string& root_path) {
    return root_path.empty() || root_path[0] != '/' ? dir + "/" + root_path : root_path;
  };
  auto t = image::translate_runtime_config(
      *text, config, dir, [&](const std::string& root_path, const std::string& path) {
        return install::path_in_rootfs(bundle_root(root_path), path);
      });
  if (!t) return t.error();
  RunTarget target;
  target.kind = RunTarget::Kind::kBundle;
  for (const auto& m : t->draft.mounts)
    if (m.type == MountType::kBind && !inside(m.source, dir))
      return Error(config + ": binds the host path '" + m.source + "' at '" + m.target +
                   "': boxctl run binds only what you name (-v " + m.source + ":" + m.target +
                   "), or install the bundle ('boxctl install --dry-run " + dir + "')");
  t->draft.rootfs = bundle_root(t->root_path);
  if (!directory(t->draft.rootfs))
    return Error(config + ": its root filesystem '" + t->draft.rootfs + "' is not a directory");
  auto def = parse_definition_sources({{config, image::to_yaml(t->draft, {})}}, "run",
                                      LoadContext{dirs.home, dirs.data_home, ""});
  if (!def) return def.error().wrap("the definition made of " + config + " does not load");
  target.def = std::move(*def);
  // What a service would lose. A run's terminal is -t's, as with podman:
  // the config's process.terminal (runc spec writes true) is not news.
  for (auto& w : t->warnings)
    if (!w.starts_with("process.terminal:")) target.warnings.push_back(std::move(w));
  target.config = config;
  for (const char* ns : {"pid", "ipc"}) {
    auto it = t->draft.namespaces.find(ns);
    if (it != t->draft.namespaces.end() && it->second == "host") target.host_namespaces.push_back(ns);
  }
  return target;
}

}  // namespace

Result<void> check_host_namespaces(const RunTarget& target, const std::vector<std::string>& shared) {
  for (const auto& ns : target.host_namespaces) {
    if (std::find(shared.begin(), shared.end(), ns) != shared.end()) continue;
    const std::string why = ns == "pid" ? "the box would see and signal your processes"
                                        : "the box would share System V and POSIX IPC with your "
                                          "programs";
    return Error(target.config + ": no " + ns + " namespace, so the host's: " + why + "; add --share " +
                 ns + " to run it so, or give the config a " + ns + " namespace");
  }
  return {};
}

Result<RunTarget> resolve_run_target(const std::string& target, const UserDirs& dirs,
                                     const std::string& cwd) {
  if (target.empty()) return Error("expected an image, a root filesystem or a bundle, found ''");
  const bool path = target.find('/') != std::string::npos || target == "." || target == "..";
  if (!path) {
    auto files = resolve_definition(definition_search_dirs(dirs), target);
    if (files) {
      // Read and loaded as `box-run start NAME` does (its start record
      // holds the same sources).
      auto sources = read_resolved_sources(*files);
      if (!sources) return sources.error();
      auto def = parse_definition_sources(*sources, target, load_context(dirs));
      if (!def) return def.error();
      RunTarget t;
      t.kind = RunTarget::Kind::kImage;
      t.def = std::move(*def);
      t.sources = std::move(*sources);
      return t;
    }
    if (!directory(cwd + "/" + target))
      return Error("no image or container '" + target + "' (see 'boxctl images' and 'boxctl list'), "
                   "and no directory of that name");
  }
  // "./root", "a/../b", "dir/": the path the plan and its messages show.
  std::string dir =
      std::filesystem::path(target.front() == '/' ? target : cwd + "/" + target)
          .lexically_normal()
          .string();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (!directory(dir)) return Error("'" + target + "' is not a directory");
  if (regular_file(dir + "/config.json")) return bundle_target(dir, dirs);
  if (regular_file(dir + "/box.yaml") && directory(dir + "/rootfs"))
    return Error("'" + target + "' is a box bundle (box.yaml and rootfs/): install it ('boxctl "
                 "install " + target + " NAME') and run it by its name, or run its root "
                 "filesystem ('boxctl run " + target + "/rootfs COMMAND')");
  RunTarget t;
  t.kind = RunTarget::Kind::kRootfs;
  t.def = run_defaults();
  t.def.rootfs = dir;
  return t;
}

}  // namespace box::boxctl
