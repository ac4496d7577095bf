// Which containers exist: the definitions on disk, each with its verdict.
// Plain C++ (no D-Bus) so it is testable on its own.
#pragma once

#include <sys/stat.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model/definition_loader.h"
#include "core/model/paths.h"
#include "manager/directory_watch.h"

namespace box::manager {

struct ContainerInfo {
  std::string name;
  std::string definition_path;  // the main file; for a masked one, the mask
  std::string description;
  std::string rootfs;
  std::string image;
  bool valid = false;
  std::string error;  // why the definition cannot be used
  // What it may reach on the buses (nullopt: no bus at all).
  std::optional<BusRules> session_bus, system_bus;
  // The host devices it is given (their paths) and whether it keeps the
  // caller's groups.
  std::vector<std::string> devices;
  bool keep_groups = false;
  // The session's sockets it is given (`session:` keys that are true).
  std::vector<std::string> session;
  std::string app_id;  // "" : none
  std::string pod;     // "" : none

  bool operator==(const ContainerInfo&) const = default;
};

// Definitions are found and loaded as box-user-generator and `box-run start`
// do (core's paths.h): precedence, templates and their instances, drop-in
// fragments, masks. So what the manager shows is what the unit runs.
class ContainerRegistry {
 public:
  // `generator_status` is the generator's status file ("" when there is no
  // runtime directory).
  // `start_records` is where box-run start keeps what each running box was
  // started from (core's instance_lock.h; "" when there is none).
  ContainerRegistry(std::vector<std::string> search_dirs, LoadContext context,
                    std::string generator_status, std::string start_records = "");

  // The definitions as they are on disk now, masked ones included (invalid,
  // saying what masks them): the directories and drop-in directories are
  // scanned again whenever inotify says they may have changed (or cannot
  // say), and a definition is parsed again only when one of its files
  // changed (which files, or their inode, size, mtime or ctime). Nothing
  // else is kept: the files are the state.
  std::vector<ContainerInfo> list();
  std::optional<ContainerInfo> find(const std::string& name);
  // What the next start of `name` does, for a box whose supervisor is
  // `main_pid` (0: not running): next_start.h.
  std::string next_start(const std::string& name, std::uint32_t main_pid) const;
  // Where `name` was looked for, for "no such container" messages.
  std::string not_found_detail(const std::string& name) const;
  // Where pods are: beside the definition search dirs (paths.h).
  std::vector<std::string> pod_dirs() const { return pod_dirs_beside(search_dirs_); }

 private:
  struct Stamp {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = -1;
    timespec mtime{};
    timespec ctime{};
    bool operator==(const Stamp& o) const;
  };
  struct Cached {
    std::vector<std::string> files;  // the main file, then the fragments
    std::vector<Stamp> stamps;       // of each of `files`
    ContainerInfo info;
  };

  Stamp stamp_of(const std::string& path);
  ContainerInfo describe(const DefinitionFile& files);
  // True when the verdicts changed.
  bool load_generator_verdicts();
  void apply_generator_verdict(ContainerInfo& info) const;

  std::vector<std::string> search_dirs_;
  LoadContext context_;
  std::string generator_status_;
  std::string start_records_;
  std::map<std::string, Cached> cache_;  // by container name
  Stamp status_stamp_;
  std::map<std::string, std::string> verdicts_;
  DirectoryWatch watch_;
  std::vector<ContainerInfo> last_scan_;
  // A definition or fragment reached through a symlink changes without an
  // event in a watched directory: then every list() scans.
  bool has_symlinks_ = false;
};

}  // namespace box::manager
