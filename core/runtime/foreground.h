// A definition run to its end by the calling process, the supervisor:
// what `box-run start` (under systemd) and `box-run run` / `boxctl run`
// (in the foreground) share.
#pragma once

#include "core/model/definition.h"
#include "core/model/paths.h"
#include "core/runtime/supervisor.h"

namespace box {

// Reads the host for `def`, makes its plan and carries it out; with
// `dry_run` prints the plan instead (what would run, made the same way).
// `service`: box-run start, the main process of box@NAME.service.
ContainerEnd run_definition(const Definition& def, const UserDirs& dirs, bool service,
                            bool dry_run);

// Ends the way the container's PID 1 did: by the same signal, so that
// systemd judges the unit as it would judge the program run as a plain
// service (SIGTERM, SIGINT, SIGHUP and SIGPIPE are clean ends of a
// service), and a shell shows 128+N as for the program itself. Returns the
// exit code otherwise.
int finish(const ContainerEnd& end);

// A run in the foreground (box-run run, boxctl run): the command reads our
// stdin with `interactive` (box-run run; boxctl run -i), else /dev/null,
// as podman's run does.
// How it ended, for finish().
ContainerEnd run_in_foreground(const Definition& def, const UserDirs& dirs, bool interactive,
                               bool dry_run);

}  // namespace box
