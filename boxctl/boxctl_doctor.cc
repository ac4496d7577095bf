// boxctl doctor: prints the checks of doctor.h for people or scripts.
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "boxctl/boxctl.h"
#include "boxctl/doctor.h"
#include "boxctl/output.h"

namespace box::boxctl {

int cmd_doctor(bool json) {
  auto checks = manager::run_doctor();
  bool failed = false;
  for (const auto& c : checks) failed |= c.level == manager::CheckLevel::kFail;
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : checks)
      out.push_back({{"check", c.name},
                     {"status", manager::to_string(c.level)},
                     {"detail", c.detail},
                     {"fix", c.fix}});
    std::cout << out.dump(2) << "\n";
    return failed ? kExitFailure : kExitOk;
  }
  const bool color = manager::color_wanted(STDOUT_FILENO);
  std::size_t width = 0;
  for (const auto& c : checks) width = std::max(width, c.name.size());
  for (const auto& c : checks) {
    using manager::Color;
    Color tint = c.level == manager::CheckLevel::kOk     ? Color::kGreen
                 : c.level == manager::CheckLevel::kWarn ? Color::kYellow
                                                         : Color::kRed;
    std::string tag = manager::to_string(c.level);
    std::cout << manager::paint(tag, tint, color) << std::string(6 - tag.size(), ' ') << c.name
              << std::string(width - c.name.size() + 2, ' ') << c.detail << "\n";
    if (!c.fix.empty()) std::cout << std::string(6 + width + 2, ' ') << "fix: " << c.fix << "\n";
  }
  std::cout << (failed ? "\nbox cannot run here until the failures above are fixed.\n"
                       : "\nbox can run here.\n");
  return failed ? kExitFailure : kExitOk;
}

}  // namespace box::boxctl
