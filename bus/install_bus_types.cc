#include "bus/install_bus_types.h"

#include <cstdint>
#include <vector>

namespace box::manager {
namespace {

using Strings = std::vector<std::string>;
using Labels = std::map<std::string, std::string>;
using Changes = std::vector<std::map<std::string, std::string>>;

template <typename T>
T get(const VariantMap& m, const std::string& key, T fallback = T{}) {
  auto it = m.find(key);
  if (it == m.end() || !it->second.containsValueOfType<T>()) return fallback;
  return it->second.get<T>();
}

}  // namespace

Result<install::InstallOptions> install_options_from(const VariantMap& options) {
  install::InstallOptions out;
  auto flag = [](const std::string& key, const sdbus::Variant& value, bool& to) -> Result<void> {
    if (!value.containsValueOfType<bool>())
      return Error("option '" + key + "' must be a boolean (b), not '" + value.peekValueType() +
                   "'");
    to = value.get<bool>();
    return {};
  };
  auto strings = [](const std::string& key, const sdbus::Variant& value,
                    Strings& to) -> Result<void> {
    if (!value.containsValueOfType<Strings>())
      return Error("option '" + key + "' must be a list of strings (as), not '" +
                   value.peekValueType() + "'");
    to = value.get<Strings>();
    return {};
  };
  for (const auto& [key, value] : options) {
    Result<void> r;
    if (key == "replace") {
      r = flag(key, value, out.replace);
    } else if (key == "dry_run") {
      r = flag(key, value, out.dry_run);
    } else if (key == "allow_autostart") {
      r = flag(key, value, out.allow_autostart);
    } else if (key == "allow_bind") {
      r = strings(key, value, out.allow_binds);
    } else if (key == "allow_host_file") {
      r = strings(key, value, out.allow_host_files);
    } else if (key == "allow_host_namespace") {
      r = strings(key, value, out.allow_host_namespaces);
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
      return Error("unknown option '" + key +
                   "' (known: replace, set, max_size, dry_run, allow_bind, allow_host_file, "
                   "allow_host_namespace, allow_autostart)");
    }
    if (!r) return r.error();
  }
  return out;
}

VariantMap install_options_to(const install::InstallOptions& options) {
  VariantMap out;
  if (options.replace) out["replace"] = sdbus::Variant(true);
  if (options.dry_run) out["dry_run"] = sdbus::Variant(true);
  if (options.allow_autostart) out["allow_autostart"] = sdbus::Variant(true);
  if (!options.allow_binds.empty()) out["allow_bind"] = sdbus::Variant(options.allow_binds);
  if (!options.allow_host_files.empty())
    out["allow_host_file"] = sdbus::Variant(options.allow_host_files);
  if (!options.allow_host_namespaces.empty())
    out["allow_host_namespace"] = sdbus::Variant(options.allow_host_namespaces);
  if (!options.set.empty()) {
    Labels set;
    for (const auto& [k, v] : options.set) set[k] = v;  // a later --set wins
    out["set"] = sdbus::Variant(set);
  }
  if (options.max_size) out["max_size"] = sdbus::Variant(std::uint64_t{options.max_size});
  return out;
}

VariantMap image_info(const install::InstalledImage& m) {
  Changes changes;
  for (const auto& c : m.changes)
    changes.push_back({{"kind", c.kind}, {"path", c.path}, {"detail", c.detail}});
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
      {"changes", sdbus::Variant(changes)},
      {"refused", sdbus::Variant(m.refused)},
      {"dry_run", sdbus::Variant(m.dry_run)},
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
  for (const auto& c : get<Changes>(info, "changes")) {
    auto at = [&](const char* k) {
      auto it = c.find(k);
      return it == c.end() ? std::string() : it->second;
    };
    m.changes.push_back({at("kind"), at("path"), at("detail")});
  }
  m.refused = get<Strings>(info, "refused");
  m.dry_run = get<bool>(info, "dry_run");
  m.warnings = get<Strings>(info, "warnings");
  m.labels = get<Labels>(info, "labels");
  m.exposed_ports = get<Strings>(info, "exposed_ports");
  m.layers = get<std::uint64_t>(info, "layers");
  m.bytes_unpacked = get<std::uint64_t>(info, "bytes_unpacked");
  m.devices_skipped = get<std::uint64_t>(info, "devices_skipped");
  return m;
}

}  // namespace box::manager
