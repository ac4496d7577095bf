// boxctl start, stop, restart, kill, enable, disable, reload: requests to
// box-manager, which passes them to the user's systemd and waits for them.
#include <iostream>

#include "boxctl/boxctl.h"
#include "bus/errors.h"
#include "core/model/value_parsers.h"

namespace box::boxctl {

int cmd_control(Context& ctx, Control what, const std::vector<std::string>& names) {
  int worst = kExitOk;
  for (const auto& name : names) {
    try {
      (ctx.manager().*what)(name);
    } catch (const sdbus::Error& e) {
      // The wish is fulfilled: say so, but do not fail a script over it.
      if (e.getName() == manager::kAlreadyRunning) {
        std::cerr << "boxctl: " << e.getMessage() << "\n";
        continue;
      }
      int code = ctx.report(e);
      if (worst == kExitOk) worst = code;
    }
  }
  return worst;
}

int cmd_kill(Context& ctx, const std::string& name, const std::string& signal) {
  // The parser definitions' stop.signal uses: the same spellings everywhere.
  auto number = parse_signal(signal);
  if (!number) throw Failure{kExitUsage, "kill: " + number.error().message()};
  ctx.manager().kill(name, *number);
  return kExitOk;
}

int cmd_reload(Context& ctx) {
  ctx.manager().reload();
  return kExitOk;
}

}  // namespace box::boxctl
