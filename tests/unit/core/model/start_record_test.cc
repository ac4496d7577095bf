#include "core/model/start_record.h"

#include <gtest/gtest.h>

namespace box {
namespace {

TEST(StartRecord, RoundTripsEveryByteOfTheSources) {
  StartRecord r{4321,
                {{"/home/u/.config/box/containers/web.yaml", "rootfs: /srv\ncommand: [sh]\n"},
                 {"/home/u/.config/box/containers/web.yaml.d/10-env.yaml", "env:\n  A: \"x\ny\"\n"},
                 {"/etc/box/containers/web.yaml.d/empty.yaml", ""}}};
  auto parsed = parse_start_record(format_start_record(r));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->pid, 4321);
  ASSERT_EQ(parsed->sources.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(parsed->sources[i].path, r.sources[i].path);
    EXPECT_EQ(parsed->sources[i].text, r.sources[i].text);
  }
  EXPECT_TRUE(same_sources(parsed->sources, r.sources));
}

TEST(StartRecord, RefusesWhatIsNotAWholeRecord) {
  const std::string good = format_start_record({7, {{"/a.yaml", "rootfs: /x\n"}}});
  ASSERT_TRUE(parse_start_record(good));
  EXPECT_FALSE(parse_start_record(""));
  EXPECT_FALSE(parse_start_record("box-start-record 2\npid 7\n"));
  EXPECT_FALSE(parse_start_record(good.substr(0, good.size() - 1)));  // truncated text
  EXPECT_FALSE(parse_start_record(good + "x"));                        // trailing garbage
  EXPECT_FALSE(parse_start_record("box-start-record 1\npid 0\nsource 0 /a\n"));
  EXPECT_FALSE(parse_start_record("box-start-record 1\npid 7\n"));  // no sources
  EXPECT_FALSE(parse_start_record("box-start-record 1\npid 7\nsource 99999999999999999999 /a\n"));
}

TEST(StartRecord, SameSourcesComparesPathsOrderAndTexts) {
  const std::vector<DefinitionSource> a = {{"/m.yaml", "x"}, {"/m.yaml.d/1.yaml", "y"}};
  EXPECT_TRUE(same_sources(a, a));
  EXPECT_FALSE(same_sources(a, {{"/m.yaml", "x"}}));                               // drop-in gone
  EXPECT_FALSE(same_sources(a, {{"/m.yaml", "x"}, {"/m.yaml.d/1.yaml", "z"}}));    // edited
  EXPECT_FALSE(same_sources(a, {{"/m.yaml.d/1.yaml", "y"}, {"/m.yaml", "x"}}));    // reordered
  EXPECT_FALSE(same_sources(a, {{"/n.yaml", "x"}, {"/m.yaml.d/1.yaml", "y"}}));    // other file
}

}  // namespace
}  // namespace box
