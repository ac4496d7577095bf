// YAML -> PodDefinition, as definition_loader.h reads a box: the main file,
// then its drop-ins (NAME.yaml.d/*.yaml) key by key, the rules across keys
// last; every error is "file:line:column: 'key': problem", all of them in
// one round. Pure: texts in, a pod or its errors out. Pod files take no
// specifiers (no key of theirs names a path or the session).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/model/definition_loader.h"
#include "core/model/pod.h"
#include "core/sys/result.h"

namespace box {

// A pod, or every error of its files, in the order of the files and keys.
struct PodCheck {
  std::optional<PodDefinition> pod;
  std::vector<std::string> errors;
};

// `sources` is the main file first, then fragments in the order to apply;
// `name` the pod's (its file's name without ".yaml").
PodCheck check_pod_sources(const std::vector<DefinitionSource>& sources, const std::string& name);

// The pod, or its first error (saying how many more there are).
Result<PodDefinition> parse_pod_sources(const std::vector<DefinitionSource>& sources,
                                        const std::string& name);

}  // namespace box
