#include "core/plan/oci_exec_plan.h"

#include <sys/capability.h>

#include <cctype>

#include "core/plan/run_plan.h"
#include "core/sys/id_map.h"
#include "core/sys/text_fields.h"

namespace box::oci {
namespace {

// Whether id `inside` has a line in the container's map.
bool mapped(const std::vector<IdMapLine>& map, std::uint32_t inside) {
  for (const auto& line : map)
    if (inside >= line.inside && inside - line.inside < line.count) return true;
  return false;
}

}  // namespace

Result<EnterPlan> plan_exec(const Process& p, const EnterFacts& facts) {
  EnterPlan plan;
  plan.tty = p.terminal;
  for (const auto& ns : kJoinOrder)
    if (facts.foreign_namespaces & ns.type) plan.namespaces.push_back(ns);
  auto uids = parse_id_map(facts.uid_map);
  if (!uids) return uids.error().wrap("the container's uid_map");
  auto gids = parse_id_map(facts.gid_map);
  if (!gids) return gids.error().wrap("the container's gid_map");
  if (!mapped(*uids, p.uid))
    return Error("'process.user.uid': " + std::to_string(p.uid) +
                 " is not mapped in the container's user namespace");
  if (!mapped(*gids, p.gid))
    return Error("'process.user.gid': " + std::to_string(p.gid) +
                 " is not mapped in the container's user namespace");
  plan.uid = p.uid;
  plan.gid = p.gid;
  plan.set_groups = !(facts.setgroups && facts.setgroups->rfind("deny", 0) == 0);
  for (auto g : p.additional_gids) {
    if (!mapped(*gids, g))
      return Error("'process.user.additionalGids': " + std::to_string(g) + " is not mapped");
    plan.groups.push_back(g);
  }
  if (!plan.set_groups && !plan.groups.empty())
    return Error("'process.user.additionalGids': the container's user namespace denies setgroups");
  if (facts.cap_last_cap) {
    auto text = std::string_view(*facts.cap_last_cap);
    while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    if (auto last = parse_unsigned(text); last && *last < 64) plan.cap_last = static_cast<int>(*last);
  }
  // The bounding set the spec names (root gets it back at exec; another
  // user gets none): names this host does not know are left out.
  if (p.capabilities) {
    for (const auto& name : p.capabilities->bounding) {
      std::string lower = name;
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      cap_value_t v;
      if (cap_from_name(lower.c_str(), &v) == 0 && v < 64) plan.cap_bounding |= std::uint64_t{1} << v;
    }
  }
  plan.no_new_privs = p.no_new_privileges;
  plan.argv = p.args;
  plan.env = p.env;
  std::string path;
  for (const auto& e : p.env)
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  plan.exec_candidates = exec_candidates(p.args.front(), path.empty() ? kDefaultPath : path);
  plan.workdir = p.cwd;
  return plan;
}

}  // namespace box::oci
