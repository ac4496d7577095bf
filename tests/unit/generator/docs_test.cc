// The key list used by the golden tests is the loader's, and every key is
// documented in docs/definitions.md and in the man page box.yaml(5): a key
// added to one and not the others fails here.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "core/model/definition_loader.h"
#include "tests/unit/generator/golden_support.h"

namespace box::generator {
namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path docs_dir() { return golden_dir() / "../../../../docs"; }

TEST(Docs, KeyListIsTheLoaders) {
  // The loader lists what it knows when a key is far from all of them.
  auto d = parse_definition("rootfs: /r\ncommand: [x]\nzzzzzzzzzzzz: 1\n", "x.yaml", "x", "/home/u");
  ASSERT_FALSE(d.ok());
  const std::string m = d.error().message();
  const auto open = m.find("(known: ");
  ASSERT_NE(open, std::string::npos) << m;
  std::set<std::string> known;
  std::stringstream list(m.substr(open + 8, m.rfind(')') - open - 8));
  for (std::string k; std::getline(list, k, ',');) known.insert(k.substr(k.find_first_not_of(' ')));
  EXPECT_EQ(known, std::set<std::string>(definition_keys().begin(), definition_keys().end()));
}

TEST(Docs, EveryKeyIsInDefinitionsMd) {
  const std::string md = read(docs_dir() / "definitions.md");
  ASSERT_FALSE(md.empty());
  for (const auto& key : definition_keys())
    EXPECT_NE(md.find("| `" + key + "` |"), std::string::npos) << key << " is not in the key table";
}

TEST(Docs, EveryKeyIsInTheManPage) {
  const std::string man = read(docs_dir() / "box.yaml.5");
  ASSERT_FALSE(man.empty());
  for (const auto& key : definition_keys())
    EXPECT_NE(man.find(".TP\n\\fB" + key + ":\\fP"), std::string::npos) << key << " is not in box.yaml.5";
}

}  // namespace
}  // namespace box::generator
