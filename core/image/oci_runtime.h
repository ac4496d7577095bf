// OCI runtime bundle config (config.json, runtime-spec 1.x) -> definition.
// Pure. What a definition can say is translated; what box cannot honour
// rootless (or has no key for) is listed in `warnings`, one line per field,
// never silently dropped.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/image/definition_draft.h"
#include "core/sys/result.h"

namespace box::image {

struct RuntimeTranslation {
  DefinitionDraft draft;  // rootfs/image left empty: the installer sets it
  std::string root_path;  // root.path, relative to the bundle or absolute
  std::vector<std::string> warnings;
  std::map<std::string, std::string> annotations;
};

// Where `path` of the bundle's root filesystem `root_path` (root.path as
// written) leads, symlinks resolved as in the container; empty when it is
// not there. The installer's look into the rootfs, so that the translation
// itself stays pure: it tells whether a command of /sbin/init is systemd.
using ResolveInRootfs =
    std::function<std::string(const std::string& root_path, const std::string& path)>;

// `bundle_dir` resolves relative mount sources. Without `resolve`, a
// command of /sbin/init is not taken for systemd (there is no telling).
Result<RuntimeTranslation> translate_runtime_config(std::string_view json, const std::string& what,
                                                    const std::string& bundle_dir,
                                                    const ResolveInRootfs& resolve = {});

// The capabilities a definition gets when it names none (docs/architecture.md).
const std::vector<std::string>& default_capabilities();

}  // namespace box::image
