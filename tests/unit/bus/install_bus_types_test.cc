#include "bus/install_bus_types.h"

#include <gtest/gtest.h>

#include "tests/unit/install/samples.h"

namespace box::manager {
namespace {

TEST(InstallBusTypes, OptionsRoundTrip) {
  const install::InstallOptions o = install::testing::sample_options();
  auto back = install_options_from(install_options_to(o));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, o);
  // Nothing set, nothing sent: the defaults.
  EXPECT_TRUE(install_options_to({}).empty());
  auto none = install_options_from({});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, install::InstallOptions{});
}

TEST(InstallBusTypes, UnknownOptionsAndWrongTypesAreNamed) {
  const std::pair<VariantMap, std::string> cases[] = {
      {{{"force", sdbus::Variant(true)}},
       "unknown option 'force' (known: replace, set, max_size, dry_run, allow_bind, "
       "allow_host_file, allow_host_namespace, allow_autostart)"},
      {{{"allow_bind", sdbus::Variant(std::string("/"))}},
       "option 'allow_bind' must be a list of strings (as), not 's'"},
      {{{"dry_run", sdbus::Variant(std::string("yes"))}},
       "option 'dry_run' must be a boolean (b), not 's'"},
      {{{"replace", sdbus::Variant(std::string("yes"))}},
       "option 'replace' must be a boolean (b), not 's'"},
      {{{"set", sdbus::Variant(std::vector<std::string>{"A=1"})}},
       "option 'set' must be a dictionary of strings (a{ss}), not 'as'"},
      {{{"max_size", sdbus::Variant(std::int32_t{5})}},
       "option 'max_size' must be a number of bytes (t), not 'i'"},
      {{{"max_size", sdbus::Variant(std::uint64_t{0})}},
       "option 'max_size' must be more than 0 bytes"},
  };
  for (const auto& [options, message] : cases) {
    auto r = install_options_from(options);
    ASSERT_FALSE(r.ok()) << message;
    EXPECT_EQ(r.error().message(), message);
  }
}

TEST(InstallBusTypes, ImageInfoRoundTrip) {
  install::InstalledImage m = install::testing::sample_image();
  // The inode records stay in image.json (install_bus_types.h).
  m.created.clear();
  auto info = image_info(m);
  EXPECT_EQ(info.at("changes").peekValueType(), "aa{ss}");
  EXPECT_EQ(info.at("layers").peekValueType(), "t");
  EXPECT_EQ(info.at("labels").peekValueType(), "a{ss}");
  EXPECT_EQ(info.at("owners_kept").peekValueType(), "b");
  EXPECT_EQ(info.at("data_dirs").peekValueType(), "as");
  EXPECT_EQ(info.at("name").peekValueType(), "s");
  EXPECT_EQ(info.count("created"), 0u);
  EXPECT_EQ(image_from_info(info), m);
}

}  // namespace
}  // namespace box::manager
