// boxctl doctor: what this machine has and lacks for box, each with the fix.
// The verdicts are pure functions of what was read (unit-tested); the
// probes that read or try things are in run_doctor().
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace box::manager {

enum class CheckLevel { kOk, kWarn, kFail };

struct CheckResult {
  std::string name;
  CheckLevel level = CheckLevel::kOk;
  std::string detail;
  std::string fix;  // empty when ok
};

const char* to_string(CheckLevel level);

// `text` is nullopt when the file could not be read; every range of the
// user in it counts (find_subid_ranges, core/sys/subid.h).
CheckResult check_subids(const std::string& file, const std::optional<std::string>& text,
                         const std::string& user, uid_t uid);

// /proc/sys/user/max_user_namespaces, Debian's unprivileged_userns_clone and
// Ubuntu's apparmor_restrict_unprivileged_userns (nullopt: file absent),
// and whether creating one actually worked.
CheckResult check_user_namespaces(std::optional<long> max_user_namespaces,
                                  std::optional<long> unprivileged_userns_clone,
                                  std::optional<long> apparmor_restrict, bool probe_ok,
                                  const std::string& probe_error);

// cgroup2 at /sys/fs/cgroup ("unified"), beside v1 ("hybrid") or absent;
// the user manager's cgroup, whether we can write it, and its controllers.
CheckResult check_cgroups(const std::string& layout, const std::string& manager_cgroup,
                          bool writable, const std::vector<std::string>& controllers);

// The overlay of `rootfs_writes: overlay|persistent`, two checks: whether
// the kernel mounts overlayfs in a user namespace (`kernel_error` empty when
// it did), and whether fuse-overlayfs, its fallback (and `overlay_driver:
// fuse`), can run: the program (nullopt: not in PATH) and /dev/fuse
// (`dev_fuse_error` empty when we can open it).
std::vector<CheckResult> check_overlay(const std::string& kernel_error,
                                       const std::optional<std::string>& fuse_overlayfs,
                                       const std::string& dev_fuse_error);

// Private networking (`network: private`): the user-mode helper found
// ("pasta: /usr/bin/pasta"; nullopt when neither pasta nor slirp4netns is
// installed), and /dev/net/tun, through which either creates the box's
// interface as the user: `tun_error` empty when it opened for reading and
// writing as the calling user, else why not (check_tun_device's message)
// and its errno, which chooses the fix.
CheckResult check_private_network(const std::optional<std::string>& helper,
                                  const std::string& tun_error, int tun_errno);

// Every check, in the order printed.
std::vector<CheckResult> run_doctor();

}  // namespace box::manager
