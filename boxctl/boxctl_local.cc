// boxctl validate and version: answered mostly without the bus.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "boxctl/boxctl.h"
#include "core/model/definition_loader.h"
#include "core/model/paths.h"

namespace box::boxctl {

int cmd_validate(const std::vector<std::string>& files, bool json) {
  auto dirs = user_dirs_from_environment();
  if (!dirs) throw Failure{kExitFailure, dirs.error().message()};
  int code = kExitOk;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& file : files) {
    // The file name is the container name, as in the search path.
    std::string name = std::filesystem::path(file).filename().string();
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".yaml") == 0)
      name.resize(name.size() - 5);
    // As box-run validate loads it: drop-ins in FILE.d/ beside it, a
    // template as one instance, images in the user's data dir.
    std::string error;
    if (auto def = load_definition_at(file, load_context(*dirs)); !def)
      error = def.error().message();
    if (!error.empty()) code = kExitInvalidDefinition;
    if (json) {
      out.push_back({{"file", file}, {"name", name}, {"valid", error.empty()}, {"error", error}});
    } else if (error.empty()) {
      std::cout << file << ": ok\n";
    } else {
      std::cout << error << "\n";
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
