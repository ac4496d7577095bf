#include "install/image_metadata.h"

#include <nlohmann/json.hpp>

namespace box::install {

std::string metadata_to_json(const InstalledImage& m) {
  nlohmann::json j = {
      {"name", m.name},
      {"source", m.source},
      {"source_kind", m.source_kind},
      {"digest", m.digest},
      {"installed_at", m.installed_at},
      {"image_dir", m.image_dir},
      {"rootfs", m.rootfs},
      {"definition", m.definition},
      {"id_mapping", m.id_mapping},
      {"owners_kept", m.owners_kept},
      {"atomic_exports", m.atomic_exports},
      {"data_dirs", m.data_dirs},
      {"runtime_dirs", m.runtime_dirs},
      {"host_files", m.host_files},
      {"tmpfiles", m.tmpfiles},
      {"warnings", m.warnings},
      {"labels", m.labels},
      {"exposed_ports", m.exposed_ports},
      {"layers", m.layers},
      {"bytes_unpacked", m.bytes_unpacked},
      {"devices_skipped", m.devices_skipped},
  };
  return j.dump(2) + "\n";
}

Result<InstalledImage> metadata_from_json(std::string_view text, const std::string& what) {
  try {
    auto j = nlohmann::json::parse(text);
    InstalledImage m;
    m.name = j.at("name").get<std::string>();
    m.source = j.value("source", "");
    m.source_kind = j.value("source_kind", "");
    m.digest = j.value("digest", "");
    m.installed_at = j.value("installed_at", "");
    m.image_dir = j.value("image_dir", "");
    m.rootfs = j.value("rootfs", "");
    m.definition = j.value("definition", "");
    m.id_mapping = j.value("id_mapping", "");
    m.owners_kept = j.value("owners_kept", false);
    m.atomic_exports = j.value("atomic_exports", false);
    m.data_dirs = j.value("data_dirs", std::vector<std::string>{});
    m.runtime_dirs = j.value("runtime_dirs", std::vector<std::string>{});
    m.host_files = j.value("host_files", std::vector<std::string>{});
    m.tmpfiles = j.value("tmpfiles", "");
    m.warnings = j.value("warnings", std::vector<std::string>{});
    m.labels = j.value("labels", std::map<std::string, std::string>{});
    m.exposed_ports = j.value("exposed_ports", std::vector<std::string>{});
    m.layers = j.value("layers", std::uint64_t{0});
    m.bytes_unpacked = j.value("bytes_unpacked", std::uint64_t{0});
    m.devices_skipped = j.value("devices_skipped", std::uint64_t{0});
    return m;
  } catch (const nlohmann::json::exception& e) {
    return Error(what + ": " + e.what());
  }
}

}  // namespace box::install
