// The container definition: what a user writes in NAME.yaml, validated.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace box {

struct Definition {
  std::string name;         // from the file name: etcd.yaml -> "etcd"
  std::string source_path;  // the YAML file it was read from
  std::string description;  // may be empty
  std::string rootfs;       // absolute host path ('~' already expanded)
  std::vector<std::string> command;                          // argv, non-empty
  std::vector<std::pair<std::string, std::string>> env;      // in file order
};

// Container names become unit instance names (box@NAME.service) and file
// names, so they are restricted to characters that need no escaping anywhere.
bool is_valid_container_name(const std::string& name);

}  // namespace box
