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

#include "core/sys/result.h"
#include "core/sys/subid.h"

namespace box::image {

struct IdMapping {
  uid_t uid = 0;  // the user: container id 0
  gid_t gid = 0;
  // Container ids 1..count map to start..start+count-1. Empty: only 0 is
  // mapped (the user has no subordinate ids).
  std::optional<SubidRange> uids, gids;

  bool full() const { return uids.has_value() && gids.has_value(); }
  // Highest container id that maps to a host id.
  std::uint32_t max_id() const { return full() ? std::min(uids->count, gids->count) : 0; }
  // For metadata and messages: "0:1000:1,1:100000:65536" or "0:1000:1".
  std::string describe() const;
};

// From /etc/subuid and /etc/subgid (paths given for tests). A user with a
// uid range but no gid range (or the reverse) gets neither.
IdMapping id_mapping_for(uid_t uid, gid_t gid, const std::string& user,
                         const std::string& subuid_file = "/etc/subuid",
                         const std::string& subgid_file = "/etc/subgid");

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
