#include "paths.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "definition.h"

namespace box {
namespace fs = std::filesystem;

namespace {
std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

constexpr std::string_view kSuffix = ".yaml";
}  // namespace

Result<UserDirs> user_dirs_from_environment() {
  UserDirs d;
  d.home = env_or_empty("HOME");
  if (d.home.empty()) {
    struct passwd* pw = getpwuid(getuid());
    if (!pw || !pw->pw_dir || !*pw->pw_dir)
      return Error("cannot determine the home directory: $HOME is unset and uid " +
                   std::to_string(getuid()) + " has no passwd entry");
    d.home = pw->pw_dir;
  }
  // XDG says relative values are invalid and must be ignored.
  auto xdg = [&](const char* var, const char* fallback) {
    std::string v = env_or_empty(var);
    return (!v.empty() && v.front() == '/') ? v : d.home + fallback;
  };
  d.config_home = xdg("XDG_CONFIG_HOME", "/.config");
  d.data_home = xdg("XDG_DATA_HOME", "/.local/share");
  d.runtime_dir = env_or_empty("XDG_RUNTIME_DIR");
  return d;
}

LoadContext load_context(const UserDirs& dirs, const std::string& instance) {
  return LoadContext{dirs.home, dirs.data_home, instance};
}

std::vector<std::string> definition_search_dirs(const UserDirs& dirs) {
  return {dirs.config_home + "/box/containers", "/etc/box/containers",
          "/usr/share/box/containers"};
}

std::vector<DefinitionFile> list_definition_files(const std::vector<std::string>& search_dirs) {
  std::map<std::string, std::string> found;  // name -> path; first (highest) dir wins
  for (const auto& dir : search_dirs) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string file = it->path().filename().string();
      if (file.size() <= kSuffix.size() || !file.ends_with(kSuffix)) continue;
      std::error_code type_ec;
      if (!it->is_regular_file(type_ec)) continue;  // follows symlinks, as systemd does
      std::string name = file.substr(0, file.size() - kSuffix.size());
      found.emplace(std::move(name), it->path().string());
    }
  }
  std::vector<DefinitionFile> out;
  out.reserve(found.size());
  for (auto& [name, path] : found) out.push_back({name, path});
  return out;
}

Result<std::string> find_definition_file(const std::vector<std::string>& search_dirs,
                                         const std::string& name) {
  if (!is_valid_container_name(name))
    return Error("invalid container name '" + name + "'");
  std::string looked;
  for (const auto& dir : search_dirs) {
    std::string path = dir + "/" + name + std::string(kSuffix);
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return path;
    looked += (looked.empty() ? "" : ", ") + path;
  }
  return Error("no definition for container '" + name + "' (looked for " + looked + ")");
}

}  // namespace box
