// What box-run learns of its host before a start, and the plan made from
// it. This is the one place box-run reads what its plan depends on in its
// environment ($PATH, $BOX_NETWORK_HELPER, $NOTIFY_SOCKET; the XDG
// directories come from core/model/paths.*) and looks programs up: only
// what the definition needs (RuntimeQuery), once. (Besides, log.* reads
// $JOURNAL_STREAM, where its messages go, and box_run_main.cc the unit's
// $INVOCATION_ID and $BOX_UNIT_GENERATED, for a warning.) The plan
// (core/plan/run_plan.h) is made from these facts by a pure function and
// then carried out unchanged, so the plan `box-run --dry-run` prints is the
// plan that runs.
#pragma once

#include <optional>

#include "core/model/definition.h"
#include "core/model/paths.h"
#include "core/plan/run_plan.h"
#include "core/plan/runtime_facts.h"
#include "core/runtime/console_pty.h"
#include "core/runtime/pod_join.h"
#include "core/sys/result.h"

namespace box {

// The user: ids, subordinate ranges (/etc/subuid, /etc/subgid), data dir,
// and a fresh instance id.
HostIdentity read_host_identity(const UserDirs& dirs);

// The facts `query` asks for; `runtime_dir` is $XDG_RUNTIME_DIR as paths.*
// read it. An error when the host cannot answer (the tun device cannot be
// opened, $BOX_NETWORK_HELPER names no helper, the driver marker cannot be
// read); a helper that is not installed is a fact, not an error.
Result<RuntimeFacts> gather_runtime_facts(const RuntimeQuery& query,
                                          const std::string& runtime_dir);

// A start, ready to be carried out (supervise) or printed.
struct PreparedRun {
  RuntimeFacts facts;
  RunPlan plan;
  // The pty the plan binds at /dev/console (plan.console), open from
  // before the plan was made until the container has ended.
  std::optional<ConsolePty> console;
  // A member's pod: its holder's namespaces, which the plan joins by
  // /proc/self/fd/N (pod_join.h); open until the container runs.
  std::vector<UniqueFd> pod_namespaces;
};

// Reads the host for `def` (`service`: box-run start, the main process of
// box@NAME.service) and makes its plan. A member of a pod must find its pod
// running, unless `pod_lookup` says the plan is only shown (pod_join.h).
Result<PreparedRun> prepare_run(const Definition& def, const UserDirs& dirs, bool service,
                                PodLookup pod_lookup = PodLookup::kJoin);

}  // namespace box
