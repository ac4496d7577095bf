// Golden tests: definitions in, generator output out. Each directory under
// golden/ is a case: its definitions (in the case dir itself, or in its
// user/, etc/, share/ subdirs, which then form a three-level search path),
// and beside it CASE.out, the expected --dry-run output followed by the
// verdict on every definition.
//
// After an intended change, regenerate and review the diff:
//   BOX_UPDATE_GOLDEN=1 build/tests/box-unit-tests --gtest_filter='Cases/Golden*'
// A case whose file that run rewrote fails: the output of the code under
// test is not checked against itself. Under ctest (which sets
// BOX_UNDER_CTEST, tests/CMakeLists.txt) nothing is rewritten: the switch
// fails every case.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/model/schema.h"
#include "tests/unit/generator/golden_support.h"

namespace box::generator {
namespace {
namespace fs = std::filesystem;

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, MatchesExpectedOutput) {
  const fs::path dir = golden_dir() / GetParam();
  const fs::path expected_file = golden_dir() / (GetParam() + ".out");
  const std::string actual = golden_output(dir);
  if (std::getenv("BOX_UPDATE_GOLDEN")) {
    ASSERT_EQ(std::getenv("BOX_UNDER_CTEST"), nullptr)
        << "BOX_UPDATE_GOLDEN is set under ctest, which compares and never rewrites: unset it, "
           "or regenerate with build/tests/box-unit-tests --gtest_filter='Cases/Golden*'";
    if (!fs::exists(expected_file) || read(expected_file) != actual) {
      std::ofstream(expected_file) << actual;
      FAIL() << "rewrote " << expected_file
             << " from the code under test: review the diff, then run again without "
                "BOX_UPDATE_GOLDEN";
    }
  }
  ASSERT_TRUE(fs::exists(expected_file))
      << expected_file << " is missing; run with BOX_UPDATE_GOLDEN=1 to create it. Output:\n"
      << actual;
  EXPECT_EQ(actual, read(expected_file)) << "case " << GetParam();
}

std::string case_test_name(const ::testing::TestParamInfo<std::string>& param) {
  std::string n = param.param;
  for (char& c : n)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Cases, Golden, ::testing::ValuesIn(golden_cases()), case_test_name);

// Every key of docs/definitions.md appears in some case, so a new key
// cannot go without a golden test.
TEST(GoldenCoverage, EveryKeyIsExercised) {
  std::string all;
  for (const auto& c : golden_cases())
    for (const auto& e : fs::recursive_directory_iterator(golden_dir() / c))
      if (e.is_regular_file()) all += "\n" + read(e.path());
  for (const auto& spec : definition_keys()) {
    EXPECT_NE(all.find("\n" + spec.name + ":"), std::string::npos)
        << "no golden case sets '" << spec.name << "'";
  }
}

}  // namespace
}  // namespace box::generator
