// Doing file work as the container's ids. Files in an image belong to
// container uids 0..N; on the host they must belong to the ids those map to
// when the container runs with `userns: auto` (container uid 0 = you,
// container uids 1..count = your /etc/subuid range). Only a process in a user
// namespace with that same mapping can create such files, so the unpack (and
// every later removal of them) runs in a forked child that is root in a new
// user namespace mapped by newuidmap/newgidmap, as `podman unshare` does.
// Without subordinate ids, the namespace maps only you: every file is then
// yours, and the image's owners are not kept (the install records that).
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/sys/id_map.h"
#include "core/sys/result.h"
#include "core/sys/subid.h"

namespace box::image {

struct IdMapping {
  uid_t uid = 0;  // the user: container id 0
  gid_t gid = 0;
  // Container ids 1.. map to these ranges, one after the other (as
  // `userns: auto` maps them at run time). Empty: only 0 is mapped (the
  // user has no subordinate ids).
  SubidRanges uids, gids;

  bool full() const { return !uids.empty() && !gids.empty(); }
  // Highest container id that maps to a host id.
  std::uint32_t max_id() const {
    if (!full()) return 0;
    const std::uint64_t n = std::min(subid_total(uids), subid_total(gids));
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(n, UINT32_MAX - 1));
  }
  // The map lines, container id 0 first.
  std::vector<IdMapLine> uid_lines() const;
  std::vector<IdMapLine> gid_lines() const;
  // For metadata and messages: "0:1000:1,1:100000:65536" or "0:1000:1".
  std::string describe() const;
};

// The user's ranges as newuidmap sees them (libsubid: /etc/subuid,
// /etc/subgid or the nsswitch `subid:` source); a file given instead is read
// as /etc/subuid (tests). A user with uid ranges but no gid range (or the
// reverse) gets neither.
IdMapping id_mapping_for(uid_t uid, gid_t gid, const std::string& user,
                         const std::string& subuid_file = "",
                         const std::string& subgid_file = "");

// What the child sends to the parent while it works (progress lines).
using MessageSink = std::function<void(const std::string&)>;

// Runs `work` in a forked child that is uid/gid 0 in a new user namespace
// mapped as `mapping` says. The child's messages reach `on_message` in the
// parent. When `*cancel` becomes true the child is killed (SIGKILL) and the
// call fails with "cancelled". The child dies with the parent
// (PR_SET_PDEATHSIG). The child and the newuidmap/newgidmap it needs ignore
// SIGINT, SIGQUIT, SIGTERM and SIGHUP: a terminal or a service manager sends
// those to a whole process group or cgroup, and they are the caller's to act
// on (by setting `*cancel`). Call from a single-threaded process: the child
// runs ordinary code after fork.
Result<void> run_in_user_namespace(const IdMapping& mapping,
                                   const std::function<Result<void>(const MessageSink&)>& work,
                                   const MessageSink& on_message,
                                   const std::atomic<bool>* cancel = nullptr);

// Removes a tree that may hold files owned by subordinate ids (which the
// user cannot remove from outside). Missing is fine.
Result<void> remove_tree_as_owner(const IdMapping& mapping, const std::string& path);

}  // namespace box::image
