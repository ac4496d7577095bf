#include "install/debris.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sys/unique_fd.h"

namespace box::install {
namespace {

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string::npos;
}

// Names in `dir`, without following anything.
std::vector<std::string> entries_of(int dir) {
  std::vector<std::string> out;
  DIR* d = fdopendir(fcntl(dir, F_DUPFD_CLOEXEC, 0));
  if (!d) return out;
  while (struct dirent* de = readdir(d)) {
    std::string n = de->d_name;
    if (n != "." && n != "..") out.push_back(std::move(n));
  }
  closedir(d);
  return out;
}

}  // namespace

std::optional<std::int64_t> debris_pid(const std::string& entry) {
  for (const char* prefix : {".staging-", ".old-", ".removing-"}) {
    if (entry.rfind(prefix, 0) != 0) continue;
    // PREFIX NAME - PID - RANDOM: NAME may itself hold '-'.
    auto last = entry.find_last_of('-');
    if (last == std::string::npos || last + 1 >= entry.size()) return std::nullopt;
    auto prev = entry.find_last_of('-', last - 1);
    if (prev == std::string::npos || prev < std::string(prefix).size()) return std::nullopt;
    std::string pid = entry.substr(prev + 1, last - prev - 1);
    if (!all_digits(pid)) return std::nullopt;
    return std::stoll(pid);
  }
  const std::string marker = ".yaml.installing-";
  auto at = entry.rfind(marker);
  if (at == std::string::npos || at == 0) return std::nullopt;
  std::string pid = entry.substr(at + marker.size());
  if (!all_digits(pid)) return std::nullopt;
  return std::stoll(pid);
}

bool left_by_dead_process(const std::string& entry) {
  auto pid = debris_pid(entry);
  if (!pid || *pid <= 0) return false;
  return kill(static_cast<pid_t>(*pid), 0) != 0 && errno == ESRCH;
}

DebrisRemoval remove_debris(const Locations& locs, const image::IdMapping& mapping) {
  DebrisRemoval out;
  UniqueFd images(::open(locs.images.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (images.valid()) {
    for (const auto& n : entries_of(images.get())) {
      if (n.rfind(".yaml.installing-") != std::string::npos || !left_by_dead_process(n)) continue;
      struct stat st;
      if (fstatat(images.get(), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      const std::string path = locs.images + "/" + n;
      // Staging dirs hold files of subordinate ids: removed from inside a
      // namespace mapped like the container's (remove_entry_at never
      // follows a symlink, so only this entry of images/ goes).
      Result<void> r;
      if (S_ISDIR(st.st_mode))
        r = image::remove_tree_as_owner(mapping, path);
      else if (unlinkat(images.get(), n.c_str(), 0) != 0)
        r = Error::from_errno("remove '" + path + "'");
      if (r)
        out.removed.push_back(path);
      else
        out.errors.push_back(r.error().message());
    }
  }
  UniqueFd defs(::open(locs.definitions.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (defs.valid()) {
    for (const auto& n : entries_of(defs.get())) {
      if (n.rfind(".yaml.installing-") == std::string::npos || !left_by_dead_process(n)) continue;
      const std::string path = locs.definitions + "/" + n;
      if (unlinkat(defs.get(), n.c_str(), 0) == 0)
        out.removed.push_back(path);
      else if (errno != ENOENT)
        out.errors.push_back(Error::from_errno("remove '" + path + "'").message());
    }
  }
  return out;
}

DebrisRemoval remove_install_debris(const InstallContext& ctx) {
  const image::IdMapping mapping =
      image::id_mapping_for(ctx.uid, ctx.gid, ctx.user, ctx.subuid_file, ctx.subgid_file);
  return remove_debris(locations_for(ctx), mapping);
}

}  // namespace box::install
