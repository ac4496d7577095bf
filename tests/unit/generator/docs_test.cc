// The docs say what the schema (core/model/schema.h) says: every key is in
// docs/definitions.md's key table with what it holds, and no other key is;
// every key is in the man page box.yaml(5), a key that takes a name with
// its names; every mount type is in the mounts table. A key or a name added
// to the schema and not to the docs, or left in the docs after it is gone,
// fails here.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "core/model/devices.h"
#include "core/model/pod.h"
#include "core/model/schema.h"
#include "tests/unit/generator/golden_support.h"

namespace box::generator {
namespace {

std::filesystem::path docs_dir() { return std::filesystem::path(BOX_SOURCE_DIR) / "docs"; }

// The lines of `md` from the heading `from` to the next heading.
std::vector<std::string> section(const std::string& md, const std::string& from) {
  std::vector<std::string> out;
  std::stringstream in(md);
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("#", 0) == 0)
      inside = line == from;
    else if (inside)
      out.push_back(line);
  }
  return out;
}

// The cells of a table row "| a | b |", trimmed, without the markup:
// "`none`, `tiny`" -> "none, tiny", "\|" -> "|".
std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  std::string cell;
  for (std::size_t i = 1; i < row.size(); ++i) {
    if (row[i] == '\\' && i + 1 < row.size() && row[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (row[i] == '|') {
      out.push_back(cell.substr(1, cell.size() - 2));
      cell.clear();
    } else if (row[i] != '`') {
      cell += row[i];
    }
  }
  return out;
}

// First column -> second column of the table rows in a section.
std::map<std::string, std::string> table(const std::string& md, const std::string& heading) {
  std::map<std::string, std::string> out;
  for (const auto& line : section(md, heading)) {
    if (line.rfind("| ", 0) != 0 || line.rfind("| ---", 0) == 0) continue;
    auto c = cells(line);
    if (c.size() >= 2) out[c[0]] = c[1];
  }
  return out;
}

TEST(Docs, DefinitionsMdKeyTableIsTheSchema) {
  const std::string md = read(docs_dir() / "definitions.md");
  ASSERT_FALSE(md.empty());
  auto documented = table(md, "## Keys");
  documented.erase("key");  // the header row
  std::map<std::string, std::string> schema;
  for (const auto& spec : definition_keys()) schema[spec.name] = spec.holds;
  EXPECT_EQ(documented, schema);
}

// docs/pods.md's key table is the pod file's (core/model/pod.h).
TEST(Docs, PodsMdKeyTableIsThePodSchema) {
  const std::string md = read(docs_dir() / "pods.md");
  ASSERT_FALSE(md.empty());
  auto documented = table(md, "### Keys");
  documented.erase("key");  // the header row
  std::map<std::string, std::string> schema;
  for (const auto& spec : pod_keys()) schema[spec.name] = spec.holds;
  EXPECT_EQ(documented, schema);
}

TEST(Docs, EveryKeyIsInTheManPage) {
  const std::string man = read(docs_dir() / "box.yaml.5");
  ASSERT_FALSE(man.empty());
  for (const auto& spec : definition_keys()) {
    // "\fBinit:\fP \fBnone\fP | \fBtiny\fP | \fBsystemd\fP" for a key that
    // takes a name; "\fBrootfs:\fP \fIpath\fP" for the others.
    std::string entry = ".TP\n\\fB" + spec.name + ":\\fP";
    for (std::size_t i = 0; i < spec.names.size(); ++i)
      entry += (i ? " | \\fB" : " \\fB") + spec.names[i] + "\\fP";
    if (!spec.names.empty()) entry += "\n";
    EXPECT_NE(man.find(entry), std::string::npos) << "box.yaml.5 has no '" << entry << "'";
  }
}

TEST(Docs, MountTypesAreTheSchemas) {
  const std::string md = read(docs_dir() / "definitions.md");
  auto documented = table(md, "### Mounts");
  documented.erase("type");  // the header row
  std::vector<std::string> types;
  for (const auto& [type, keys] : documented) types.push_back(type);
  std::vector<std::string> schema;
  for (const auto& c : choices<MountType>()) schema.push_back(c.name);
  std::sort(schema.begin(), schema.end());
  EXPECT_EQ(types, schema);
}

// desktop.md's table of device names is devices.h's: each name with its
// path, in the table's order.
TEST(Docs, DeviceNamesAreInDesktopMd) {
  const std::string md = read(docs_dir() / "desktop.md");
  std::vector<std::pair<std::string, std::string>> documented;
  // Not section(): the section's YAML example has a '#' comment line.
  std::stringstream in(md);
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0 || line.rfind("### ", 0) == 0) inside = line == "## Devices";
    if (!inside || line.rfind("| `", 0) != 0) continue;
    auto c = cells(line);
    if (c.size() >= 2) documented.emplace_back(c[0], c[1]);
  }
  std::vector<std::pair<std::string, std::string>> table;
  for (const auto& d : device_names()) table.emplace_back(d.name, d.path);
  EXPECT_EQ(documented, table);
}

}  // namespace
}  // namespace box::generator
