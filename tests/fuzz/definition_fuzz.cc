// libFuzzer target: definition YAML -> Definition (core/model/definition_loader.h),
// the text a user, a template or an installed image's draft gives box. The
// input is the main file; a NUL byte starts a drop-in fragment applied over
// it, as NAME.yaml.d/*.yaml are. Any result is fine; a crash, a sanitizer
// report or an exception escaping the loader is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/model/definition_loader.h"

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
  return 0;
}
