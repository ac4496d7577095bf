// docs/kube.md's table of what `boxctl generate kube` makes of each key
// has every key of a definition, once, and no other; a key with no
// Kubernetes field is said to become a comment.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "core/kube/generate.h"

namespace box::kube {
namespace {

// The first and second cells of the rows of the table that follows the
// heading `heading`: "| `umask` | a comment |" -> {"umask", "a comment"}.
std::map<std::string, std::string> table_after(const std::string& md, const std::string& heading) {
  std::map<std::string, std::string> rows;
  std::stringstream in(md.substr(md.find(heading)));
  bool in_table = false;
  std::string line;
  std::getline(in, line);  // the heading
  while (std::getline(in, line)) {
    if (line.rfind("#", 0) == 0) break;
    if (line.rfind("| ", 0) != 0) {
      if (in_table) break;
      continue;
    }
    in_table = true;
    auto first = line.find('`');
    auto close = line.find('`', first + 1);
    auto bar = line.find(" | ", 2);
    if (first == std::string::npos || bar == std::string::npos || first > bar) continue;
    rows[line.substr(first + 1, close - first - 1)] = line.substr(bar + 3);
  }
  return rows;
}

TEST(KubeDocs, TheGenerateTableHasEveryKey) {
  std::ifstream in(std::string(BOX_SOURCE_DIR) + "/docs/kube.md");
  std::stringstream md;
  md << in.rdbuf();
  auto rows = table_after(md.str(), "## `boxctl generate kube NAME...`");
  for (const auto& rule : generate_rules()) {
    const std::string& key = key_name(rule.key);
    auto it = rows.find(key);
    ASSERT_NE(it, rows.end()) << "docs/kube.md does not say what generate makes of '" << key
                              << "'";
    if (std::string(rule.kubernetes).empty()) {
      EXPECT_NE(it->second.find("comment"), std::string::npos) << key << ": " << it->second;
    }
    rows.erase(it);
  }
  for (const auto& [key, text] : rows) ADD_FAILURE() << "docs/kube.md lists '" << key
                                                     << "', which is no key of a definition";
}

}  // namespace
}  // namespace box::kube
