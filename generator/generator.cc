#include "generator/generator.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <thread>
#include <tuple>
#include <utility>

#include "core/model/definition_loader.h"
#include "core/model/paths.h"
#include "core/sys/atomic_write.h"
#include "generator/unit_text.h"

namespace box::generator {

namespace {

std::string dropin_path(const std::string& container) {
  return unit_name(container) + ".d/50-box.conf";
}

std::string pod_dropin_path(const std::string& pod) {
  return pod_unit_name(pod) + ".d/50-box.conf";
}

// A member whose pod will not start: no pod file, masked, broken.
std::optional<std::string> pod_warning(const Definition& def,
                                       const std::map<std::string, const Verdict*>& pods) {
  if (def.pod.empty()) return std::nullopt;
  const std::string prefix = "'pod': '" + def.pod + "' ";
  const std::string fails = ", so " + pod_unit_name(def.pod) + " and " + unit_name(def.name) +
                            " will not start";
  auto it = pods.find(def.pod);
  if (it == pods.end()) return prefix + "has no pod file (pods/" + def.pod + ".yaml)" + fails;
  if (it->second->kind == Verdict::Kind::kMaskedPod) return prefix + "is masked" + fails;
  if (!it->second->ok) return prefix + "has an invalid pod file" + fails;
  return std::nullopt;
}

// Resource keys whose systemd setting needs a cgroup controller.
struct ResourceNeed {
  const char* key;
  const char* controller;
  bool asked;
};

std::vector<std::string> resource_warnings(const Definition& def,
                                           const std::set<std::string>& controllers) {
  std::vector<std::string> out;
  const ResourceNeed needs[] = {
      {"resources.memory", "memory", def.resources.memory.has_value()},
      {"resources.pids", "pids", def.resources.pids.has_value()},
      {"resources.cpu_weight", "cpu", def.resources.cpu_weight.has_value()},
  };
  for (const auto& n : needs)
    if (n.asked && !controllers.count(n.controller))
      out.push_back(std::string("'") + n.key + "' is not enforced: the user manager has no '" +
                    n.controller +
                    "' cgroup controller (cgroup v1 or hybrid hierarchy, or not delegated to "
                    "user@.service); the box still starts");
  return out;
}

// Boxes named in after/requires that will not start: missing, masked, broken.
std::vector<std::string> dependency_warnings(const Definition& def,
                                             const std::map<std::string, const Verdict*>& by_name) {
  std::vector<std::string> out;
  auto check = [&](const std::vector<std::string>& list, const char* key) {
    for (const auto& other : list) {
      const std::string prefix = std::string("'") + key + "': '" + other + "' ";
      auto it = by_name.find(other);
      if (it == by_name.end() && !split_container_name(other)->instance.empty())
        out.push_back(prefix + "is not a declared instance, so " + unit_name(other) +
                      " runs without its generated settings, if its template exists (declare it "
                      "with a '" + other + ".yaml.d/' directory or a '" + other +
                      ".yaml' symlink to the template)");
      else if (it == by_name.end())
        out.push_back(prefix + "has no definition, so " + unit_name(other) + " will not start");
      else if (it->second->kind == Verdict::Kind::kMasked)
        out.push_back(prefix + "is masked, so " + unit_name(other) + " will not start");
      else if (!it->second->ok)
        out.push_back(prefix + "has an invalid definition, so " + unit_name(other) +
                      " will not start");
    }
  };
  check(def.after, "after");
  check(def.requires_, "requires");
  return out;
}

// Ordering cycles through after/requires: systemd would break each by
// dropping a start job at random, so name them before that happens.
std::map<std::string, std::string> find_cycles(const std::vector<Definition>& defs) {
  std::map<std::string, const Definition*> by_name;
  for (const auto& d : defs) by_name[d.name] = &d;
  std::map<std::string, int> state;  // 0 new, 1 on the stack, 2 done
  std::vector<std::string> stack;
  std::map<std::string, std::string> cycle_of;  // member -> "a -> b -> a"
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    state[name] = 1;
    stack.push_back(name);
    const Definition* d = by_name[name];
    for (const auto* list : {&d->after, &d->requires_}) {
      for (const auto& next : *list) {
        if (!by_name.count(next)) continue;
        if (state[next] == 1) {
          auto from = std::find(stack.begin(), stack.end(), next);
          std::string text;
          for (auto it = from; it != stack.end(); ++it) text += *it + " -> ";
          text += next;
          for (auto it = from; it != stack.end(); ++it) cycle_of.emplace(*it, text);
        } else if (state[next] == 0) {
          visit(next);
        }
      }
    }
    stack.pop_back();
    state[name] = 2;
  };
  for (const auto& d : defs)
    if (state[d.name] == 0) visit(d.name);
  return cycle_of;
}

// Runs work(0) .. work(count - 1) on up to `jobs` threads. Loading is most
// of a run (yaml-cpp takes ~70 us for a typical definition, so 1,000 of them
// would take 70 ms on one core); each load reads its own files into its own
// slot, so the result does not depend on the schedule.
void for_each_index(std::size_t count, unsigned jobs, const std::function<void(std::size_t)>& work) {
  if (jobs == 0) jobs = std::min(8u, std::max(1u, std::thread::hardware_concurrency()));
  // A thread costs ~50 us to start: not worth it for a handful of files.
  jobs = static_cast<unsigned>(std::min<std::size_t>(jobs, count / 32 + 1));
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < count;) work(i);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < jobs; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
}

