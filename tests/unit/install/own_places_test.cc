// The one rule for "a box's own place" (own_places.h): table-driven.
#include "install/own_places.h"

#include <gtest/gtest.h>

#include "tests/unit/install/samples.h"

namespace box::install {
namespace {

Locations locs() { return testing::sample_locations(); }

TEST(OwnPlaces, CanonicalPathsOnly) {
  for (const char* ok : {"/", "/a", "/a/b", "/a/.b", "/a/..b", "/a/b..", "/a/b c"})
    EXPECT_TRUE(is_canonical_path(ok)) << ok;
  for (const char* bad : {"", "a", "a/b", "/a/", "//a", "/a//b", "/a/./b", "/a/../b", "/..",
                          "/.", "/a/..", "/a/."})
    EXPECT_FALSE(is_canonical_path(bad)) << bad;
}

TEST(OwnPlaces, TheFivePlacesOfTheBoxAndNothingElse) {
  const Locations l = locs();
  struct Case {
    const char* path;
    std::optional<OwnPlace> want;
  } cases[] = {
      {"/home/u/.local/share/box/images/app", OwnPlace::kImage},
      {"/home/u/.local/share/box/images/app/rootfs/x", OwnPlace::kImage},
      {"/home/u/.local/share/box/state/app", OwnPlace::kState},
      {"/home/u/.local/share/box/state/app/db", OwnPlace::kState},
      {"/home/u/.local/share/box/containers/app/upper", OwnPlace::kContainers},
      {"/run/user/1000/box/run/app", OwnPlace::kRun},
      {"/run/user/1000/box/run/app/sock", OwnPlace::kRun},
      {"/home/u/.config/box/etc/app", OwnPlace::kConf},
      {"/home/u/.config/box/etc/app/app.conf", OwnPlace::kConf},
      {"/home/u/.config/box/etc/other/app.conf", std::nullopt},
      {"/home/u/.config/box/etc", std::nullopt},
      // Another box's places, the roots themselves, prefixes of the name.
      {"/home/u/.local/share/box/state/application", std::nullopt},
      {"/home/u/.local/share/box/state/other/db", std::nullopt},
      {"/home/u/.local/share/box/state", std::nullopt},
      {"/run/user/1000/box/run", std::nullopt},
      {"/run/user/1000/app", std::nullopt},
      {"/run/user/1000/bus", std::nullopt},
      {"/home/u/.local/share/box/images/app.yaml", std::nullopt},
      // Finding 3 of issue 12: ".." is refused, never normalised.
      {"/run/user/1000/box/run/app/../../../../../home/u/precious", std::nullopt},
      {"/home/u/.local/share/box/state/app/../../../../.ssh", std::nullopt},
      {"/home/u/.local/share/box/state/app/./db", std::nullopt},
      {"/home/u/.local/share/box/state/app//db", std::nullopt},
      {"/home/u/.local/share/box/state/app/", std::nullopt},
      {"/home/u", std::nullopt},
      {"/", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(own_place(l, "app", c.path), c.want) << c.path;
}

TEST(OwnPlaces, ANameThatIsNotPlainHasNoPlaces) {
  const Locations l = locs();
  EXPECT_EQ(own_place(l, "..", "/home/u/.local/share/box/state/../x"), std::nullopt);
  EXPECT_EQ(own_place(l, "..", "/home/u/.local/share"), std::nullopt);
  EXPECT_EQ(own_place(l, "a/b", "/home/u/.local/share/box/state/a/b"), std::nullopt);
  EXPECT_EQ(own_place(l, "", "/home/u/.local/share/box/state"), std::nullopt);
}

TEST(OwnPlaces, NoRuntimeDirWithoutOne) {
  Locations l = locs();
  l.run.clear();
  EXPECT_EQ(own_place(l, "app", "/app"), std::nullopt);
  EXPECT_EQ(own_place_root(l, "app", OwnPlace::kRun), "");
}

}  // namespace
}  // namespace box::install
