#include "manager/container_registry.h"

#include <fstream>
#include <set>
#include <sstream>

#include "core/image/regular_file.h"
#include "core/model/generator_status.h"
#include "manager/next_start.h"

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

ContainerRegistry::ContainerRegistry(std::vector<std::string> search_dirs, LoadContext context,
                                     std::string generator_status, std::string start_records)
    : search_dirs_(std::move(search_dirs)),
      context_(std::move(context)),
      generator_status_(std::move(generator_status)),
      start_records_(std::move(start_records)),
      watch_(search_dirs_) {}

ContainerRegistry::Stamp ContainerRegistry::stamp_of(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    has_symlinks_ = true;
    if (!stat_file(path, st)) st = {};
  }
  if (st.st_ino == 0) return Stamp{};
  return Stamp{st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};
}

ContainerInfo ContainerRegistry::describe(const DefinitionFile& files) {
  ContainerInfo info;
  info.name = files.name;
  info.definition_path = files.path;
  if (!files.masked_by.empty()) {
    info.definition_path = files.masked_by;
    info.error = load_resolved_definition(files, context_).error().message();
    cache_.erase(files.name);
    return info;
  }
  std::vector<std::string> paths = {files.path};
  paths.insert(paths.end(), files.fragments.begin(), files.fragments.end());
  std::vector<Stamp> stamps;
  for (const auto& p : paths) stamps.push_back(stamp_of(p));
  auto it = cache_.find(files.name);
  if (it != cache_.end() && it->second.files == paths && it->second.stamps == stamps) {
    info = it->second.info;
    apply_generator_verdict(info);
    return info;
  }
  // The same load as box-run start's and the generator's.
  auto def = load_resolved_definition(files, context_);
  if (def) {
    info.valid = true;
    info.description = def->description;
    info.rootfs = def->rootfs;
    info.image = def->image;
    info.session_bus = def->session_bus;
    info.system_bus = def->system_bus;
    for (const auto& d : def->devices) info.devices.push_back(d.path);
    info.keep_groups = def->keep_groups;
    info.session = session_socket_names(def->session);
    info.app_id = def->app_id;
    info.pod = def->pod;
  } else {
    info.error = def.error().message();
  }
  cache_[files.name] = Cached{std::move(paths), std::move(stamps), info};
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
  // The generator writes it atomically; an unreadable file or another
  // version is ignored: our own load of each definition still reports errors.
  auto parsed = parse_generator_status(text.str());
  if (!parsed) return true;
  // A container's verdicts only: a pod may have a box's name.
  for (const auto& e : *parsed)
    if (!e.ok && e.kind == "container")
      verdicts_[e.name] = e.error.empty() ? "rejected by box-user-generator" : e.error;
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
  const DefinitionScan scan = scan_definitions(search_dirs_);
  // Before reading any fragment: one written from now on is seen next time.
  watch_.watch_also(scan.dropin_dirs);
  std::vector<ContainerInfo> out;
  std::set<std::string> names;
  for (const auto& files : scan.containers) {
    out.push_back(describe(files));
    names.insert(files.name);
  }
  // Forget definitions that are gone.
  for (auto it = cache_.begin(); it != cache_.end();)
    it = names.count(it->first) ? std::next(it) : cache_.erase(it);
  last_scan_ = out;
  return out;
}

std::optional<ContainerInfo> ContainerRegistry::find(const std::string& name) {
  if (!is_valid_container_name(name)) return std::nullopt;
  auto files = resolve_definition(search_dirs_, name);
  if (!files) return std::nullopt;
  load_generator_verdicts();
  return describe(*files);
}

std::string ContainerRegistry::next_start(const std::string& name, std::uint32_t main_pid) const {
  if (main_pid == 0) return next_start_verdict(0, std::nullopt, true, {});
  auto files = resolve_definition(search_dirs_, name);
  auto sources = files ? read_resolved_sources(*files)
                       : Result<std::vector<DefinitionSource>>(files.error());
  const bool loads =
      sources && parse_definition_sources(*sources, name, context_).ok();
  std::optional<StartRecord> record;
  if (!start_records_.empty()) {
    // A record holds a definition's files: kMaxDefinitionBytes each, a few.
    const std::string path = start_records_ + "/" + name;
    auto fd = image::open_regular_file(path, image::FinalSymlink::kRefuse);
    auto text = fd ? image::read_at_most(fd->get(), path, 16 * kMaxDefinitionBytes)
                   : Result<std::string>(fd.error());
    if (text)
      if (auto parsed = parse_start_record(*text)) record = std::move(*parsed);
  }
  return next_start_verdict(main_pid, record, loads,
                            sources ? *sources : std::vector<DefinitionSource>{});
}

std::string ContainerRegistry::not_found_detail(const std::string& name) const {
  if (auto valid = check_container_name(name); !valid) return valid.error().message();
  auto files = resolve_definition(search_dirs_, name);
  return files ? std::string("found '") + files->path + "'" : files.error().message();
}

}  // namespace box::manager
