// Where box looks for things: XDG base directories, the definition search
// path, and which files make up a container's definition (main file,
// template, drop-in fragments). The XDG directories ($HOME, $XDG_*_HOME,
// $XDG_RUNTIME_DIR, $BOX_CONTAINERS_PATH) are read from the environment
// here, for every program; what else box-run's plan depends on ($PATH,
// $BOX_NETWORK_HELPER, $NOTIFY_SOCKET) is read in
// core/runtime/runtime_facts.cc. docs/definitions.md ("Where definitions
// live") describes the rules below for users.
#pragma once

#include <string>
#include <vector>

#include "core/model/definition_loader.h"
#include "core/model/pod_loader.h"
#include "core/sys/result.h"

namespace box {

struct UserDirs {
  std::string home;         // $HOME, else the passwd entry
  std::string config_home;  // $XDG_CONFIG_HOME, else ~/.config
  std::string data_home;    // $XDG_DATA_HOME, else ~/.local/share
  std::string runtime_dir;  // $XDG_RUNTIME_DIR; may be empty outside a session
  uid_t uid = 0;            // getuid(): %U in definitions
  // $BOX_CONTAINERS_PATH: colon-separated dirs that replace the search path
  // (empty: the default one). For tests and unusual layouts.
  std::string containers_path{};
};

Result<UserDirs> user_dirs_from_environment();

// What the definition loader needs to know of the user.
LoadContext load_context(const UserDirs& dirs, const std::string& instance = "");

// Highest priority first: the user's own, then the admin's, then shipped.
std::vector<std::string> definition_search_dirs(const UserDirs& dirs);

// The files one container is made of, resolved like systemd resolves a unit:
// - the main file is NAME.yaml from the highest-priority dir that has one
//   (the same name lower down is overridden); for an instance "web@blue"
//   without a web@blue.yaml anywhere, it is the template web@.yaml;
// - a main file that is a symlink to /dev/null masks the container;
// - fragments are the *.yaml files in NAME.yaml.d/ (and, for an instance,
//   TEMPLATE@.yaml.d/) of every search dir, sorted by file name; a fragment
//   in a higher-priority dir (or the instance's dir over the template's in
//   the same dir) hides one of the same file name lower down, and a fragment
//   that is a symlink to /dev/null removes that name altogether.
struct DefinitionFile {
  std::string name;  // "etcd", "web@blue"; "web@" for a bare template
  std::string path;  // the main file; empty when masked
  // Initialised, so that DefinitionFile{name, path} stays warning-free.
  std::vector<std::string> fragments{};   // drop-ins to apply over it, in order
  std::vector<std::string> overridden{};  // same-named main files lower down, ignored
  std::string masked_by{};                // the /dev/null symlink that masks it, if any
};

// The files for `name` ("etcd" or "web@blue"). A masked container resolves
// (masked_by set); a name nothing defines is an error listing where it looked.
Result<DefinitionFile> resolve_definition(const std::vector<std::string>& search_dirs,
                                          const std::string& name);

// Loads what resolve_definition() (or scan_definitions()) found, with its
// fragments; masked is an error saying which file masks it.
Result<Definition> load_resolved_definition(const DefinitionFile& files, const LoadContext& ctx);
// The texts load_resolved_definition() parses (masked is an error).
Result<std::vector<DefinitionSource>> read_resolved_sources(const DefinitionFile& files);

// Resolves `name` and loads it with its fragments: what `box-run start NAME`
// runs, what the generator turned into box@NAME.service and what the
// manager shows. Masked is an error.
Result<Definition> load_container_definition(const std::vector<std::string>& search_dirs,
                                             const std::string& name, const LoadContext& ctx);
// The same, with every error of the files (boxctl validate NAME).
DefinitionCheck check_container_definition(const std::vector<std::string>& search_dirs,
                                           const std::string& name, const LoadContext& ctx);

// For a definition file given by path (box-run validate FILE): the *.yaml
// fragments in FILE.d/ beside it, sorted by file name, masks left out.
std::vector<std::string> fragments_beside(const std::string& main_file);

// A template with no declared instance is checked as if instantiated with
// this instance name, so its errors surface before anyone starts it.
inline constexpr const char* kTemplateCheckInstance = "instance";

// A definition file given by path (`box-run validate FILE`, `boxctl
// validate FILE`), loaded as the search path would load it: the container
// name is the file name without ".yaml" (a template NAME@.yaml is loaded
// as the instance NAME@instance), with the fragments in FILE.d/ beside it.
Result<Definition> load_definition_at(const std::string& file, const LoadContext& ctx);
// The same, with every error of the files (boxctl validate FILE).
DefinitionCheck check_definition_at(const std::string& file, const LoadContext& ctx);

struct DefinitionProblem {
  std::string name;  // as written in the file name
  std::string path;  // the offending file or directory
  std::string message;
};

// Everything in the search dirs, from one listing of each dir.
struct DefinitionScan {
  // Plain containers and declared template instances, sorted by name.
  // An instance "web@blue" is declared by a web@blue.yaml (often a symlink
  // to web@.yaml) or a web@blue.yaml.d/ directory in any search dir.
  // Masked containers are included (masked_by set).
  std::vector<DefinitionFile> containers;
  // Templates without any declared instance: name "web@", resolved as the
  // instance kTemplateCheckInstance would be.
  std::vector<DefinitionFile> templates;
  // Files and dirs that cannot become a container: bad names, drop-ins for
  // a definition that does not exist. Sorted by name.
  std::vector<DefinitionProblem> problems;
  // Every NAME.yaml.d directory in the search dirs (full paths), for
  // watchers: a fragment added to one changes a definition.
  std::vector<std::string> dropin_dirs;
};

DefinitionScan scan_definitions(const std::vector<std::string>& search_dirs);

// Compatibility view of scan_definitions(): the unmasked containers.
std::vector<DefinitionFile> list_definition_files(const std::vector<std::string>& search_dirs);

// The main file that defines `name` (see resolve_definition), or an error.
Result<std::string> find_definition_file(const std::vector<std::string>& search_dirs,
                                         const std::string& name);

// Pods (pod.h) live beside the containers: a `pods/` directory next to
// each directory of the definition search path (~/.config/box/pods,
// /etc/box/pods, /usr/share/box/pods; beside each of $BOX_CONTAINERS_PATH's
// too), with the same rules of precedence, drop-ins (NAME.yaml.d/) and
// masks, and no templates: a pod's name is a plain name.
std::vector<std::string> pod_search_dirs(const UserDirs& dirs);
// The `pods/` directory beside each of `definition_dirs`, in their order.
std::vector<std::string> pod_dirs_beside(const std::vector<std::string>& definition_dirs);

// The files of pod `name`, resolved as a container's are; a name no pod
// file defines is an error listing where it looked.
Result<DefinitionFile> resolve_pod(const std::vector<std::string>& pod_dirs,
                                   const std::string& name);
// Its texts (masked: an error saying by what).
Result<std::vector<DefinitionSource>> read_pod_sources(const DefinitionFile& files);
// Loaded: every error (check), or the pod or its first error (load).
PodCheck check_resolved_pod(const DefinitionFile& files);
Result<PodDefinition> load_resolved_pod(const DefinitionFile& files);
// Resolved and loaded: what `box-run pod NAME` and a member's start read.
Result<PodDefinition> load_pod(const std::vector<std::string>& pod_dirs, const std::string& name);
// A pod file given by path (`boxctl validate FILE` in a pods/ directory),
// with the drop-ins in FILE.d/ beside it.
PodCheck check_pod_at(const std::string& file);

struct PodScan {
  std::vector<DefinitionFile> pods;  // sorted by name, masked ones included
  // Misnamed files (templates, instances), drop-ins without a pod.
  std::vector<DefinitionProblem> problems;
  std::vector<std::string> dropin_dirs;
};

// Every pod in the pod dirs, from one listing of each.
PodScan scan_pods(const std::vector<std::string>& pod_dirs);

}  // namespace box
