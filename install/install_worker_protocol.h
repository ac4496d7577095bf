// box-manager runs each Install/Uninstall in a box-install-worker process
// (install_jobs.h). What it asks for goes on the worker's command line;
// what the worker says comes back as one JSON object per line on fd 3:
//
//   {"progress": {"phase": "unpacking", "layer": 1, "layers": 3, "bytes": N, "total_bytes": N}}
//   {"installed": {...the keys of image.json...}}
//   {"uninstalled": true}
//   {"error": "message", "cancelled": false}
//
// Pure: both ends and the unit tests use it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/sys/result.h"
#include "install/install.h"

namespace box::manager {

struct WorkerRequest {
  enum class Op { kInstall, kUninstall } op = Op::kInstall;
  std::string source;  // install: absolute (check_install_request with no cwd)
  std::string name;    // install: may be empty (from the source)
  // install: replace, set, max_size, the user's consent, dry_run (name and
  // cancel are not carried: the name is above, the cancel is the worker's).
  install::InstallOptions options;
  bool purge = false;  // uninstall
};

// The options install() gets in the worker: `options` with the name.
install::InstallOptions install_options_of(const WorkerRequest& request);

// The worker's arguments (after argv[0]) and back.
std::vector<std::string> worker_arguments(const WorkerRequest& request);
Result<WorkerRequest> parse_worker_arguments(const std::vector<std::string>& args);

struct WorkerMessage {
  enum class Kind { kProgress, kInstalled, kUninstalled, kFailed } kind = Kind::kFailed;
  install::Progress progress;
  install::InstalledImage image;
  std::string error;
  bool cancelled = false;
};

// "reading", "unpacking", "copying", "finishing", and back (false: unknown).
const char* phase_name(install::Progress::Phase phase);
bool phase_from_name(const std::string& name, install::Progress::Phase& phase);

// Each a line without its '\n'.
std::string progress_line(const install::Progress& progress);
std::string installed_line(const install::InstalledImage& image);
std::string uninstalled_line();
std::string failure_line(const std::string& message, bool cancelled);

Result<WorkerMessage> parse_worker_line(std::string_view line);

}  // namespace box::manager
