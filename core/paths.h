// Where box looks for things: XDG base directories and the definition search
// path. Reading the environment happens here and nowhere else in core.
#pragma once

#include <string>
#include <vector>

#include "definition_loader.h"
#include "result.h"

namespace box {

struct UserDirs {
  std::string home;         // $HOME, else the passwd entry
  std::string config_home;  // $XDG_CONFIG_HOME, else ~/.config
  std::string data_home;    // $XDG_DATA_HOME, else ~/.local/share
  std::string runtime_dir;  // $XDG_RUNTIME_DIR; may be empty outside a session
};

Result<UserDirs> user_dirs_from_environment();

// What the definition loader needs to know of the user.
LoadContext load_context(const UserDirs& dirs, const std::string& instance = "");

// Highest priority first: the user's own, then the admin's, then shipped.
std::vector<std::string> definition_search_dirs(const UserDirs& dirs);

struct DefinitionFile {
  std::string name;  // container name (file name without ".yaml")
  std::string path;
};

// Every NAME.yaml in the search dirs, one per name (a higher-priority dir
// wins), sorted by name. Missing dirs are fine; unreadable ones are skipped.
std::vector<DefinitionFile> list_definition_files(const std::vector<std::string>& search_dirs);

// The file that defines `name`, or an error listing where it looked.
Result<std::string> find_definition_file(const std::vector<std::string>& search_dirs,
                                         const std::string& name);

}  // namespace box
