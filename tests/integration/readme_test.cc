// The README's first example, as a new user types it right after the
// install: its commands are read from the installed README.md (between the
// "first-example" markers), so a change to the README is a change to this
// test. Each "$ " line (with its "> " continuation lines) runs in bash as
// the unprivileged test user, from the home directory, with the install
// prefix's bin first in PATH; each must succeed, and print the lines the
// README shows under it.
#include <gtest/gtest.h>

#include <sstream>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

struct Step {
  std::string command;
  std::vector<std::string> expected;
};

std::vector<Step> first_example(const std::string& readme) {
  const auto begin = readme.find("<!-- first-example");
  const auto end = readme.find("<!-- /first-example -->");
  if (begin == std::string::npos || end == std::string::npos) return {};
  const auto fence = readme.find("```console\n", begin);
  const auto close = readme.find("\n```", fence + 1);
  if (fence == std::string::npos || close == std::string::npos || close > end) return {};
  std::istringstream in(readme.substr(fence + 11, close - fence - 11));
  std::vector<Step> steps;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("$ ", 0) == 0) {
      steps.push_back({line.substr(2), {}});
    } else if (line.rfind("> ", 0) == 0 && !steps.empty() && steps.back().expected.empty()) {
      steps.back().command += "\n" + line.substr(2);
    } else if (!steps.empty()) {
      steps.back().expected.push_back(line);
    }
  }
  return steps;
}

bool shows(const std::string& output, const std::vector<std::string>& expected) {
  std::string want;
  for (const auto& line : expected) want += line + "\n";
  return contains(output, want);
}

TEST(Readme, TheFirstExampleRunsAsANewUserTypesIt) {
  ASSERT_NE(getuid(), 0u);
  const std::string readme = slurp(prefix() + "/share/doc/box/README.md");
  ASSERT_FALSE(readme.empty()) << "no README.md installed in " << prefix() << "/share/doc/box";
  const auto steps = first_example(readme);
  ASSERT_GE(steps.size(), 5u) << "no first example between the markers of README.md";
  // What the example makes, so that it starts from what a new user has.
  const std::string defs = home() + "/.config/box/containers";
  remove_boxes(defs, {"hello"});
  fs::remove_all(home() + "/hello");

  const std::string path = prefix() + "/bin:/usr/local/bin:/usr/bin:/bin";
  for (const auto& step : steps) {
    const std::vector<std::string> argv = {"env",  "PATH=" + path, "bash", "-o", "pipefail",
                                           "-c", "cd ~ && " + step.command};
    CommandResult r = run(argv);
    // What a service prints reaches the journal a little later: a step
    // whose output is not there yet is asked again for a while.
    if (!step.expected.empty())
      eventually([&] {
        if (r.exit_code == 0 && shows(r.output, step.expected)) return true;
        r = run(argv);
        return r.exit_code == 0 && shows(r.output, step.expected);
      });
    ASSERT_EQ(r.exit_code, 0) << "$ " << step.command << "\n" << r.output;
    EXPECT_TRUE(shows(r.output, step.expected))
        << "$ " << step.command << "\nprinted:\n" << r.output << "README.md shows:\n"
        << ::testing::PrintToString(step.expected);
  }
  remove_boxes(defs, {"hello"});
  fs::remove_all(home() + "/hello");
}

}  // namespace
}  // namespace box::testing
