#include "core/runtime/validate.h"

#include <sys/stat.h>

#include <filesystem>

#include "core/runtime/host_refusals.h"
#include "core/runtime/runtime_facts.h"

namespace box {
namespace {

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// A loaded definition: what a start would refuse on this host.
void check_start(const Definition& def, const UserDirs& dirs, ValidateReport& report) {
  report.path = def.source_path;
  report.fragments = def.fragment_paths;
  // A template's paths often carry ${instance}: the made-up instance's are
  // no one's.
  if (report.template_only) return;
  report.errors = host_refusals(def);
  if (!report.errors.empty()) return;
  // As box-run start prepares it: a service, with its console pty.
  // A pod that is not running is no fault of the definition.
  if (auto prepared = prepare_run(def, dirs, true, PodLookup::kPlanOnly); !prepared) {
    const std::string& message = prepared.error().message();
    // An error at a key of the file (its `pod:`) names the file already.
    report.errors.push_back(message.starts_with(def.source_path + ":")
                                ? message
                                : def.source_path + ": " + message);
  }
}

void check_loaded(DefinitionCheck check, const UserDirs& dirs, ValidateReport& report) {
  if (!check.definition) {
    report.errors = std::move(check.errors);
    // The host paths of the keys that could be read: the same round says
    // what start would refuse there too.
    if (check.partial && !report.template_only) {
      Definition& partial = *check.partial;
      if (check.unreadable.count(Key::kRootfs) || check.unreadable.count(Key::kImage))
        partial.rootfs.clear();
      for (auto& e : host_refusals(partial)) report.errors.push_back(std::move(e));
    }
    return;
  }
  report.name = check.definition->name;
  check_start(*check.definition, dirs, report);
}

std::string file_stem(const std::string& file) {
  std::string name = file.substr(file.rfind('/') + 1);
  if (name.ends_with(".yaml")) name.resize(name.size() - 5);
  return name;
}

// `dir` absolute, without a trailing '/' ("d/" would name files "d//x").
std::string absolute_dir(const std::string& dir) {
  std::error_code ec;
  std::string abs = std::filesystem::absolute(dir, ec).lexically_normal().string();
  if (abs.empty()) abs = dir;
  while (abs.size() > 1 && abs.back() == '/') abs.pop_back();
  return abs;
}

// What a scan found that cannot be a box or a pod, one report each.
void add_problems(const std::vector<DefinitionProblem>& problems, std::vector<ValidateReport>& out) {
  for (const auto& p : problems) {
    ValidateReport r;
    r.target = p.path;
    r.name = p.name;
    r.errors.push_back(p.path + ": " + p.message);
    out.push_back(std::move(r));
  }
}

std::vector<ValidateReport> validate_dir(const std::string& dir, const UserDirs& dirs) {
  const DefinitionScan scan = scan_definitions({absolute_dir(dir)});
  const LoadContext ctx = load_context(dirs);
  std::vector<ValidateReport> out;
  auto one = [&](const DefinitionFile& f, bool template_only) {
    ValidateReport r;
    r.target = f.path.empty() ? f.masked_by : f.path;
    r.name = template_only ? f.name + kTemplateCheckInstance : f.name;
    r.template_only = template_only;
    r.masked_by = f.masked_by;
    if (!f.masked_by.empty()) return out.push_back(std::move(r));
    DefinitionFile as = f;
    as.name = r.name;
    auto sources = read_resolved_sources(as);
    if (!sources) {
      r.errors.push_back(sources.error().message());
      return out.push_back(std::move(r));
    }
    check_loaded(check_definition_sources(*sources, r.name, ctx), dirs, r);
    out.push_back(std::move(r));
  };
  for (const auto& f : scan.containers) one(f, false);
  for (const auto& f : scan.templates) one(f, true);
  add_problems(scan.problems, out);
  return out;
}

// Pod files live in a directory named "pods" (paths.h).
bool in_pods_dir(const std::string& file) {
  return std::filesystem::path(absolute_dir(file)).parent_path().filename() == "pods";
}

ValidateReport validate_pod(const std::string& target, const DefinitionFile& file) {
  ValidateReport r;
  r.target = target;
  r.name = file.name;
  r.path = file.path;
  r.fragments = file.fragments;
  r.masked_by = file.masked_by;
  if (!file.masked_by.empty()) return r;
  r.errors = check_resolved_pod(file).errors;
  return r;
}

std::vector<ValidateReport> validate_pods_dir(const std::string& dir) {
  const PodScan scan = scan_pods({absolute_dir(dir)});
  std::vector<ValidateReport> out;
  for (const auto& f : scan.pods)
    out.push_back(validate_pod(f.path.empty() ? f.masked_by : f.path, f));
  add_problems(scan.problems, out);
  return out;
}

}  // namespace

std::vector<ValidateReport> validate_target(const std::string& arg, const UserDirs& dirs) {
  const bool path = arg.find('/') != std::string::npos || arg == "." || arg == "..";
  if (path && is_directory(arg)) {
    const bool pods = std::filesystem::path(absolute_dir(arg)).filename() == "pods";
    return pods ? validate_pods_dir(arg) : validate_dir(arg, dirs);
  }
  ValidateReport r;
  r.target = arg;
  if ((path || arg.ends_with(".yaml")) && in_pods_dir(arg)) {
    std::string name = file_stem(arg);
    return {validate_pod(arg, DefinitionFile{name, arg, fragments_beside(arg)})};
  }
  if (path || arg.ends_with(".yaml")) {
    r.name = file_stem(arg);
    r.template_only = r.name.ends_with('@');
    check_loaded(check_definition_at(arg, load_context(dirs)), dirs, r);
    return {r};
  }
  // A template by name ("web@") is checked as one made-up instance of it.
  r.name = arg;
  r.template_only = arg.ends_with('@');
  if (r.template_only) r.name += kTemplateCheckInstance;
  check_loaded(check_container_definition(definition_search_dirs(dirs), r.name, load_context(dirs)),
               dirs, r);
  return {r};
}

}  // namespace box
