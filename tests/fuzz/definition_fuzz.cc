// libFuzzer target: definition YAML -> Definition (core/model/definition_loader.h),
// the text a user, a template or an installed image's draft gives box, and
// the same text as a pod file (core/model/pod_loader.h). The input is the
// main file; a NUL byte starts a drop-in fragment applied over it, as
// NAME.yaml.d/*.yaml are. Any result is fine; a crash, a sanitizer report
// or an exception escaping a loader is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/model/definition_loader.h"
#include "core/model/pod_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<box::DefinitionSource> sources;
  const std::size_t nul = input.find('\0');
  sources.push_back({"/home/user/.config/box/fuzz@.yaml", input.substr(0, nul)});
  if (nul != std::string::npos)
    sources.push_back({"/home/user/.config/box/fuzz@.yaml.d/10-fuzz.yaml", input.substr(nul + 1)});
  const box::LoadContext ctx{"/home/user", "/home/user/.local/share", "blue"};
  auto d = box::parse_definition_sources(sources, "fuzz@blue", ctx);
  if (!d) (void)d.error().message();
  auto pod = box::parse_pod_sources(sources, "fuzz");
  if (!pod) (void)pod.error().message();
  return 0;
}
