#include "core/model/devices.h"

#include <gtest/gtest.h>

#include "core/model/definition_loader.h"

namespace box {
namespace {

TEST(Devices, EachNameStandsForItsPathUnderDev) {
  EXPECT_EQ(device_name_list(), "dri, snd, kvm, fuse, input, usb");
  const std::pair<const char*, const char*> expected[] = {
      {"dri", "/dev/dri"},   {"snd", "/dev/snd"},     {"kvm", "/dev/kvm"},
      {"fuse", "/dev/fuse"}, {"input", "/dev/input"}, {"usb", "/dev/bus/usb"}};
  ASSERT_EQ(device_names().size(), std::size(expected));
  for (const auto& [name, path] : expected) {
    auto d = parse_device(name);
    ASSERT_TRUE(d.ok()) << name;
    EXPECT_EQ(*d, (DeviceSpec{name, path}));
  }
}

TEST(Devices, AnAbsolutePathUnderDevIsItself) {
  for (const char* path : {"/dev/dri/renderD128", "/dev/bus/usb/001/004", "/dev/ttyUSB0",
                           "/dev/video0", "/dev/nvidia0"}) {
    auto d = parse_device(path);
    ASSERT_TRUE(d.ok()) << path << ": " << d.error().message();
    EXPECT_EQ(*d, (DeviceSpec{path, path}));
  }
}

TEST(Devices, WhatIsRefusedAndWhy) {
  struct Case {
    const char* written;
    const char* says;
  };
  for (const auto& c : {
           Case{"gpu",
                "unknown device 'gpu' (known: dri, snd, kvm, fuse, input, usb, or an "
                "absolute path under /dev)"},
           Case{"", "unknown device ''"},
           Case{"dev/dri", "unknown device 'dev/dri'"},
           Case{"/tmp/dev",
                "'/tmp/dev' is not under /dev (a device is a name (dri, snd, kvm, "
                "fuse, input, usb) or a path under /dev; bind other host paths with "
                "'mounts')"},
           Case{"/devices/x", "'/devices/x' is not under /dev"},
           Case{"/dev", "'/dev' is not under /dev"},
           Case{"/dev/", "'/dev/' is not a plain path"},
           Case{"/dev/dri/", "'/dev/dri/' is not a plain path"},
           Case{"/dev//dri", "not a plain path"},
           Case{"/dev/./dri", "not a plain path"},
           Case{"/dev/../etc/shadow", "'/dev/../etc/shadow' is not a plain path"},
           Case{"/dev/null", "'/dev/null' is in every box's own /dev already"},
           Case{"/dev/pts/0",
                "'/dev/pts/0' is in every box's own /dev already (box makes "
                "/dev/pts itself"},
           Case{"/dev/shm", "own /dev already"},
           Case{"/dev/console", "own /dev already"},
       }) {
    auto d = parse_device(c.written);
    ASSERT_FALSE(d.ok()) << c.written;
    EXPECT_NE(d.error().message().find(c.says), std::string::npos)
        << c.written << " -> " << d.error().message();
  }
  EXPECT_TRUE(parse_device("/dev/null0").ok());  // only below /dev/null itself
}

Result<Definition> parse(const std::string& text) {
  return parse_definition_sources({{"x.yaml", "rootfs: /srv/x\ncommand: [x]\n" + text}}, "x",
                                  LoadContext{"/home/u", "/home/u/.local/share", ""});
}

std::vector<std::string> every_error(const std::string& text) {
  return check_definition_sources({{"x.yaml", "rootfs: /srv/x\ncommand: [x]\n" + text}}, "x",
                                  LoadContext{"/home/u", "/home/u/.local/share", ""})
      .errors;
}

TEST(DevicesKey, NamesAndPathsInFileOrderWithTheirPlaces) {
  auto d = parse("devices: [kvm, dri, /dev/bus/usb/001/004]\nkeep_groups: true\n");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->devices,
            (std::vector<DeviceSpec>{{"kvm", "/dev/kvm"},
                                     {"dri", "/dev/dri"},
                                     {"/dev/bus/usb/001/004", "/dev/bus/usb/001/004"}}));
  EXPECT_EQ(d->device_locations,
            (std::vector<std::string>{"x.yaml:3:11", "x.yaml:3:16", "x.yaml:3:21"}));
  EXPECT_TRUE(d->keep_groups);
  auto none = parse("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->devices.empty());
  EXPECT_FALSE(none->keep_groups);
}

// Every entry's error, each at its place, in one round.
TEST(DevicesKey, EachBadEntryIsReportedAtItsPlace) {
  EXPECT_EQ(every_error("devices:\n  - gpu\n  - dri\n  - dev/snd\n  - /tmp/x\n  - /dev/dri\n"
                        "  - [kvm]\n"),
            (std::vector<std::string>{
                "x.yaml:4:5: 'devices[0]': unknown device 'gpu' (known: dri, snd, kvm, fuse, "
                "input, usb, or an absolute path under /dev)",
                "x.yaml:6:5: 'devices[2]': unknown device 'dev/snd' (known: dri, snd, kvm, fuse, "
                "input, usb, or an absolute path under /dev)",
                "x.yaml:7:5: 'devices[3]': '/tmp/x' is not under /dev (a device is a name (dri, "
                "snd, kvm, fuse, input, usb) or a path under /dev; bind other host paths with "
                "'mounts')",
                "x.yaml:8:5: 'devices[4]': '/dev/dri' is named twice (also as 'dri')",
                "x.yaml:9:5: 'devices[5]': expected a string, found a list",
            }));
  EXPECT_EQ(every_error("devices: dri\n"),
            (std::vector<std::string>{"x.yaml:3:10: 'devices': expected a list of device names "
                                      "(dri, snd, kvm, fuse, input, usb) or paths under /dev, "
                                      "found a scalar"}));
  EXPECT_EQ(every_error("keep_groups: maybe\n"),
            (std::vector<std::string>{
                "x.yaml:3:14: 'keep_groups': expected true or false, found 'maybe'"}));
  // Specifiers expand before the check, as in every string.
  EXPECT_EQ(every_error("devices: ['%h/dev']\n"),
            (std::vector<std::string>{"x.yaml:3:11: 'devices[0]': '/home/u/dev' is not under "
                                      "/dev (a device is a name (dri, snd, kvm, fuse, input, "
                                      "usb) or a path under /dev; bind other host paths with "
                                      "'mounts')"}));
}

// A drop-in's list replaces the main file's, as `mounts` and `after` are;
// keep_groups is one value like any other.
TEST(DevicesKey, ADropInReplacesTheList) {
  auto d = parse_definition_sources(
      {{"x.yaml", "rootfs: /srv/x\ncommand: [x]\ndevices: [dri, snd]\nkeep_groups: true\n"},
       {"x.yaml.d/10.yaml", "devices: [kvm]\n"},
       {"x.yaml.d/20.yaml", "keep_groups: false\n"}},
      "x", LoadContext{"/home/u", "/home/u/.local/share", ""});
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->devices, (std::vector<DeviceSpec>{{"kvm", "/dev/kvm"}}));
  EXPECT_EQ(d->device_locations, std::vector<std::string>{"x.yaml.d/10.yaml:1:11"});
  EXPECT_FALSE(d->keep_groups);
  auto emptied =
      parse_definition_sources({{"x.yaml", "rootfs: /srv/x\ncommand: [x]\ndevices: [dri]\n"},
                                {"x.yaml.d/10.yaml", "devices: []\n"}},
                               "x", LoadContext{"/home/u", "/home/u/.local/share", ""});
  ASSERT_TRUE(emptied.ok());
  EXPECT_TRUE(emptied->devices.empty());
}

// keep_groups keeps the host's groups; `groups` would set others in their
// place: one or the other (podman refuses keep-groups with other groups too).
TEST(DevicesKey, KeepGroupsRefusesOtherGroups) {
  EXPECT_EQ(every_error("groups: [10]\nkeep_groups: true\n"),
            (std::vector<std::string>{
                "x.yaml:4:1: 'keep_groups': 'keep_groups: true' keeps your host groups as they "
                "are, so 'groups' cannot set others: remove one of the two"}));
  // Not blamed on a `groups` that could not be read.
  EXPECT_EQ(every_error("groups: [wheel]\nkeep_groups: true\n").size(), 1u);
  // With any user and id mapping otherwise.
  for (const char* userns : {"auto", "single", "keep-id"})
    EXPECT_TRUE(
        parse(std::string("keep_groups: true\nuser: '1000:1000'\nuserns: ") + userns + "\n").ok())
        << userns;
}

}  // namespace
}  // namespace box
