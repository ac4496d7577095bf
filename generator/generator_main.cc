// box-user-generator: run by the user manager at start-up and at every
// daemon-reload with three output dirs (normal, early, late); writes
// box@NAME.service drop-ins and autostart links into the first, and the
// verdict on every definition into $XDG_RUNTIME_DIR/box/generator-status.json.
//   box-user-generator NORMAL_DIR [EARLY_DIR LATE_DIR]
//   box-user-generator --dry-run [DEFINITIONS_DIR]
// docs/generator.md describes it for users.
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "core/model/generator_status.h"
#include "core/model/paths.h"
#include "core/sys/atomic_write.h"
#include "generator/cgroup_probe.h"
#include "generator/generator.h"
#include "generator/report.h"
#include "generator/status_file.h"

namespace {

using box::generator::ReportTo;

constexpr const char kUsage[] =
    "Usage: box-user-generator NORMAL_DIR [EARLY_DIR LATE_DIR]\n"
    "       box-user-generator --dry-run [DEFINITIONS_DIR]\n"
    "\n"
    "Turns box definitions into box@NAME.service drop-ins, and pods into\n"
    "box-pod@NAME.service drop-ins; systemd runs it at every\n"
    "'systemctl --user daemon-reload'. --dry-run prints what it would write\n"
    "(reading DEFINITIONS_DIR and the pods/ beside it instead of the search\n"
    "path if given) and exits 1 when a definition or pod is invalid.\n";

// The .wants links name box@.service (box-pod@.service for a pod); systemd
// only reads the link's name, but a link that resolves is clearer. The
// units are installed beside the generator:
// PREFIX/lib/systemd/{user-generators,user}.
std::string template_unit_path(const std::string& unit) {
  char exe[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    std::string dir(exe, static_cast<std::size_t>(n));
    dir = dir.substr(0, dir.rfind('/'));
    const std::string gen = "/user-generators";
    if (dir.ends_with(gen)) return dir.substr(0, dir.size() - gen.size()) + "/user/" + unit;
  }
  return BOX_DEFAULT_USER_UNIT_DIR "/" + unit;
}

// systemd sets $SYSTEMD_SCOPE for the generators it runs (since v251);
// there stderr is the user manager's and nobody reads it (report.h). Run by
// hand, messages go to the terminal or wherever stderr was sent.
ReportTo report_to(bool dry_run) {
  const bool by_systemd = std::getenv("SYSTEMD_SCOPE") != nullptr;
  return by_systemd && !dry_run && !::isatty(STDERR_FILENO) ? ReportTo::kJournal : ReportTo::kStderr;
}

int run(bool dry_run, const std::string& target) {
  const ReportTo to = report_to(dry_run);
  auto dirs = box::user_dirs_from_environment();
  if (!dirs) {
    box::generator::report_error(dirs.error().message(), to);
    return 1;
  }
  box::generator::GeneratorInput input;
  input.search_dirs =
      dry_run && !target.empty() ? std::vector<std::string>{target} : box::definition_search_dirs(*dirs);
  input.context = box::load_context(*dirs);
  input.template_unit = template_unit_path("box@.service");
  // Pods beside the definitions: beside DEFINITIONS_DIR for a dry run of one.
  input.pod_search_dirs = box::pod_dirs_beside(input.search_dirs);
  input.pod_template_unit = template_unit_path("box-pod@.service");
  input.cgroup_controllers = box::generator::user_manager_controllers();

  const auto out = box::generator::plan_output(input);
  for (const auto& v : out.verdicts) box::generator::report_verdict(v, to);

  if (dry_run) {
    std::cout << box::generator::describe_output(out);
    for (const auto& v : out.verdicts)
      if (!v.ok) return 1;
    return 0;
  }
  auto written = box::generator::write_output(out, target);
  if (!written) {
    box::generator::report_error(written.error().message(), to);
    return 1;
  }
  // The status file is best effort: the units are what matters.
  const std::string status = box::generator_status_path(dirs->runtime_dir);
  if (!status.empty()) {
    auto r = box::ensure_directory(dirs->runtime_dir + "/box", 0700);
    if (r) r = box::write_file_atomically(status, box::generator::status_json(out.verdicts));
    if (!r) box::generator::report_error(r.error().wrap("write the status file").message(), to);
  }
  // Broken definitions are not a generator failure: the others are written,
  // and `box-run start` on a broken one fails with the same message.
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  const ReportTo to = report_to(false);
  if (!args.empty() && args[0] == "--dry-run") {
    if (args.size() > 2) {
      box::generator::report_error("--dry-run takes at most one DEFINITIONS_DIR", ReportTo::kStderr);
      return 2;
    }
    return run(true, args.size() == 2 ? args[1] : "");
  }
  if (args.size() != 1 && args.size() != 3) {
    box::generator::report_error("expected 1 or 3 output directories (normal [early late]), got " +
                                     std::to_string(args.size()) + "; try --help",
                                 to);
    return 2;
  }
  if (args[0].empty() || args[0].front() != '/') {
    box::generator::report_error("the output directory must be absolute, got '" + args[0] + "'", to);
    return 2;
  }
  return run(false, args[0]);
}
