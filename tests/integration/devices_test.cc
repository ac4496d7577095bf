// Host devices in a box, by the definition's `devices:` key, and the
// caller's supplementary groups kept (`keep_groups`, podman's --group-add
// keep-groups), as the unprivileged test user with its own systemd --user.
// This machine has no GPU or sound card and its /dev/kvm and /dev/fuse are
// root's alone, so the test bed makes a device as a desktop has its render
// node (/dev/dri/renderD128, root:render 0660): $BOX_TEST_DEVICE, the null
// device's numbers, owned root:box-testbed-dev 0660, a group the test user
// is in (tests/harness/box-testbed).
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <vector>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

class Devices : public BoxTest {
 protected:
  void prepare() override {
    out_ = home() + "/devices-out";
    fs::remove_all(out_);
    fs::create_directories(out_);
    const char* device = std::getenv("BOX_TEST_DEVICE");
    device_ = device ? device : "";
  }
  void cleanup() override { fs::remove_all(out_); }

  // A busybox box that leaves what `script` prints in /out/NAME.
  void define_box(const std::string& name, const std::string& keys, const std::string& script) {
    define(name, "rootfs: " + rootfs_ + "\n" + keys +
                     "mounts:\n  - {type: bind, source: ~/devices-out, target: /out}\n"
                     "command: [sh, -c, '(" +
                     script + ") > /out/" + name + ".tmp 2>&1; mv /out/" + name + ".tmp /out/" +
                     name + "']\n");
  }

  // Starts box@NAME, waits for it to end, and returns what it printed.
  std::string run_to_the_end(const std::string& name) {
    const std::string unit = "box@" + name + ".service";
    EXPECT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
    systemctl({"start", unit});
    EXPECT_TRUE(eventually(
        [&] {
          const std::string state = show(unit, "ActiveState");
          return state == "inactive" || state == "failed";
        },
        std::chrono::seconds(30)))
        << show(unit, "ActiveState") << "\n"
        << journal(unit);
    EXPECT_TRUE(eventually([&] { return fs::exists(out_ + "/" + name); })) << journal(unit);
    const std::string seen = slurp(out_ + "/" + name);
    std::cout << "--- " << name << ":\n" << seen;
    return seen;
  }

  std::string out_, device_;
};

// What a box saw: can it write the device, its groups and identity as the
// kernel shows them inside, and the flags of the device's mount.
constexpr const char* kLook =
    "if [ -e $DEV ]; then echo present; else echo absent; fi; "
    "if echo x > $DEV; then echo write=ok; else echo write=failed; fi; "
    "grep -E \"^(Groups|CapEff|CapBnd|CapPrm|NoNewPrivs|Seccomp):\" /proc/self/status; "
    "grep \" $DEV \" /proc/self/mountinfo";

std::string line_of(const std::string& text, const std::string& key) {
  const auto at = text.find("\n" + key);
  if (at == std::string::npos) return "";
  return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
}

