#include "container_registry.h"

#include "definition_loader.h"
#include "paths.h"

namespace box::manager {
namespace {

ContainerInfo describe(const DefinitionFile& file, const std::string& home) {
  ContainerInfo info{file.name, file.path, "", false, ""};
  auto def = load_definition_file(file.path, file.name, home);
  if (def) {
    info.valid = true;
    info.description = def->description;
  } else {
    info.error = def.error().message();
  }
  return info;
}

}  // namespace

ContainerRegistry::ContainerRegistry(std::vector<std::string> search_dirs, std::string home)
    : search_dirs_(std::move(search_dirs)), home_(std::move(home)) {}

std::vector<ContainerInfo> ContainerRegistry::list() const {
  std::vector<ContainerInfo> out;
  for (const auto& file : list_definition_files(search_dirs_)) out.push_back(describe(file, home_));
  return out;
}

std::optional<ContainerInfo> ContainerRegistry::find(const std::string& name) const {
  auto path = find_definition_file(search_dirs_, name);
  if (!path) return std::nullopt;
  return describe(DefinitionFile{name, *path}, home_);
}

}  // namespace box::manager
