#include "definition_loader.h"

#include <gtest/gtest.h>

namespace box {
namespace {

Result<Definition> parse(const std::string& text, const std::string& name = "hello") {
  return parse_definition(text, "hello.yaml", name, "/home/u");
}

TEST(DefinitionLoader, ParsesAllKeys) {
  auto d = parse(
      "description: Hello box\n"
      "rootfs: ~/rootfs\n"
      "command: [/bin/sh, -c, 'echo hi']\n"
      "env: {A: '1', B: two}\n");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->name, "hello");
  EXPECT_EQ(d->source_path, "hello.yaml");
  EXPECT_EQ(d->description, "Hello box");
  EXPECT_EQ(d->rootfs, "/home/u/rootfs");
  EXPECT_EQ(d->command, (std::vector<std::string>{"/bin/sh", "-c", "echo hi"}));
  ASSERT_EQ(d->env.size(), 2u);
  EXPECT_EQ(d->env[0], (std::pair<std::string, std::string>{"A", "1"}));
  EXPECT_EQ(d->env[1], (std::pair<std::string, std::string>{"B", "two"}));
}

TEST(DefinitionLoader, DescriptionAndEnvAreOptional) {
  auto d = parse("rootfs: /srv/r\ncommand: [x]\n");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->description, "");
  EXPECT_TRUE(d->env.empty());
}

struct BadCase {
  const char* label;
  const char* yaml;
  const char* expected;  // exact message
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.label; }

class DefinitionErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(DefinitionErrors, PointAtTheProblem) {
  auto d = parse(GetParam().yaml);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message(), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    All, DefinitionErrors,
    ::testing::Values(
        BadCase{"UnknownKey", "rootfs: /r\ncommand: [x]\ncomand: [y]\n",
                "hello.yaml:3:1: unknown key 'comand' (known: description, rootfs, command, env)"},
        BadCase{"CommandNotAList", "rootfs: /r\ncommand: /bin/true\n",
                "hello.yaml:2:10: 'command': expected a list of strings, found a scalar"},
        BadCase{"CommandEmpty", "rootfs: /r\ncommand: []\n", "hello.yaml:2:10: 'command': must not be empty"},
        BadCase{"CommandItemNotString", "rootfs: /r\ncommand: [a, [b]]\n",
                "hello.yaml:2:14: 'command[1]': expected a string, found a list"},
        BadCase{"RootfsRelative", "rootfs: relative/dir\ncommand: [x]\n",
                "hello.yaml:1:9: 'rootfs': expected an absolute path or one starting with '~/', "
                "found 'relative/dir'"},
        BadCase{"MissingRootfs", "command: [x]\n", "hello.yaml:1:1: missing required key 'rootfs'"},
        BadCase{"MissingCommand", "rootfs: /r\n", "hello.yaml:1:1: missing required key 'command'"},
        BadCase{"DuplicateKey", "rootfs: /r\ncommand: [x]\nrootfs: /s\n", "hello.yaml:3:1: 'rootfs': duplicate key"},
        BadCase{"EnvNotAMap", "rootfs: /r\ncommand: [x]\nenv: [A]\n",
                "hello.yaml:3:6: 'env': expected a mapping of NAME: value, found a list"},
        BadCase{"EnvBadName", "rootfs: /r\ncommand: [x]\nenv: {'A=B': c}\n",
                "hello.yaml:3:7: 'env': invalid variable name 'A=B' (empty or contains '=')"},
        BadCase{"TopLevelNotAMap", "- a\n- b\n",
                "hello.yaml:1:1: expected a mapping of keys at the top level, found a list"},
        BadCase{"SyntaxError", "rootfs: [unclosed\n", "hello.yaml:2:1: end of sequence flow not found"},
        BadCase{"MultiLineDescription", "description: \"two\\nlines\"\nrootfs: /r\ncommand: [x]\n",
                "hello.yaml:1:14: 'description': must be a single line"}),
    [](const ::testing::TestParamInfo<BadCase>& p) { return std::string(p.param.label); });

TEST(DefinitionLoader, RejectsNamesThatNeedEscaping) {
  for (const char* bad : {"", "-x", ".hidden", "a b", "a/b", "a@b", "x%i"}) {
    auto d = parse("rootfs: /r\ncommand: [x]\n", bad);
    EXPECT_FALSE(d.ok()) << bad;
  }
  for (const char* good : {"etcd", "my-box_1.2", "A9"}) {
    EXPECT_TRUE(parse("rootfs: /r\ncommand: [x]\n", good).ok()) << good;
  }
}

TEST(DefinitionLoader, MissingFileNamesIt) {
  auto d = load_definition_file("/nonexistent/x.yaml", "x", "/home/u");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message(), "open '/nonexistent/x.yaml': No such file or directory");
}

}  // namespace
}  // namespace box