TEST_F(Devices, AGroupOwnedDeviceOpensInsideOnlyWithTheKeyAndKeepGroups) {
  // The device is what a desktop's render node is: not ours, group-owned,
  // 0660, by a group we are in, and we can write it on the host.
  ASSERT_FALSE(device_.empty()) << "BOX_TEST_DEVICE is not set: is the test bed up to date?";
  struct stat st {};
  ASSERT_EQ(::stat(device_.c_str(), &st), 0) << device_;
  ASSERT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(1, 3));
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  EXPECT_EQ(st.st_uid, 0u);
  std::vector<gid_t> ours(64);
  ours.resize(static_cast<std::size_t>(::getgroups(static_cast<int>(ours.size()), ours.data())));
  ASSERT_NE(std::find(ours.begin(), ours.end(), st.st_gid), ours.end())
      << "the test user is not in the device's group " << st.st_gid;
  ASSERT_NE(st.st_gid, getgid());  // a supplementary group, not our own
  ASSERT_EQ(::access(device_.c_str(), W_OK), 0);

  const std::string dev = "env: {DEV: '" + device_ + "'}\n";
  define_box("dev-kept", dev + "devices: ['" + device_ + "']\nkeep_groups: true\n", kLook);
  define_box("dev-dropped", dev + "devices: ['" + device_ + "']\n", kLook);
  define_box("dev-none", dev + "keep_groups: true\n", kLook);
  // keep-id, and single (whose user namespace, mapped by box-run itself,
  // denies setgroups: the groups stay whatever keep_groups says).
  define_box("dev-keepid",
             dev + "devices: ['" + device_ + "']\nkeep_groups: true\n" + "userns: keep-id\n",
             kLook);
  define_box("dev-single", dev + "devices: ['" + device_ + "']\nuserns: single\n", kLook);
  const std::string kept = "\n" + run_to_the_end("dev-kept");
  const std::string dropped = "\n" + run_to_the_end("dev-dropped");
  const std::string none = "\n" + run_to_the_end("dev-none");
  const std::string keepid = "\n" + run_to_the_end("dev-keepid");
  const std::string single = "\n" + run_to_the_end("dev-single");

  // Named and kept: it opens for writing. The group is not mapped in the
  // box, so it shows as the overflow gid.
  EXPECT_TRUE(contains(kept, "\npresent\n")) << kept;
  EXPECT_TRUE(contains(kept, "\nwrite=ok\n")) << kept;
  EXPECT_TRUE(contains(line_of(kept, "Groups:"), "65534")) << kept;
  // The bind is nosuid and noexec, never nodev: a node on a nodev mount
  // does not open.
  const auto at = kept.find(" " + device_ + " ");
  const std::string mountinfo =
      at == std::string::npos
          ? ""
          : kept.substr(kept.rfind('\n', at) + 1, kept.find('\n', at) - kept.rfind('\n', at) - 1);
  EXPECT_TRUE(contains(mountinfo, "nosuid")) << mountinfo;
  EXPECT_TRUE(contains(mountinfo, "noexec")) << mountinfo;
  EXPECT_FALSE(contains(mountinfo, "nodev")) << mountinfo;

  // Named, groups not kept: the node is there, and root inside (the user
  // outside, but without the group) is refused, its capabilities in the
  // box's user namespace notwithstanding (the node's owner and group are
  // not mapped there).
  EXPECT_TRUE(contains(dropped, "\npresent\n")) << dropped;
  EXPECT_TRUE(contains(dropped, "\nwrite=failed\n")) << dropped;
  EXPECT_TRUE(contains(dropped, "Permission denied")) << dropped;
  EXPECT_FALSE(contains(line_of(dropped, "Groups:"), "65534")) << dropped;

  EXPECT_TRUE(contains(keepid, "\nwrite=ok\n")) << keepid;
  EXPECT_TRUE(contains(single, "\nwrite=ok\n")) << single;
  EXPECT_TRUE(contains(line_of(single, "Groups:"), "65534")) << single;

  // Kept groups without the key: nothing of the host's /dev but what every
  // box has.
  EXPECT_TRUE(contains(none, "\nabsent\n")) << none;
  EXPECT_TRUE(contains(none, "\nwrite=failed\n")) << none;

  // Keeping groups gains no privilege: the same capability sets, the same
  // no_new_privs and filter.
  for (const char* key : {"CapEff:", "CapBnd:", "CapPrm:", "NoNewPrivs:", "Seccomp:"}) {
    EXPECT_FALSE(line_of(kept, key).empty()) << key << kept;
    EXPECT_EQ(line_of(kept, key), line_of(dropped, key)) << key;
  }
  EXPECT_EQ(line_of(kept, "NoNewPrivs:"), "NoNewPrivs:\t1");
  EXPECT_EQ(line_of(kept, "Seccomp:"), "Seccomp:\t2");

  // What boxctl and box-manager's Container object say of each.
  auto status = boxctl({"status", "dev-kept"});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_TRUE(contains(status.output, "Devices: " + device_ + "\n")) << status.output;
  EXPECT_TRUE(contains(status.output, "Host groups: kept")) << status.output;
  auto plain = boxctl({"status", "dev-none"});
  EXPECT_FALSE(contains(plain.output, "Devices:")) << plain.output;
  EXPECT_TRUE(contains(plain.output, "Host groups: kept")) << plain.output;
  auto json = boxctl({"status", "--json", "dev-dropped"});
  EXPECT_TRUE(contains(json.output, "\"devices\": [\n    \"" + device_ + "\"\n  ]")) << json.output;
  EXPECT_TRUE(contains(json.output, "\"keep_groups\": false")) << json.output;
  auto property = run({"busctl", "--user", "get-property", "dev.boxctl.box1",
                       "/dev/boxctl/box1/container/dev_2dkept", "dev.boxctl.box1.Container",
                       "Devices", "KeepGroups"});
  EXPECT_EQ(property.output, "as 1 \"" + device_ + "\"\nb true\n");
}

