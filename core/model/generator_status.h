// $XDG_RUNTIME_DIR/box/generator-status.json: box-user-generator's verdict
// on every definition at the last daemon-reload, so box-manager and boxctl
// can say why a box has no unit settings (the complaint quadlet users have
// most: a rejected file nobody hears of). The format's one owner: the
// generator writes it with format_generator_status(), the manager reads it
// with parse_generator_status(). Pure. Format in docs/generator.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/sys/result.h"

namespace box {

inline constexpr int kGeneratorStatusVersion = 1;

struct GeneratorStatusEntry {
  std::string name;
  std::string kind;  // "container", "template", "masked", "problem", "pod", "masked-pod"
  bool ok = false;
  std::string unit;  // box@NAME.service, for a container; box-pod@NAME.service, for a pod
  std::string path;  // the main file (the mask for "masked")
  std::vector<std::string> fragments{};
  std::vector<std::string> overrides{};  // same-named files lower down, ignored
  std::string error{};                   // why not ok
  std::vector<std::string> warnings{};

  bool operator==(const GeneratorStatusEntry&) const = default;
};

// "" when there is no runtime dir.
std::string generator_status_path(const std::string& runtime_dir);

// Deterministic (in the order given, no timestamps).
std::string format_generator_status(const std::vector<GeneratorStatusEntry>& entries);

// Exactly what format_generator_status() writes, version 1; anything else
// is an error saying what is wrong.
Result<std::vector<GeneratorStatusEntry>> parse_generator_status(std::string_view text);

}  // namespace box
