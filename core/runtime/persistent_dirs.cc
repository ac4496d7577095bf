#include "core/runtime/persistent_dirs.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace box {
namespace {

namespace fs = std::filesystem;

// remove_all, after giving the user back rwx on every directory inside:
// overlayfs makes its work/work directory with mode 000.
Result<void> remove_tree(const fs::path& top) {
  std::error_code ec;
  fs::permissions(top, fs::perms::owner_all, fs::perm_options::add, ec);
  for (auto it = fs::recursive_directory_iterator(top, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec))
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    if (ec) break;
  }
  if (!ec) fs::remove_all(top, ec);
  if (ec) return Error("remove '" + top.string() + "': " + ec.message(), ec.value());
  return {};
}

}  // namespace

Result<void> PersistentDirs::make(const std::string& path) {
  // The missing directories, innermost first.
  std::vector<fs::path> missing;
  for (fs::path p = fs::path(path).lexically_normal(); !p.empty() && p != p.root_path();
       p = p.parent_path()) {
    struct stat st;
    if (::lstat(p.c_str(), &st) == 0) break;
    if (errno != ENOENT) return Error::from_errno("look at '" + p.string() + "'");
    missing.push_back(p);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    const bool last = it + 1 == missing.rend();
    if (::mkdir(it->c_str(), last ? 0700 : 0777) != 0)
      return Error::from_errno("create '" + it->string() + "'");
    created_.push_back(it->string());
  }
  // An existing one (writes of an earlier run) stays as it is, but private.
  if (missing.empty() && ::chmod(path.c_str(), 0700) != 0)
    return Error::from_errno("make '" + path + "' private");
  return {};
}

Result<void> PersistentDirs::remove_created() {
  std::vector<std::string> created;
  created.swap(created_);
  Result<void> first_error;
  for (auto it = created.rbegin(); it != created.rend(); ++it) {
    const bool leaf = std::none_of(created.begin(), created.end(), [&](const std::string& other) {
      return other.size() > it->size() && other.compare(0, it->size() + 1, *it + "/") == 0;
    });
    if (leaf) {
      auto removed = remove_tree(*it);
      if (!removed && first_error) first_error = removed;
    } else if (::rmdir(it->c_str()) != 0 && errno != ENOTEMPTY && errno != EEXIST &&
               errno != ENOENT && first_error) {
      first_error = Error::from_errno("remove '" + *it + "'");
    }
  }
  return first_error;
}

}  // namespace box
