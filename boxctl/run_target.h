// What `boxctl run TARGET` runs: an installed image (or any container by
// its name: its definition, as box@NAME.service would run it), a root
// filesystem (box-run run's defaults), or an OCI runtime bundle
// (config.json + rootfs, translated as `boxctl install` translates it).
#pragma once

#include <string>
#include <vector>

#include "core/model/definition.h"
#include "core/model/definition_loader.h"
#include "core/model/paths.h"
#include "core/sys/result.h"

namespace box::boxctl {

struct RunTarget {
  enum class Kind { kImage, kRootfs, kBundle };
  Kind kind = Kind::kRootfs;
  Definition def;                     // before the command line's options
  std::vector<std::string> warnings;  // what a bundle's config.json asks that box does not do
  std::vector<DefinitionSource> sources;  // an image's: its definition's files, as read
  // A bundle's: "pid", "ipc", the host's namespaces its config.json asks
  // for (by leaving them out), and that config.json's path.
  std::vector<std::string> host_namespaces;
  std::string config;
};

// `target`: a path when it has a '/' or is "." or ".."; else the name of
// an installed image or container, or a directory of that name in `cwd`
// when nothing of that name is defined. A relative path is taken from
// `cwd`.
Result<RunTarget> resolve_run_target(const std::string& target, const UserDirs& dirs,
                                     const std::string& cwd);

// A bundle's config.json is untrusted (docs/security.md): the host's pid
// or ipc namespace it asks for runs only when the user named it too
// (`shared`: the values of --share given), as `boxctl install` asks for
// --allow-host-namespace. An error names the option that allows it.
Result<void> check_host_namespaces(const RunTarget& target, const std::vector<std::string>& shared);

}  // namespace box::boxctl
