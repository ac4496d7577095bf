// boxctl validate and version: answered mostly without the bus.
#include <iostream>
#include <nlohmann/json.hpp>

#include "boxctl/boxctl.h"
#include "core/runtime/validate.h"

namespace box::boxctl {

int cmd_validate(const std::vector<std::string>& targets, bool json) {
  auto dirs = user_dirs_from_environment();
  if (!dirs) throw Failure{kExitFailure, dirs.error().message()};
  int code = kExitOk;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& target : targets) {
    // What box-run validate checks, the same way: validate.h.
    for (const auto& report : validate_target(target, *dirs)) {
      const bool valid = report.errors.empty();
      if (!valid) code = kExitInvalidDefinition;
      if (json) {
        out.push_back({{"target", report.target},
                       {"file", report.path},
                       {"name", report.name},
                       {"valid", valid},
                       {"masked_by", report.masked_by},
                       {"template", report.template_only},
                       {"error", valid ? "" : report.errors.front()},
                       {"errors", report.errors}});
      } else if (!valid) {
        for (const auto& e : report.errors) std::cout << e << "\n";
      } else if (!report.masked_by.empty()) {
        std::cout << report.name << ": masked (" << report.masked_by << ")\n";
      } else {
        std::cout << report.target << ": ok"
                  << (report.template_only ? " (a template, checked as " + report.name + ")" : "")
                  << "\n";
      }
    }
  }
  if (json) std::cout << out.dump(2) << "\n";
  return code;
}

// boxctl's own version always; the manager's when it answers. When it
// cannot be asked, the exit code says why, as any other command's would
// (6: no session bus, no user manager, or box-manager cannot be started),
// so that a script's `boxctl version` checks the whole stack.
int cmd_version(Context& ctx, bool json) {
  // boxctl's own first, before a reason for the manager's absence on stderr.
  if (!json) std::cout << "boxctl " BOX_VERSION "\n" << std::flush;
  std::string manager_version;
  int code = kExitOk;
  try {
    manager_version = ctx.manager().Version();
  } catch (const sdbus::Error& e) {
    code = ctx.report(e);  // says why on stderr
  } catch (const Failure& f) {
    complain(f.message);
    code = f.code;
  }
  if (json) {
    nlohmann::json out = {{"boxctl", BOX_VERSION}, {"manager", nullptr}};
    if (code == kExitOk) out["manager"] = manager_version;
    std::cout << out.dump(2) << "\n";
    return code;
  }
  if (code == kExitOk)
    std::cout << "box-manager " << manager_version << "\n";
  else
    std::cout << "box-manager: not reachable\n";
  return code;
}

}  // namespace box::boxctl
