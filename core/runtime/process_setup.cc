#include "core/runtime/process_setup.h"

#include <grp.h>
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

bool has(const RunPlan& plan, int cap) {
  return std::find(plan.capabilities.begin(), plan.capabilities.end(), cap) !=
         plan.capabilities.end();
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

bool apply_identity(const RunPlan& plan, StepError& e) {
  // 1. Bounding set: what no process in the container can ever gain.
  for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
    if (has(plan, cap)) continue;
    if (cap_drop_bound(static_cast<cap_value_t>(cap)) != 0 && errno != EINVAL)
      return fail(e, std::string("drop capability ") + cap_to_name(static_cast<cap_value_t>(cap)));
  }
  // 2. Groups and ids. setgroups is denied when we mapped our single id
  // ourselves; with the helpers it is allowed and clears the host's groups.
  if (plan.use_id_helpers &&
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
  std::vector<cap_value_t> list(plan.capabilities.begin(), plan.capabilities.end());
  const bool root = plan.uid == 0;
  int r = 0;
  if (!list.empty()) {
    r |= cap_set_flag(caps, CAP_EFFECTIVE, static_cast<int>(list.size()), list.data(), CAP_SET);
    r |= cap_set_flag(caps, CAP_PERMITTED, static_cast<int>(list.size()), list.data(), CAP_SET);
    if (!root)
      r |= cap_set_flag(caps, CAP_INHERITABLE, static_cast<int>(list.size()), list.data(), CAP_SET);
  }
  if (r == 0) r = cap_set_proc(caps);
  int err = errno;
  cap_free(caps);
  if (r != 0) return fail(e, "set capabilities", err);
  if (!root) {
    for (cap_value_t c : list)
      if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) != 0)
        return fail(e, std::string("raise ambient capability ") + cap_to_name(c));
  }
  return true;
}

}  // namespace box
