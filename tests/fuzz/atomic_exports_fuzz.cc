// libFuzzer target: the Atomic exports renderer (core/image/atomic_exports.h)
// as the installer drives it: manifest.json, then service.template and
// tmpfiles.template substituted with the manifest's defaults and box's forced
// values, the unit applied to a draft, the tmpfiles lines parsed and the
// renamed hostfs paths placed. The input is those three texts separated by
// a line "%%" (missing parts are empty).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/image/atomic_exports.h"

namespace {

std::vector<std::string> split_parts(const std::string& input) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t sep = input.find("\n%%\n", start);
    if (sep == std::string::npos) break;
    parts.push_back(input.substr(start, sep - start));
    start = sep + 4;
  }
  parts.push_back(input.substr(start));
  parts.resize(3);
  return parts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace box::image;
  const auto parts = split_parts(std::string(reinterpret_cast<const char*>(data), size));
  AtomicManifest manifest;
  if (auto m = parse_atomic_manifest(parts[0], "manifest.json")) manifest = std::move(*m);
  const TemplateValues forced = {{"NAME", "fuzz"},
                                 {"DESTDIR", "/home/user/.local/share/box/images/fuzz"},
                                 {"EXEC_START", "/usr/libexec/box/box-run start fuzz"},
                                 {"EXEC_STOP", "/bin/kill -s TERM $MAINPID"},
                                 {"HOST_UID", "1000"},
                                 {"HOST_GID", "1000"},
                                 {"RUN_DIRECTORY", "/run/user/1000/box/fuzz"},
                                 {"STATE_DIRECTORY", "/home/user/.local/state/box/fuzz"}};
  const TemplateValues values = merge_values(manifest.default_values, {{"SET", "x"}}, forced);
  const UserLocations where{"/home/user", "/home/user/.config/box/etc", "/home/user/.local/share"};

  for (const auto& [from, to] : manifest.rename_files) {
    auto renamed = substitute(to, values, "manifest.json renameFiles");
    if (renamed) (void)hostfs_destination(from, where);
    if (renamed && !renamed->empty()) (void)hostfs_destination(renamed->substr(1), where);
  }
  if (auto unit = substitute(parts[1], values, "service.template")) {
    DefinitionDraft draft;
    std::vector<std::string> warnings;
    (void)apply_service_template(*unit, forced.at("EXEC_START"), forced.at("EXEC_STOP"), draft,
                                 warnings, "service.template");
  }
  if (auto conf = substitute(parts[2], values, "tmpfiles.template")) {
    if (auto entries = parse_tmpfiles(*conf, "tmpfiles.template"))
      for (const auto& e : *entries)
        if (!e.path.empty()) (void)hostfs_destination(e.path.substr(1), where);
  }
  return 0;
}
