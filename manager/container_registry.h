// Which containers exist: the definitions on disk, each with its verdict.
// Plain C++ (no D-Bus) so it is testable on its own.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace box::manager {

struct ContainerInfo {
  std::string name;
  std::string definition_path;
  std::string description;
  bool valid = false;
  std::string error;  // why the definition cannot be used
};

class ContainerRegistry {
 public:
  ContainerRegistry(std::vector<std::string> search_dirs, std::string home);

  // Reads the definitions afresh: the files are the state, nothing is cached
  // that could drift from them.
  std::vector<ContainerInfo> list() const;
  std::optional<ContainerInfo> find(const std::string& name) const;

 private:
  std::vector<std::string> search_dirs_;
  std::string home_;
};

}  // namespace box::manager