// boxctl enter into a box that kept the groups keeps them too (the
// caller's); into one that did not, it gets the box's mapped groups only.
TEST_F(Devices, EnterKeepsTheGroupsOfABoxThatKeptThem) {
  ASSERT_FALSE(device_.empty()) << "BOX_TEST_DEVICE is not set: is the test bed up to date?";
  const std::string keys = "devices: ['" + device_ + "']\n";
  const std::string wait = "echo running; while :; do sleep 1 & wait $!; done";
  for (const char* name : {"dev-enter-kept", "dev-enter-dropped"})
    define(name, "rootfs: " + rootfs_ + "\n" + keys +
                     (std::string(name) == "dev-enter-kept" ? "keep_groups: true\n" : "") +
                     "command: [sh, -c, '" + wait + "']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  const std::string look = "grep ^Groups: /proc/self/status; if echo x > " + device_ +
                           "; then echo write=ok; else echo write=failed; fi";
  for (const char* name : {"dev-enter-kept", "dev-enter-dropped"}) {
    auto start = boxctl({"start", name});
    ASSERT_EQ(start.exit_code, 0) << start.output;
  }
  auto kept = boxctl({"enter", "dev-enter-kept", "--", "sh", "-c", look});
  EXPECT_EQ(kept.exit_code, 0) << kept.output;
  EXPECT_TRUE(contains(kept.output, "65534")) << kept.output;
  EXPECT_TRUE(contains(kept.output, "write=ok\n")) << kept.output;
  auto dropped = boxctl({"enter", "dev-enter-dropped", "--", "sh", "-c", look});
  EXPECT_EQ(dropped.exit_code, 0) << dropped.output;
  EXPECT_FALSE(contains(dropped.output, "65534")) << dropped.output;
  EXPECT_TRUE(contains(dropped.output, "write=failed\n")) << dropped.output;
}

// The same in the foreground: box-run run's --device and --keep-groups.
TEST_F(Devices, BoxRunRunTakesThemAsOptions) {
  ASSERT_FALSE(device_.empty()) << "BOX_TEST_DEVICE is not set: is the test bed up to date?";
  const std::string write =
      "if echo x > " + device_ + "; then echo write=ok; else echo write=failed; fi";
  auto kept = box({"--device", device_, "--keep-groups", "--userns", "auto"}, write);
  EXPECT_EQ(kept.exit_code, 0) << kept.output;
  EXPECT_EQ(kept.output, "write=ok\n");
  auto dropped = box({"--device", device_, "--userns", "auto"}, write);
  EXPECT_TRUE(contains(dropped.output, "Permission denied")) << dropped.output;
  EXPECT_TRUE(contains(dropped.output, "write=failed\n")) << dropped.output;
  auto missing = box({"--device", "/dev/box-testbed/absent"}, "echo started");
  EXPECT_NE(missing.exit_code, 0) << missing.output;
  EXPECT_TRUE(contains(missing.output,
                       "device '/dev/box-testbed/absent': No such file or "
                       "directory: this host has none"))
      << missing.output;
  EXPECT_FALSE(contains(missing.output, "started")) << missing.output;
}

// A device the host lacks refuses the start before anything is made, saying
// which key and path, and validate says so first.
TEST_F(Devices, AMissingDeviceIsRefusedWithItsKeyAndPath) {
  // A name whose device this host has none of (no GPU, no sound card here).
  std::string name, path;
  for (const auto& [n, p] : {std::pair{"dri", "/dev/dri"}, std::pair{"snd", "/dev/snd"},
                             std::pair{"input", "/dev/input"}, std::pair{"usb", "/dev/bus/usb"}})
    if (!fs::exists(p)) {
      name = n;
      path = p;
      break;
    }
  ASSERT_FALSE(name.empty()) << "this host has every device the test could name as missing";
  const std::string absent = "/dev/box-testbed/absent";
  ASSERT_FALSE(fs::exists(absent));
  define_box("dev-missing", "devices: [" + name + ", '" + absent + "']\n", "echo started");
  const std::string file = defs_ + "/dev-missing.yaml";
  const std::string first = file + ":2:11: 'devices[0]': device '" + name + "' (" + path +
                            "): No such file or directory: this host has none (is its driver "
                            "loaded? remove it from 'devices' to start without it)";
  const std::string second = file + ":2:" + std::to_string(11 + name.size() + 2) +
                             ": 'devices[1]': device '" + absent +
                             "': No such file or directory: this host has none";

  auto validate = boxctl({"validate", "dev-missing"});
  EXPECT_EQ(validate.exit_code, 3) << validate.output;
  EXPECT_TRUE(contains(validate.output, first)) << validate.output;
  EXPECT_TRUE(contains(validate.output, second)) << validate.output;
  auto box_run_validate = run({box_run(), "validate", "dev-missing"});
  EXPECT_EQ(box_run_validate.exit_code, 1) << box_run_validate.output;
  EXPECT_TRUE(contains(box_run_validate.output, first)) << box_run_validate.output;

  const std::string unit = "box@dev-missing.service";
  EXPECT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  EXPECT_NE(systemctl({"start", unit}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return contains(journal(unit), first); })) << journal(unit);
  EXPECT_EQ(show(unit, "Result"), "exit-code");
  EXPECT_FALSE(fs::exists(out_ + "/dev-missing"));
}

}  // namespace
}  // namespace box::testing
