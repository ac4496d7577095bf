#include "core/runtime/process_setup.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace box {
namespace {

bool fail(StepError& e, std::string what, int err = errno) {
  e.what = std::move(what);
  e.err = err;
  return false;
}

bool has(const std::vector<int>& set, int cap) {
  return std::find(set.begin(), set.end(), cap) != set.end();
}

bool write_proc_file(const std::string& path, const std::string& value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = ::write(fd, value.data(), value.size());
  int err = errno;
  ::close(fd);
  errno = err;
  return n == static_cast<ssize_t>(value.size());
}

// What apply_identity sets: the plan's sets, or its one list in each (a
// user other than root keeps them through inheritable and ambient only).
CapabilitySets sets_of(const RunPlan& plan) {
  if (plan.capability_sets) return *plan.capability_sets;
  CapabilitySets s;
  s.bounding = s.effective = s.permitted = plan.capabilities;
  if (plan.uid != 0) s.inheritable = s.ambient = plan.capabilities;
  return s;
}

const char* resource_name(int resource) {
  switch (resource) {
    case RLIMIT_NOFILE: return "nofile";
    case RLIMIT_NPROC: return "nproc";
    case RLIMIT_CORE: return "core";
    case RLIMIT_MEMLOCK: return "memlock";
    case RLIMIT_STACK: return "stack";
    default: return "limit";
  }
}

}  // namespace

bool bring_loopback_up(StepError& e) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(e, "open a socket to configure 'lo'");
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  int r = ::ioctl(fd, SIOCGIFFLAGS, &ifr);
  if (r == 0) {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
    r = ::ioctl(fd, SIOCSIFFLAGS, &ifr);
  }
  int err = errno;
  ::close(fd);
  return r == 0 ? true : fail(e, "bring up the loopback interface", err);
}

bool apply_rlimits(const RunPlan& plan, StepError& e) {
  for (const auto& r : plan.rlimits) {
    rlimit lim{};
    lim.rlim_cur = r.soft == UINT64_MAX ? RLIM_INFINITY : r.soft;
    lim.rlim_max = r.hard == UINT64_MAX ? RLIM_INFINITY : r.hard;
    if (::setrlimit(r.resource, &lim) != 0) {
      int err = errno;
      rlimit cur{};
      ::getrlimit(r.resource, &cur);
      std::string what = std::string("set rlimit ") + resource_name(r.resource);
      if (err == EPERM)
        what += " (a hard limit above the one box-run got, " +
                (cur.rlim_max == RLIM_INFINITY ? std::string("unlimited")
                                               : std::to_string(cur.rlim_max)) +
                ", cannot be raised without privileges)";
      return fail(e, what, err);
    }
  }
  return true;
}

bool apply_oom_score_adj(const RunPlan& plan, StepError& e) {
  if (plan.oom_score_adj &&
      !write_proc_file("/proc/self/oom_score_adj", std::to_string(*plan.oom_score_adj)))
    return fail(e, "set oom_score_adj " + std::to_string(*plan.oom_score_adj));
  return true;
}

bool apply_identity(const RunPlan& plan, StepError& e) {
  const CapabilitySets sets = sets_of(plan);
  // 1. Bounding set: what no process in the container can ever gain.
  for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
    if (has(sets.bounding, cap)) continue;
    if (cap_drop_bound(static_cast<cap_value_t>(cap)) != 0 && errno != EINVAL)
      return fail(e, std::string("drop capability ") + cap_to_name(static_cast<cap_value_t>(cap)));
  }
  // 2. Groups and ids. setgroups is denied when we mapped our single id
  // ourselves; with the helpers, a privileged parent or no user namespace it
  // is allowed and clears the host's groups, unless the plan keeps them
  // (keep_groups: a host group that owns a device still opens it; the
  // groups are not mapped, so nothing inside can set them again).
  const bool self_mapped =
      (plan.namespaces & CLONE_NEWUSER) && !plan.use_id_helpers && !plan.maps_by_parent;
  if (!self_mapped && !plan.keep_groups &&
      ::setgroups(plan.groups.size(), plan.groups.empty() ? nullptr : plan.groups.data()) != 0)
    return fail(e, "set supplementary groups");
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return fail(e, "keep capabilities");
  if (::setresgid(plan.gid, plan.gid, plan.gid) != 0)
    return fail(e, "switch to gid " + std::to_string(plan.gid));
  if (::setresuid(plan.uid, plan.uid, plan.uid) != 0)
    return fail(e, "switch to uid " + std::to_string(plan.uid));
  // 3. The sets. Root gets them back from the bounding set at exec anyway;
  // another user keeps them only through inheritable + ambient.
  cap_t caps = cap_init();
  if (!caps) return fail(e, "allocate capability state");
  int r = 0;
  auto set_flag = [&](cap_flag_t flag, const std::vector<int>& set) {
    std::vector<cap_value_t> list(set.begin(), set.end());
    if (!list.empty())
      r |= cap_set_flag(caps, flag, static_cast<int>(list.size()), list.data(), CAP_SET);
  };
  set_flag(CAP_EFFECTIVE, sets.effective);
  set_flag(CAP_PERMITTED, sets.permitted);
  set_flag(CAP_INHERITABLE, sets.inheritable);
  if (r == 0) r = cap_set_proc(caps);
  int err = errno;
  cap_free(caps);
  if (r != 0) return fail(e, "set capabilities", err);
  for (int c : sets.ambient) {
    // The kernel keeps an ambient capability only if it is permitted and
    // inheritable; an OCI config may list others (runc's spec does): those
    // are left out, as runc does.
    if (plan.capability_sets && (!has(sets.permitted, c) || !has(sets.inheritable, c))) continue;
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) != 0)
      return fail(e, std::string("raise ambient capability ") +
                         cap_to_name(static_cast<cap_value_t>(c)));
  }
  return true;
}

}  // namespace box
