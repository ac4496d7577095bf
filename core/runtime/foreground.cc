#include "core/runtime/foreground.h"

#include <fcntl.h>
#include <unistd.h>

#include <iostream>

#include "core/plan/plan_text.h"
#include "core/runtime/runtime_facts.h"
#include "core/sys/log.h"

namespace box {

ContainerEnd run_definition(const Definition& def, const UserDirs& dirs, bool service,
                            bool dry_run) {
  auto prepared = prepare_run(def, dirs, service, dry_run ? PodLookup::kPlanOnly : PodLookup::kJoin);
  if (!prepared) {
    log_error(prepared.error().wrap("box '" + def.name + "'").message());
    return {kExitSetupFailed, 0};
  }
  if (dry_run) {
    std::cout << format_run_plan(prepared->plan, prepared->facts) << std::flush;
    return {0, 0};
  }
  return supervise(prepared->plan, std::move(prepared->console));
}

int finish(const ContainerEnd& end) {
  if (end.signal == 0) return end.exit_code;
  std::cout.flush();
  end_by_signal(end.signal);
}

ContainerEnd run_in_foreground(const Definition& def, const UserDirs& dirs, bool interactive,
                               bool dry_run) {
  if (!interactive && !dry_run) {
    int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null < 0 || ::dup2(null, STDIN_FILENO) < 0) {
      log_error(Error::from_errno("give the command /dev/null as stdin").message());
      return {kExitSetupFailed, 0};
    }
    if (null != STDIN_FILENO) ::close(null);
  }
  return run_definition(def, dirs, false, dry_run);
}

}  // namespace box