Verdict verdict_for(const DefinitionFile& f, Verdict::Kind kind) {
  Verdict v;
  v.name = f.name;
  v.kind = kind;
  v.path = f.path;
  v.fragments = f.fragments;
  v.overridden = f.overridden;
  return v;
}

}  // namespace

GeneratorOutput plan_output(const GeneratorInput& input) {
  const DefinitionScan scan = scan_definitions(input.search_dirs);
  GeneratorOutput out;
  std::vector<Definition> defs;

  // Everything to load, loaded in parallel, then read in order.
  struct Load {
    const DefinitionFile* file;
    Verdict::Kind kind;
    std::string name;  // what to load it as
    std::optional<Result<Definition>> result;
  };
  std::vector<Load> loads;
  for (const auto& f : scan.containers) loads.push_back({&f, Verdict::Kind::kContainer, f.name, {}});
  // A template is checked as one made-up instance; nothing is written for it.
  for (const auto& f : scan.templates)
    loads.push_back({&f, Verdict::Kind::kTemplate, f.name + kTemplateCheckInstance, {}});
  for_each_index(loads.size(), input.jobs, [&](std::size_t i) {
    Load& l = loads[i];
    if (l.file->masked_by.empty())
      l.result = load_definition(l.file->path, l.file->fragments, l.name, input.context);
  });
  for (auto& l : loads) {
    Verdict v = verdict_for(*l.file, l.kind);
    if (!l.file->masked_by.empty()) {
      v.kind = Verdict::Kind::kMasked;
      v.path = l.file->masked_by;
      v.ok = true;
    } else if (*l.result) {
      v.ok = true;
      if (l.kind == Verdict::Kind::kContainer) defs.push_back(std::move(l.result->value()));
    } else {
      v.message = l.result->error().message();
    }
    out.verdicts.push_back(std::move(v));
  }
  auto add_problems = [&](const std::vector<DefinitionProblem>& problems, bool pod) {
    for (const auto& p : problems) {
      Verdict v;
      v.name = p.name;
      v.kind = Verdict::Kind::kProblem;
      v.path = p.path;
      v.message = p.message;
      v.pod = pod;
      out.verdicts.push_back(std::move(v));
    }
  };
  add_problems(scan.problems, false);

  // Pods: a handful of files, loaded here; their members are the valid
  // boxes that name them.
  const PodScan pod_scan = scan_pods(input.pod_search_dirs);
  std::map<std::string, std::vector<std::string>> members;
  for (const auto& def : defs)
    if (!def.pod.empty()) members[def.pod].push_back(def.name);
  std::vector<PodDefinition> pods;
  for (const auto& f : pod_scan.pods) {
    Verdict v = verdict_for(f, Verdict::Kind::kPod);
    v.pod = true;
    if (!f.masked_by.empty()) {
      v.kind = Verdict::Kind::kMaskedPod;
      v.path = f.masked_by;
      v.ok = true;
    } else if (auto pod = load_resolved_pod(f)) {
      v.ok = true;
      if (!members.count(f.name))
        v.warnings.push_back("no box names this pod ('pod: " + f.name + "'): " +
                             pod_unit_name(f.name) + " starts with no box in it");
      pods.push_back(std::move(*pod));
    } else {
      v.message = pod.error().message();
    }
    out.verdicts.push_back(std::move(v));
  }
  add_problems(pod_scan.problems, true);
  std::sort(out.verdicts.begin(), out.verdicts.end(), [](const Verdict& a, const Verdict& b) {
    return std::tie(a.name, a.pod) < std::tie(b.name, b.pod);
  });

  std::map<std::string, const Verdict*> by_name, pod_by_name;
  std::map<std::string, Verdict*> container_verdict;
  for (auto& v : out.verdicts) {
    (v.pod ? pod_by_name : by_name).emplace(v.name, &v);
    if (v.kind == Verdict::Kind::kContainer) container_verdict[v.name] = &v;
  }
  const auto cycles = find_cycles(defs);
  bool network_wait = false;
  for (const auto& def : defs) {
    Verdict& v = *container_verdict.at(def.name);
    v.warnings = dependency_warnings(def, by_name);
    if (auto w = pod_warning(def, pod_by_name)) v.warnings.push_back(std::move(*w));
    if (auto it = cycles.find(def.name); it != cycles.end())
      v.warnings.push_back("ordering cycle " + it->second +
                           ": systemd will drop a start job to break it");
    if (input.cgroup_controllers)
      for (auto& w : resource_warnings(def, *input.cgroup_controllers))
        v.warnings.push_back(std::move(w));

    out.files.push_back({dropin_path(def.name), dropin_text(def)});
    if (auto wants = autostart_wants_dir(def.autostart); !wants.empty())
      out.links.push_back({wants + "/" + unit_name(def.name), input.template_unit});
    network_wait = network_wait || def.network_online;
  }
  for (const auto& pod : pods) {
    out.files.push_back({pod_dropin_path(pod.name), pod_dropin_text(pod, members[pod.name])});
    if (auto wants = autostart_wants_dir(pod.autostart); !wants.empty())
      out.links.push_back({wants + "/" + pod_unit_name(pod.name), input.pod_template_unit});
  }
  if (network_wait) out.files.push_back({kNetworkOnlineWaitUnit, network_online_wait_unit_text()});
  std::sort(out.files.begin(), out.files.end(),
            [](const OutputFile& a, const OutputFile& b) { return a.path < b.path; });
  std::sort(out.links.begin(), out.links.end(),
            [](const OutputLink& a, const OutputLink& b) { return a.path < b.path; });
  return out;
}

