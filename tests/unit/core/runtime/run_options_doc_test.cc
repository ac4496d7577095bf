// box-run(1) says what the table of `box-run run` options
// (core/runtime/run_options.cc) says: under its "box-run run" heading, each
// option has a .TP entry spelled as --help spells it ("--network
// host|none|private"), and no entry names an option the table does not
// have (but --dry-run, box-run's own). An option or a name added to the
// table and not to the page, or left on the page after it is gone, fails
// here. (tests/docs/check-manuals checks the page against box-run --help.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/runtime/run_options.h"

namespace box {
namespace {

std::string read_page() {
  std::ifstream in(std::filesystem::path(BOX_SOURCE_DIR) / "docs" / "box-run.1");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A roff line as it reads: "\fB\-\-network\fP \fBhost\fP" -> "--network host".
std::string plain(const std::string& roff) {
  static const std::regex fonts(R"(\\f[BIPR])");
  std::string out = std::regex_replace(roff, fonts, "");
  out = std::regex_replace(out, std::regex(R"(\\-)"), "-");
  return std::regex_replace(out, std::regex(R"(\\&)"), "");
}

// The tags of the .TP entries from the .SS heading that starts with
// `heading` to the next heading.
std::vector<std::string> tags_under(const std::string& page, const std::string& heading) {
  std::vector<std::string> lines;
  std::stringstream in(page);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::vector<std::string> tags;
  bool inside = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind(".SS ", 0) == 0 || lines[i].rfind(".SH ", 0) == 0)
      inside = plain(lines[i]).rfind(".SS \"" + heading, 0) == 0;
    else if (inside && lines[i] == ".TP" && i + 1 < lines.size())
      tags.push_back(plain(lines[i + 1]));
  }
  return tags;
}

TEST(RunOptionsDoc, EveryOptionHasItsEntryInTheManPage) {
  const std::string page = read_page();
  ASSERT_FALSE(page.empty()) << "cannot read docs/box-run.1";
  const auto tags = tags_under(page, "box-run run ");
  ASSERT_FALSE(tags.empty()) << "box-run.1 has no .SS \"box-run run ...\" with .TP entries";
  for (const auto& o : run_options()) {
    if (o.boxctl_only) continue;  // boxctl(1)'s
    const std::string entry = o.name + (o.value.empty() ? "" : " " + o.value);
    EXPECT_NE(std::find(tags.begin(), tags.end(), entry), tags.end())
        << "box-run.1 has no entry '" << entry << "' under \"box-run run\"";
  }
}

TEST(RunOptionsDoc, TheManPageHasNoOtherOption) {
  std::set<std::string> known = {"--dry-run"};
  for (const auto& o : run_options())
    if (!o.boxctl_only) known.insert(o.name);
  for (const auto& tag : tags_under(read_page(), "box-run run ")) {
    const std::string option = tag.substr(0, tag.find(' '));
    EXPECT_TRUE(known.count(option)) << "box-run.1 documents '" << option
                                     << "', which box-run run does not have";
  }
}

}  // namespace
}  // namespace box
