#include "core/plan/enter_plan.h"

#include <algorithm>

#include "core/plan/proc_files.h"
#include "core/plan/run_plan.h"
#include "core/sys/id_map.h"
#include "core/sys/text_fields.h"

namespace box {
namespace {

// The container's ids of the process joined: /proc shows the host's.
Result<void> plan_identity(const EnterFacts& facts, const ProcStatus& status, EnterPlan& plan) {
  const std::string proc = "/proc/" + std::to_string(facts.pid);
  auto uids = parse_id_map(facts.uid_map);
  if (!uids) return uids.error().wrap(proc + "/uid_map");
  auto uid = id_inside(*uids, status.uid);
  if (!uid) return uid.error().wrap("its user");
  plan.uid = *uid;
  auto gids = parse_id_map(facts.gid_map);
  if (!gids) return gids.error().wrap(proc + "/gid_map");
  auto gid = id_inside(*gids, status.gid);
  if (!gid) return gid.error().wrap("its group");
  plan.gid = *gid;
  bool host_groups = false;
  for (gid_t g : status.groups) {
    if (auto inside = id_inside(*gids, g))
      plan.groups.push_back(*inside);
    else
      host_groups = true;
  }
  // A group of the process that is not mapped inside is a host group it
  // kept (keep_groups): the command keeps the caller's, as the box's own do,
  // instead of losing them to a setgroups of the mapped ones.
  plan.set_groups = !host_groups && !(facts.setgroups && facts.setgroups->rfind("deny", 0) == 0);
  return {};
}

// The container's limits, as far as the caller may set them: a hard limit
// above the caller's own is lowered to it (raising one takes
// CAP_SYS_RESOURCE in the host's user namespace), a soft one to its hard.
Result<std::vector<ProcLimit>> plan_limits(const EnterFacts& facts) {
  auto theirs = parse_proc_limits(facts.limits);
  if (!theirs) return theirs.error().wrap("/proc/" + std::to_string(facts.pid) + "/limits");
  auto ours = parse_proc_limits(facts.own_limits);
  if (!ours) return ours.error().wrap("/proc/self/limits");
  for (auto& limit : *theirs)
    for (const auto& own : *ours)
      if (own.resource == limit.resource && own.hard < limit.hard) {
        limit.hard = own.hard;
        limit.soft = std::min(limit.soft, limit.hard);
      }
  return theirs;
}

}  // namespace

std::vector<std::string> merge_env(std::vector<std::string> base,
                                   const std::vector<std::string>& overrides) {
  for (const auto& o : overrides) {
    auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    std::string key = o.substr(0, eq + 1);
    bool replaced = false;
    for (auto& b : base) {
      if (b.compare(0, key.size(), key) == 0) {
        b = o;
        replaced = true;
        break;
      }
    }
    if (!replaced) base.push_back(o);
  }
  return base;
}

Result<EnterPlan> plan_enter(const EnterRequest& request, const EnterFacts& facts) {
  if (request.argv.empty()) return Error("no command to run");
  EnterPlan plan;
  for (const auto& ns : kJoinOrder)
    if (facts.foreign_namespaces & ns.type) plan.namespaces.push_back(ns);

  auto status = parse_proc_status(facts.status);
  if (!status) return status.error().wrap("/proc/" + std::to_string(facts.pid) + "/status");
  auto identity = plan_identity(facts, *status, plan);
  if (!identity) return identity.error();
  plan.cap_bounding = status->cap_bounding;
  if (facts.cap_last_cap) {
    auto text = std::string_view(*facts.cap_last_cap);
    while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    if (auto last = parse_unsigned(text); last && *last < 64) plan.cap_last = static_cast<int>(*last);
  }
  plan.no_new_privs = status->no_new_privs;
  auto limits = plan_limits(facts);
  if (!limits) return limits.error();
  plan.rlimits = std::move(*limits);
  // A box under box's default filter gets it for what enters it too. Which
  // variant: ptrace denied when the box shares our pid namespace, as at its
  // start; nested user namespaces not allowed (even where an inner systemd
  // may create them: a command entered from outside has no need of them).
  if (status->seccomp_filtered)
    plan.seccomp = SeccompOptions{.allow_user_namespaces = false,
                                  .deny_ptrace = !(facts.foreign_namespaces & CLONE_NEWPID)};

  // Its environment (a container's own, box's mark where it cannot be
  // read) under the caller's additions; the program looked up in its PATH.
  plan.env = merge_env(facts.environ ? parse_environ(*facts.environ)
                                     : std::vector<std::string>{"container=box"},
                       request.extra_env);
  std::string path = kDefaultPath;
  for (const auto& e : plan.env)
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  plan.argv = request.argv;
  plan.exec_candidates = exec_candidates(request.argv.front(), path);
  plan.tty = request.tty;
  if (plan.tty)
    plan.env = merge_env(std::move(plan.env),
                         {"TERM=" + (facts.caller_term.empty() ? "xterm" : facts.caller_term)});
  plan.workdir = request.workdir;
  return plan;
}

}  // namespace box
