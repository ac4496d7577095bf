#include "install_bus_types.h"

#include <cstdint>
#include <vector>

namespace box::manager {
namespace {

using Strings = std::vector<std::string>;
using Labels = std::map<std::string, std::string>;

template <typename T>
T get(const VariantMap& m, const std::string& key, T fallback = T{}) {
  auto it = m.find(key);
  if (it == m.end() || !it->second.containsValueOfType<T>()) return fallback;
  return it->second.get<T>();
}

}  // namespace

Result<install::InstallOptions> install_options_from(const VariantMap& options) {
  install::InstallOptions out;
  for (const auto& [key, value] : options) {
    if (key == "replace") {
      if (!value.containsValueOfType<bool>())
        return Error("option 'replace' must be a boolean (b), not '" + value.peekValueType() + "'");
      out.replace = value.get<bool>();
    } else if (key == "set") {
      if (!value.containsValueOfType<Labels>())
        return Error("option 'set' must be a dictionary of strings (a{ss}), not '" +
                     value.peekValueType() + "'");
      for (const auto& kv : value.get<Labels>()) out.set.push_back(kv);
    } else if (key == "max_size") {
      if (!value.containsValueOfType<std::uint64_t>())
        return Error("option 'max_size' must be a number of bytes (t), not '" +
                     value.peekValueType() + "'");
      out.max_size = value.get<std::uint64_t>();
      if (out.max_size == 0) return Error("option 'max_size' must be more than 0 bytes");
    } else {
      return Error("unknown option '" + key + "' (known: replace, set, max_size)");
    }
  }
  return out;
}

VariantMap install_options_to(const install::InstallOptions& options) {
  VariantMap out;
  if (options.replace) out["replace"] = sdbus::Variant(true);
  if (!options.set.empty()) {
    Labels set;
    for (const auto& [k, v] : options.set) set[k] = v;  // a later --set wins
    out["set"] = sdbus::Variant(set);
  }
  if (options.max_size) out["max_size"] = sdbus::Variant(std::uint64_t{options.max_size});
  return out;
}

VariantMap image_info(const install::InstalledImage& m) {
  return {
      {"name", sdbus::Variant(m.name)},
      {"source", sdbus::Variant(m.source)},
      {"source_kind", sdbus::Variant(m.source_kind)},
      {"digest", sdbus::Variant(m.digest)},
      {"installed_at", sdbus::Variant(m.installed_at)},
      {"image_dir", sdbus::Variant(m.image_dir)},
      {"rootfs", sdbus::Variant(m.rootfs)},
      {"definition", sdbus::Variant(m.definition)},
      {"id_mapping", sdbus::Variant(m.id_mapping)},
      {"owners_kept", sdbus::Variant(m.owners_kept)},
      {"atomic_exports", sdbus::Variant(m.atomic_exports)},
      {"data_dirs", sdbus::Variant(m.data_dirs)},
      {"runtime_dirs", sdbus::Variant(m.runtime_dirs)},
      {"host_files", sdbus::Variant(m.host_files)},
      {"tmpfiles", sdbus::Variant(m.tmpfiles)},
      {"warnings", sdbus::Variant(m.warnings)},
      {"labels", sdbus::Variant(m.labels)},
      {"exposed_ports", sdbus::Variant(m.exposed_ports)},
      {"layers", sdbus::Variant(std::uint64_t{m.layers})},
      {"bytes_unpacked", sdbus::Variant(std::uint64_t{m.bytes_unpacked})},
      {"devices_skipped", sdbus::Variant(std::uint64_t{m.devices_skipped})},
  };
}

install::InstalledImage image_from_info(const VariantMap& info) {
  install::InstalledImage m;
  m.name = get<std::string>(info, "name");
  m.source = get<std::string>(info, "source");
  m.source_kind = get<std::string>(info, "source_kind");
  m.digest = get<std::string>(info, "digest");
  m.installed_at = get<std::string>(info, "installed_at");
  m.image_dir = get<std::string>(info, "image_dir");
  m.rootfs = get<std::string>(info, "rootfs");
  m.definition = get<std::string>(info, "definition");
  m.id_mapping = get<std::string>(info, "id_mapping");
  m.owners_kept = get<bool>(info, "owners_kept");
  m.atomic_exports = get<bool>(info, "atomic_exports");
  m.data_dirs = get<Strings>(info, "data_dirs");
  m.runtime_dirs = get<Strings>(info, "runtime_dirs");
  m.host_files = get<Strings>(info, "host_files");
  m.tmpfiles = get<std::string>(info, "tmpfiles");
  m.warnings = get<Strings>(info, "warnings");
  m.labels = get<Labels>(info, "labels");
  m.exposed_ports = get<Strings>(info, "exposed_ports");
  m.layers = get<std::uint64_t>(info, "layers");
  m.bytes_unpacked = get<std::uint64_t>(info, "bytes_unpacked");
  m.devices_skipped = get<std::uint64_t>(info, "devices_skipped");
  return m;
}

}  // namespace box::manager
