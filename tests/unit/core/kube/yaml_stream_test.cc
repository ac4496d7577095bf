#include "core/kube/yaml_stream.h"

#include <gtest/gtest.h>

#include <string>

namespace box::kube {
namespace {

TEST(YamlStream, DocumentsAsLoadAllReadsThem) {
  const std::string text =
      "# comments before the first marker are no document\n"
      "---\n"
      "kind: Pod\n"
      "---\n"
      "---\n"
      "kind: Secret\n"
      "...\n"
      "kind: ConfigMap\n"
      "data: |\n"
      "  --- inside a block scalar, indented: content\n"
      "--- {kind: Deployment}\n"
      "--- ~\n"
      "---\n"
      "# an empty document\n";
  const auto docs = load_documents(text);
  const auto expected = YAML::LoadAll(text);
  ASSERT_EQ(docs.size(), expected.size());
  ASSERT_EQ(docs.size(), 7u);
  for (std::size_t i = 0; i < docs.size(); ++i)
    EXPECT_EQ(YAML::Dump(docs[i].node), YAML::Dump(expected[i])) << i;
  EXPECT_EQ(docs[0].node["kind"].as<std::string>(), "Pod");
  EXPECT_TRUE(docs[1].node.IsNull());
  EXPECT_EQ(docs[2].node["kind"].as<std::string>(), "Secret");
  EXPECT_EQ(docs[3].node["kind"].as<std::string>(), "ConfigMap");
  EXPECT_EQ(docs[3].node["data"].as<std::string>(),
            "--- inside a block scalar, indented: content\n");
  EXPECT_EQ(docs[4].node["kind"].as<std::string>(), "Deployment");
  // A node's line in the stream: its document's first line plus its mark.
  EXPECT_EQ(docs[2].first_line + docs[2].node["kind"].Mark().line, 5);
  EXPECT_EQ(docs[4].first_line + docs[4].node["kind"].Mark().line, 10);
  EXPECT_TRUE(docs[5].node.IsNull());
  EXPECT_TRUE(docs[6].node.IsNull());
  EXPECT_TRUE(load_documents("").empty());
  EXPECT_TRUE(load_documents("kind: Pod").size() == 1u);
}

TEST(YamlStream, ErrorsCarryTheStreamsLine) {
  try {
    load_documents("---\na: 1\n---\nb: [1, 2\n");
    FAIL() << "an unclosed sequence loaded";
  } catch (const YAML::Exception& e) {
    EXPECT_GE(e.mark.line, 3);
  }
}

// yaml-cpp 0.7's LoadAll never returns on this stream (it grows a list
// of empty documents until memory runs out); found by the kube_play fuzz
// target in podman's own YAML with one byte changed.
TEST(YamlStream, AStrayCommaWhereANodeStartsIsAnErrorNotALoop) {
  EXPECT_THROW(load_documents(",--\napiVersion: v1\n"), YAML::Exception);
  EXPECT_THROW(load_documents("\n,\n"), YAML::Exception);
}

}  // namespace
}  // namespace box::kube