Result<void> write_output(const GeneratorOutput& out, const std::string& dir, unsigned jobs) {
  // Every output path is NAME or SUBDIR/NAME: one level to create at most.
  auto parent = [&](const std::string& rel) -> Result<void> {
    auto slash = rel.find('/');
    if (slash == std::string::npos) return {};
    return ensure_directory(dir + "/" + rel.substr(0, slash));
  };
  // Independent files in their own directories: written in parallel too,
  // a quarter of a run otherwise. The first error by position is reported.
  const std::size_t count = out.files.size() + out.links.size();
  std::vector<std::optional<Error>> errors(count);
  for_each_index(count, jobs, [&](std::size_t i) {
    Result<void> r;
    if (i < out.files.size()) {
      const auto& f = out.files[i];
      r = parent(f.path);
      if (r) r = write_file_atomically(dir + "/" + f.path, f.content);
    } else {
      const auto& l = out.links[i - out.files.size()];
      r = parent(l.path);
      if (r) r = replace_symlink(dir + "/" + l.path, l.target);
    }
    if (!r) errors[i] = r.error();
  });
  for (auto& e : errors)
    if (e) return std::move(*e);
  return {};
}

std::string describe_output(const GeneratorOutput& out) {
  std::string t;
  for (const auto& f : out.files) t += "# ---- " + f.path + "\n" + f.content + "\n";
  for (const auto& l : out.links) t += "# ---- " + l.path + " -> " + l.target + "\n";
  return t;
}

}  // namespace box::generator
