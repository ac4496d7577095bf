#include "install/image_metadata.h"

#include <nlohmann/json.hpp>

namespace box::install {

namespace {

nlohmann::json created_to_json(const std::vector<CreatedPath>& list) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : list)
    out.push_back({{"path", c.path}, {"kind", c.kind}, {"dev", c.dev}, {"ino", c.ino}});
  return out;
}

nlohmann::json changes_to_json(const std::vector<HostChange>& list) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : list)
    out.push_back({{"kind", c.kind}, {"path", c.path}, {"detail", c.detail}});
  return out;
}

}  // namespace

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
      {"created", created_to_json(m.created)},
      {"changes", changes_to_json(m.changes)},
      {"refused", m.refused},
      {"dry_run", m.dry_run},
      {"warnings", m.warnings},
      {"labels", m.labels},
      {"exposed_ports", m.exposed_ports},
      {"layers", m.layers},
      {"bytes_unpacked", m.bytes_unpacked},
      {"devices_skipped", m.devices_skipped},
  };
  return j.dump(2) + "\n";
}

Result<std::string> metadata_record(const InstalledImage& m) {
  std::string text = metadata_to_json(m);
  if (text.size() <= kMaxMetadataBytes) return text;
  // The parts an image can make large, each as it is written.
  const std::pair<const char*, std::size_t> parts[] = {
      {"labels", nlohmann::json(m.labels).dump().size()},
      {"exposed ports", nlohmann::json(m.exposed_ports).dump().size()},
      {"host changes",
       changes_to_json(m.changes).dump().size() + nlohmann::json(m.refused).dump().size()},
      {"created paths", created_to_json(m.created).dump().size()},
      {"notes", nlohmann::json(m.warnings).dump().size()},
  };
  std::string what;
  for (const auto& [name, size] : parts)
    if (size > kMaxMetadataBytes / 16)
      what +=
          (what.empty() ? "" : ", ") + std::string(name) + " " + std::to_string(size) + " bytes";
  return Error("its record (image.json) would be " + std::to_string(text.size()) +
               " bytes, more than the " + std::to_string(kMaxMetadataBytes) + " box reads back" +
               (what.empty() ? "" : " (" + what + ")") + ": nothing was installed");
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
    // An entry without its inode is not a record: never acted on.
    if (j.contains("created"))
      for (const auto& c : j.at("created"))
        if (c.contains("dev") && c.contains("ino"))
          m.created.push_back({c.at("path").get<std::string>(), c.at("kind").get<std::string>(),
                               c.at("dev").get<std::uint64_t>(), c.at("ino").get<std::uint64_t>()});
    if (j.contains("changes"))
      for (const auto& c : j.at("changes"))
        m.changes.push_back({c.value("kind", ""), c.value("path", ""), c.value("detail", "")});
    m.refused = j.value("refused", std::vector<std::string>{});
    m.dry_run = j.value("dry_run", false);
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
