#include "boxctl/boxctl_export.h"

#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iterator>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "boxctl/boxctl.h"
#include "boxctl/export_source.h"
#include "core/runtime/instance_lock.h"
#include "install/install.h"

namespace box::boxctl {
namespace {

constexpr int kCancelled = 130;

std::atomic<bool> g_cancel{false};

extern "C" void on_cancel_signal(int) { g_cancel.store(true); }

// ^C, SIGTERM and SIGHUP set the flag the export looks at (its helper
// process ignores them: userns.h), without SA_RESTART so that a wait
// returns to look; the dispositions before are put back after.
class CancelOnSignals {
 public:
  CancelOnSignals() {
    struct sigaction sa {};
    sa.sa_handler = on_cancel_signal;
    sigemptyset(&sa.sa_mask);
    for (std::size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &sa, &old_[i]);
  }
  ~CancelOnSignals() {
    for (std::size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &old_[i], nullptr);
  }

 private:
  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction old_[std::size(kSignals)];
};

std::string mib(std::uint64_t bytes) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return b;
}

}  // namespace

install::ExportedImage export_box(const std::string& name, const std::string& destination,
                                  const std::string& created_by, std::vector<std::string>& notes) {
  auto ctx = install::context_from_environment("box-run");
  if (!ctx) throw Failure{kExitFailure, ctx.error().message()};
  char cwd[PATH_MAX];
  auto dest =
      install::parse_export_destination(destination, getcwd(cwd, sizeof cwd) ? cwd : "", name);
  if (!dest) throw Failure{kExitUsage, dest.error().message()};
  BoxExport box = resolve_box_export(*ctx, name, created_by);

  // Writes that persist are read while nothing writes them: the lock
  // box-run start and boxctl run take, held to the end, so the box can
  // neither be running now nor start meanwhile.
  std::optional<InstanceLock> lock;
  if (box.reads_writes && !ctx->dirs.runtime_dir.empty()) {
    auto held = InstanceLock::acquire(instance_lock_dir(ctx->dirs.runtime_dir), box.def.name);
    if (!held)
      throw Failure{kExitFailure, "export '" + name + "': its writes are read while it is "
                                                      "stopped: " +
                                      held.error().message()};
    lock.emplace(std::move(*held));
  }
  CancelOnSignals signals;
  g_cancel.store(false);
  auto exported = install::write_export(box.source, *dest, &g_cancel);
  if (g_cancel.load())
    throw Failure{kCancelled, "export '" + name + "' was cancelled: nothing was written"};
  if (!exported) throw Failure{kExitFailure, exported.error().wrap("export '" + name + "'").message()};
  notes = std::move(box.notes);
  if (exported->hidden)
    notes.push_back(std::to_string(exported->hidden) +
                    " files and directories of the image deleted in the box are not in it");
  if (!exported->sockets.empty())
    notes.push_back(std::to_string(exported->sockets.size()) +
                    " sockets left out (a tar holds none): " + exported->sockets.front() +
                    (exported->sockets.size() > 1 ? ", ..." : ""));
  if (exported->xattrs)
    notes.push_back(std::to_string(exported->xattrs) +
                    " extended attributes exported (file capabilities, ACLs, user.*)");
  return *exported;
}

int cmd_export(const std::string& name, const std::string& destination, bool json) {
  std::vector<std::string> notes;
  install::ExportedImage e;
  try {
    e = export_box(name, destination, "boxctl export " + name, notes);
  } catch (const Failure& f) {
    complain(f.message);
    return f.code;
  }
  if (json) {
    std::cout << nlohmann::json{{"name", name},
                                {"destination", e.destination},
                                {"manifest_digest", e.manifest_digest},
                                {"config_digest", e.config_digest},
                                {"layer_digest", e.layer_digest},
                                {"layer_size", e.layer_size},
                                {"entries", e.entries},
                                {"notes", notes}}
                     .dump(2)
              << "\n";
    return kExitOk;
  }
  std::cout << "Exported " << name << " to " << e.destination << " ("
            << e.manifest_digest.substr(0, 19) << ")\n"
            << "  layer: " << mib(e.layer_size) << ", " << e.entries << " files\n";
  for (const auto& n : notes) std::cout << "  note: " << n << "\n";
  return kExitOk;
}

}  // namespace box::boxctl
