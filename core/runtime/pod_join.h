// A member's start finds its running pod: the record `box-run pod` keeps
// (core/model/pod_record.h), checked before anything of it is trusted:
// - the record must be locked: its box-run is alive (a record nobody holds
//   was left by a box-run that was killed);
// - the holder's /proc directory is opened once, and its start time read
//   through it must be the record's: a pid given to another process since
//   is not that holder, and what is opened through that directory from then
//   on is the holder's or nothing (the kernel ties an open /proc/PID to
//   the process, not to the number);
// - the namespaces the holder keeps must be those the pod's file asks for
//   (a pod file changed since the pod started is a restart away).
// The namespaces are opened there and kept open: the plan joins them by
// /proc/self/fd/N, never by a pid again.
#pragma once

#include <string>
#include <vector>

#include "core/model/pod.h"
#include "core/plan/runtime_facts.h"
#include "core/sys/result.h"
#include "core/sys/unique_fd.h"

namespace box {

struct JoinedPod {
  PodFacts facts;
  std::vector<UniqueFd> namespaces;  // what facts' paths name; open until the member runs
};

enum class PodLookup {
  kJoin,      // a start: the pod must be running
  kPlanOnly,  // --dry-run, validate: a pod that is not running is planned as if it were
};

// The running pod `pod` for a member `member` (for messages), through its
// record in `runtime_dir`'s box/pods; an error saying why it cannot be
// joined (not running, stale, changed), and how to start it.
Result<JoinedPod> find_running_pod(const PodDefinition& pod, const std::string& member,
                                   const std::string& runtime_dir, PodLookup lookup);

}  // namespace box
