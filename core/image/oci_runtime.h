// OCI runtime bundle config (config.json, runtime-spec 1.x) -> definition.
// Pure. What a definition can say is translated; what box cannot honour
// rootless (or has no key for) is listed in `warnings`, one line per field,
// never silently dropped.
#pragma once

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

// `bundle_dir` resolves relative mount sources.
Result<RuntimeTranslation> translate_runtime_config(std::string_view json, const std::string& what,
                                                    const std::string& bundle_dir);

// The capabilities a definition gets when it names none (docs/architecture.md).
const std::vector<std::string>& default_capabilities();

}  // namespace box::image
