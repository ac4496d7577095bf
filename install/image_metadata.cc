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
  // An object's keys come out sorted, whatever the order they are set in.
  nlohmann::json j = nlohmann::json::object();
  for (const auto& f : kImageTexts) j[f.key] = m.*f.member;
  for (const auto& f : kImageFlags) j[f.key] = m.*f.member;
  for (const auto& f : kImageLists) j[f.key] = m.*f.member;
  for (const auto& f : kImageCounts) j[f.key] = m.*f.member;
  j["labels"] = m.labels;
  j["created"] = created_to_json(m.created);
  j["changes"] = changes_to_json(m.changes);
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
    // The one key an image.json cannot lack.
    m.name = j.at("name").get<std::string>();
    for (const auto& f : kImageTexts) m.*f.member = j.value(f.key, std::string());
    for (const auto& f : kImageFlags) m.*f.member = j.value(f.key, false);
    for (const auto& f : kImageLists) m.*f.member = j.value(f.key, std::vector<std::string>{});
    for (const auto& f : kImageCounts) m.*f.member = j.value(f.key, std::uint64_t{0});
    m.labels = j.value("labels", std::map<std::string, std::string>{});
    // An entry without its inode is not a record: never acted on.
    if (j.contains("created"))
      for (const auto& c : j.at("created"))
        if (c.contains("dev") && c.contains("ino"))
          m.created.push_back({c.at("path").get<std::string>(), c.at("kind").get<std::string>(),
                               c.at("dev").get<std::uint64_t>(), c.at("ino").get<std::uint64_t>()});
    if (j.contains("changes"))
      for (const auto& c : j.at("changes"))
        m.changes.push_back({c.value("kind", ""), c.value("path", ""), c.value("detail", "")});
    return m;
  } catch (const nlohmann::json::exception& e) {
    return Error(what + ": " + e.what());
  }
}

}  // namespace box::install
