#include "container_registry.h"

#include <fstream>
#include <set>
#include <sstream>

#include "definition_loader.h"
#include "generator_status.h"
#include "paths.h"

namespace box::manager {
namespace {

// Largest status file read; one line per definition.
constexpr std::size_t kMaxStatusBytes = 16 << 20;

bool stat_file(const std::string& path, struct stat& st) { return ::stat(path.c_str(), &st) == 0; }

}  // namespace

bool ContainerRegistry::Stamp::operator==(const Stamp& o) const {
  return dev == o.dev && ino == o.ino && size == o.size && mtime.tv_sec == o.mtime.tv_sec &&
         mtime.tv_nsec == o.mtime.tv_nsec && ctime.tv_sec == o.ctime.tv_sec &&
         ctime.tv_nsec == o.ctime.tv_nsec;
}

ContainerRegistry::ContainerRegistry(std::vector<std::string> search_dirs, std::string home,
                                     std::string generator_status)
    : search_dirs_(std::move(search_dirs)),
      home_(std::move(home)),
      generator_status_(std::move(generator_status)),
      watch_(search_dirs_) {}

ContainerInfo ContainerRegistry::describe(const std::string& name, const std::string& path) {
  struct stat st {};
  Stamp stamp;
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    has_symlinks_ = true;
    if (!stat_file(path, st)) st = {};
  }
  if (st.st_ino != 0) stamp = {st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};
  auto it = cache_.find(path);
  if (it != cache_.end() && it->second.stamp == stamp && it->second.info.name == name) {
    ContainerInfo info = it->second.info;
    apply_generator_verdict(info);
    return info;
  }
  ContainerInfo info{name, path, "", "", "", false, ""};
  auto def = load_definition_file(path, name, home_);
  if (def) {
    info.valid = true;
    info.description = def->description;
    info.rootfs = def->rootfs;
    info.image = def->image;
  } else {
    info.error = def.error().message();
  }
  cache_[path] = Cached{stamp, info};
  apply_generator_verdict(info);
  return info;
}

bool ContainerRegistry::load_generator_verdicts() {
  struct stat st {};
  if (generator_status_.empty() || !stat_file(generator_status_, st)) {
    bool had = !verdicts_.empty() || !(status_stamp_ == Stamp{});
    verdicts_.clear();
    status_stamp_ = Stamp{};
    return had;
  }
  Stamp stamp{st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};
  if (stamp == status_stamp_) return false;
  status_stamp_ = stamp;
  verdicts_.clear();
  if (static_cast<std::size_t>(st.st_size) > kMaxStatusBytes) return true;
  std::ifstream in(generator_status_);
  std::stringstream text;
  text << in.rdbuf();
  // The generator writes it atomically; an unreadable or foreign file is
  // ignored: our own load of each definition still reports errors.
  auto parsed = parse_generator_status(text.str());
  if (parsed) verdicts_ = std::move(*parsed);
  return true;
}

void ContainerRegistry::apply_generator_verdict(ContainerInfo& info) const {
  auto it = verdicts_.find(info.name);
  if (it == verdicts_.end() || !info.valid) return;
  // The file loads now but the generator rejected it at the last
  // daemon-reload, so the unit has no drop-in from it yet.
  info.valid = false;
  info.error = it->second +
               " (box-user-generator's verdict at the last reload; the file has changed since: "
               "run 'boxctl reload')";
}

std::vector<ContainerInfo> ContainerRegistry::list() {
  const bool verdicts_changed = load_generator_verdicts();
  const bool dirs_changed = watch_.changed();
  if (!verdicts_changed && !dirs_changed && !has_symlinks_) return last_scan_;
  has_symlinks_ = false;
  std::vector<ContainerInfo> out;
  std::set<std::string> paths;
  for (const auto& file : list_definition_files(search_dirs_)) {
    out.push_back(describe(file.name, file.path));
    paths.insert(file.path);
  }
  // Forget definitions that are gone.
  for (auto it = cache_.begin(); it != cache_.end();)
    it = paths.count(it->first) ? std::next(it) : cache_.erase(it);
  last_scan_ = out;
  return out;
}

std::optional<ContainerInfo> ContainerRegistry::find(const std::string& name) {
  if (!is_valid_container_name(name)) return std::nullopt;
  auto path = find_definition_file(search_dirs_, name);
  if (!path) return std::nullopt;
  load_generator_verdicts();
  return describe(name, *path);
}

std::string ContainerRegistry::not_found_detail(const std::string& name) const {
  if (!is_valid_container_name(name))
    return "not a valid container name (letters, digits, '-', '_', '.', at most 64 characters, "
           "starting with a letter or digit)";
  auto path = find_definition_file(search_dirs_, name);
  return path ? std::string("found '") + *path + "'" : path.error().message();
}

}  // namespace box::manager
