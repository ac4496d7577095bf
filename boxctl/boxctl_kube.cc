#include "boxctl/boxctl_kube.h"

#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "boxctl/boxctl.h"
#include "bus/errors.h"
#include "bus/systemd_client.h"
#include "core/kube/generate.h"
#include "core/kube/image_reference.h"
#include "core/kube/play.h"
#include "core/model/names.h"
#include "core/model/paths.h"
#include "core/sys/atomic_write.h"
#include "install/install.h"
#include "install/install_files.h"
#include "install/kube_play.h"
#include "install/registry_pull.h"
#include "install/source.h"

namespace box::boxctl {
namespace {

// A Kubernetes YAML file is small: a few Pods and their ConfigMaps.
constexpr std::size_t kMaxKubeFileBytes = 4 << 20;

std::string absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[PATH_MAX];
  return std::string(getcwd(cwd, sizeof cwd) ? cwd : "/") + "/" + path;
}

install::InstallContext install_context() {
  auto ctx = install::context_from_environment("box-run");
  if (!ctx) throw Failure{kExitFailure, ctx.error().message()};
  return *ctx;
}

// What `image:` says for a box, and how to get that image where it is read.
kube::GenerateBox generate_input(const Definition& def,
                                 const std::vector<install::InstalledImage>& images,
                                 const install::Locations& locs) {
  kube::GenerateBox box;
  box.definition = def;
  box.data_dirs = {locs.state + "/" + def.name, locs.containers + "/" + def.name};
  const install::InstalledImage* image = nullptr;
  for (const auto& m : images)
    if (!def.image.empty() && m.name == def.image) image = &m;
  if (image && !image->reference.empty()) {
    box.image = image->reference;
    box.image_notes.push_back("image " + box.image + ": installed from " + image->source);
    return box;
  }
  const std::string local = def.image.empty() ? def.name : def.image;
  box.image = "localhost/" + kube::kube_name(local) + ":latest";
  if (image) {
    box.image_notes.push_back(
        "image " + box.image + ": box installed '" + local + "' from " + image->source +
        ", which names no reference; 'boxctl export " + def.name + " oci-archive:" + local +
        ".tar' and 'podman load -i " + local + ".tar' make it one (docs/kube.md)");
  } else if (!def.image.empty()) {
    box.image_notes.push_back("image " + box.image + ": the image '" + local +
                              "' is not installed (no record of it in box)");
  } else {
    box.image_notes.push_back("image " + box.image + ": the box runs the directory " +
                              def.rootfs + ", no image; 'boxctl export " + def.name +
                              " oci-archive:" + local + ".tar' and 'podman load -i " + local +
                              ".tar' make it one (docs/kube.md)");
  }
  return box;
}

// The members of pod `name`: the boxes whose definitions say `pod: NAME`,
// by name (as box-manager's ListPods finds them).
std::vector<Definition> pod_members(const std::vector<std::string>& search, const LoadContext& load,
                                    const std::string& name) {
  std::vector<Definition> members;
  for (const auto& file : scan_definitions(search).containers) {
    if (!file.masked_by.empty()) continue;
    auto def = load_resolved_definition(file, load);
    if (def && def->pod == name) members.push_back(std::move(*def));
  }
  return members;
}

int generate(const std::vector<std::string>& names, bool claims, const std::string& output) {
  auto ictx = install_context();
  const auto search = definition_search_dirs(ictx.dirs);
  const auto load = load_context(ictx.dirs);
  auto images = install::list_installed(ictx);
  if (!images) throw Failure{kExitFailure, images.error().message()};
  const install::Locations locs = install::locations_for(ictx);
  kube::GenerateOptions options;
  options.claims = claims;
  // NAME is a box, else a pod (one Pod of its members).
  std::string text;
  for (const auto& name : names) {
    std::vector<kube::GenerateBox> boxes;
    std::optional<PodDefinition> pod;
    if (resolve_definition(search, name)) {
      auto def = load_container_definition(search, name, load);
      if (!def) throw Failure{kExitInvalidDefinition, def.error().message()};
      if (!def->pod.empty())
        throw Failure{kExitUsage, "box '" + name + "' is in pod '" + def->pod +
                                      "', whose keys it shares: 'boxctl generate kube " +
                                      def->pod + "' writes the pod"};
      boxes.push_back(generate_input(*def, *images, locs));
    } else if (auto p = load_pod(pod_search_dirs(ictx.dirs), name); p) {
      pod = *p;
      for (const auto& def : pod_members(search, load, name))
        boxes.push_back(generate_input(def, *images, locs));
      if (boxes.empty())
        throw Failure{kExitFailure, "pod '" + name + "' has no box (none says 'pod: " + name +
                                        "')"};
    } else if (resolve_pod(pod_search_dirs(ictx.dirs), name)) {
      throw Failure{kExitInvalidDefinition, p.error().message()};
    } else {
      throw Failure{kExitNoSuchContainer, "no box or pod named '" + name + "'"};
    }
    if (!text.empty()) text += "---\n";
    text += kube::generate_kube(boxes, pod ? &*pod : nullptr, options);
  }
  if (output.empty() || output == "-") {
    std::cout << text;
    return kExitOk;
  }
  auto w = write_file_atomically(absolute(output), text, 0644);
  if (!w) throw Failure{kExitFailure, w.error().message()};
  return kExitOk;
}

// --image REF=NAME (an installed image) or REF=SOURCE (an image archive or
// layout, installed first, as the name the reference suggests).
struct ImageArgument {
  std::string reference, name, source;
};

std::vector<ImageArgument> image_arguments(const std::vector<std::string>& args) {
  std::vector<ImageArgument> out;
  for (const auto& a : args) {
    const auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == a.size())
      throw Failure{kExitUsage, "--image '" + a + "': expected REF=NAME or REF=SOURCE"};
    ImageArgument i;
    i.reference = a.substr(0, eq);
    const std::string value = a.substr(eq + 1);
    if (install::is_registry_source(value))
      throw Failure{kExitUsage, "--image '" + a + "': pull it first ('boxctl install " + value +
                                    "'), then give --image " + i.reference + "=NAME"};
    if (value.find(':') != std::string::npos) {
      i.source = value;
      i.name = kube::repository_name(i.reference);
    } else {
      i.name = value;
    }
    out.push_back(i);
  }
  return out;
}

Result<kube::PlayPlan> plan(const std::string& text, const std::string& file,
                            const install::InstallContext& ictx,
                            const std::vector<ImageArgument>& images, bool pending,
                            const PlayKubeOptions& o) {
  kube::PlayContext pc;
  pc.file = file;
  pc.data_home = ictx.dirs.data_home;
  pc.kube_dir = install::kube_dir(ictx);
  pc.ignore_probes = o.ignore_probes;
  pc.allow_host_namespaces = o.allow_host_namespaces;
  auto facts = install::installed_image_facts(ictx);
  if (!facts) return facts.error();
  pc.images = *facts;
  for (const auto& i : images) {
    pc.image_names[i.reference] = i.name;
    if (pending && !i.source.empty()) {
      kube::ImageFacts f;
      f.name = i.name;
      f.pending = true;
      pc.images.erase(std::remove_if(pc.images.begin(), pc.images.end(),
                                     [&](const kube::ImageFacts& x) { return x.name == i.name; }),
                      pc.images.end());
      pc.images.push_back(f);
    }
  }
  return kube::plan_play(text, pc);
}

void stop_quietly(Context& ctx, const std::string& box) {
  try {
    ctx.manager().stop(box);
  } catch (const sdbus::Error& e) {
    if (e.getName() != manager::kNotRunning && e.getName() != manager::kNoSuchContainer) throw;
  }
}

int down(Context& ctx, const std::string& file, const std::string& text, bool json) {
  auto ictx = install_context();
  auto names = kube::played_names(text, file);
  if (!names) throw Failure{kExitFailure, names.error().message()};
  std::vector<install::PlayRecord> records;
  for (const auto& n : *names) {
    auto r = install::read_play_record(ictx, n);
    if (!r) throw Failure{kExitFailure, r.error().message()};
    records.push_back(*r);
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : records) {
    // A box pod's unit stops its boxes, then itself.
    if (!r.pod_file.empty()) {
      auto stopped = manager::stop_user_unit(pod_unit_name(r.name));
      if (!stopped) throw Failure{kExitFailure, stopped.error().message()};
    }
    for (const auto& b : r.boxes) stop_quietly(ctx, b);
    auto notes = install::remove_play(ictx, r);
    if (!notes) throw Failure{kExitFailure, notes.error().message()};
    for (const auto& n : *notes) std::cerr << "note: " << n << "\n";
    out.push_back({{"name", r.name}, {"boxes", r.boxes}, {"notes", *notes}});
    if (!json) {
      std::cout << "Removed " << r.name << " (";
      for (std::size_t i = 0; i < r.boxes.size(); ++i)
        std::cout << (i ? ", " : "") << "box " << r.boxes[i];
      std::cout << ")\n";
    }
  }
  ctx.manager().reload();
  if (json) std::cout << out.dump(2) << "\n";
  return kExitOk;
}

}  // namespace

int play_kube(Context& ctx, const PlayKubeOptions& o) {
  const std::string file = absolute(o.file);
  auto text = install::read_file(file, kMaxKubeFileBytes, image::FinalSymlink::kFollow);
  if (!text) throw Failure{kExitFailure, text.error().message()};
  if (o.down) return down(ctx, o.file, *text, o.json);
  auto ictx = install_context();
  const auto images = image_arguments(o.images);
  // Everything is checked before any image is installed, then planned
  // again with what the installed images' configs say.
  for (const auto& ns : o.allow_host_namespaces)
    if (ns != "pid" && ns != "ipc")
      throw Failure{kExitUsage, "--allow-host-namespace '" + ns + "': expected pid or ipc"};
  auto checked = plan(*text, o.file, ictx, images, true, o);
  if (!checked) throw Failure{kExitFailure, checked.error().message()};
  std::vector<std::string> installed;
  auto undo_images = [&] {
    for (const auto& name : installed) (void)install::uninstall(ictx, name, true);
  };
  for (const auto& i : images) {
    if (i.source.empty()) continue;
    char cwd[PATH_MAX];
    auto src = install::parse_source(i.source, getcwd(cwd, sizeof cwd) ? cwd : "/");
    if (!src) throw Failure{kExitUsage, "--image " + i.reference + "=" + i.source + ": " +
                                            src.error().message()};
    auto existing = install::list_installed(ictx);
    if (!existing) throw Failure{kExitFailure, existing.error().message()};
    bool same = false;
    for (const auto& m : *existing)
      if (m.name == i.name) {
        if (m.source != install::to_text(*src)) {
          undo_images();
          throw Failure{kExitFailure,
                        "--image " + i.reference + "=" + i.source + ": an image named '" + i.name +
                            "' is installed already, from " + m.source +
                            ": install this one under another name and give --image " +
                            i.reference + "=NAME"};
        }
        same = true;
      }
    if (same) continue;
    install::InstallOptions options;
    options.name = i.name;
    std::cerr << "Installing " << i.source << " as image '" << i.name << "'...\n";
    auto m = install::install(ictx, install::to_text(*src), options, nullptr);
    if (!m) {
      undo_images();
      throw Failure{kExitFailure, m.error().message()};
    }
    installed.push_back(i.name);
  }
  auto planned = plan(*text, o.file, ictx, images, false, o);
  if (!planned) {
    undo_images();
    throw Failure{kExitFailure, planned.error().message()};
  }
  for (const auto& pod : planned->pods)
    for (const auto& n : pod.notes) std::cerr << "note: " << n << "\n";
  auto records = install::write_play(ictx, *planned, file, o.replace);
  if (!records) {
    undo_images();
    throw Failure{kExitFailure, records.error().message()};
  }
  ctx.manager().reload();
  nlohmann::json out = nlohmann::json::array();
  int code = kExitOk;
  for (const auto& r : *records) {
    std::vector<std::string> started;
    if (o.start)
      for (const auto& b : r.boxes) {
        try {
          ctx.manager().start(b);
          started.push_back(b);
        } catch (const sdbus::Error& e) {
          // A member's start starts its pod, which starts the others.
          if (e.getName() == manager::kAlreadyRunning)
            started.push_back(b);
          else if (code == kExitOk)
            code = ctx.report(e);
        }
      }
    out.push_back({{"name", r.name}, {"boxes", r.boxes}, {"definitions", r.definitions},
                   {"pod_file", r.pod_file}, {"started", started}});
    if (!o.json) {
      std::cout << "Played " << r.name << " from " << o.file << ":";
      for (const auto& b : r.boxes)
        std::cout << " box " << b
                  << (std::find(started.begin(), started.end(), b) != started.end() ? " (started)"
                                                                                    : "");
      std::cout << "\n";
    }
  }
  if (o.json) std::cout << out.dump(2) << "\n";
  return code;
}

namespace {

class Commands : public KubeCommands {
 public:
  explicit Commands(CLI::App& app) {
    generate_ = app.add_subcommand("generate", "Write boxes as the YAML of another system");
    generate_->require_subcommand(1);
    gkube_ = generate_->add_subcommand(
        "kube", "Write boxes as Kubernetes Pods (YAML) that podman and clusters can run");
    gkube_->add_option("NAME", names_, "Box or pod names (one Pod each)")->required();
    gkube_->add_option("-f,--filename", output_, "Write the YAML to this file (default: stdout)");
    gkube_->add_flag("--claims", claims_,
                     "Binds of a box's own data as PersistentVolumeClaims (default: hostPath)");

    play_ = app.add_subcommand("play", "Run the YAML of another system as boxes");
    play_->require_subcommand(1);
    pkube_ = play_->add_subcommand(
        "kube", "Make boxes of Kubernetes YAML (Pods, Deployments, ConfigMaps, Secrets) and "
                "start them");
    pkube_->add_option("FILE", options_.file, "The YAML file")->required();
    pkube_->add_flag("--down", options_.down, "Stop and remove what playing FILE made");
    pkube_->add_flag("--replace", options_.replace, "Play FILE again over its earlier play");
    pkube_->add_option("--image", options_.images,
                       "REF=NAME: the installed image NAME is REF; REF=SOURCE: install "
                       "SOURCE (oci-archive:FILE, docker-archive:FILE, oci:DIR) for REF "
                       "(repeatable)")
        ->allow_extra_args(false);
    pkube_->add_flag("--ignore-probes", options_.ignore_probes,
                     "Play containers with probes without them (box has none)");
    pkube_->add_option("--allow-host-namespace", options_.allow_host_namespaces,
                       "Let a Pod share this namespace with the host (hostPID, hostIPC): pid or "
                       "ipc (repeatable)")
        ->allow_extra_args(false);
    pkube_->add_flag("--no-start", no_start_, "Write the boxes, do not start them");
    pkube_->add_flag("--json", options_.json, "Print JSON for scripts");
  }

  std::optional<int> run() override {
    if (!*generate_ && !*play_) return std::nullopt;
    Context ctx;
    try {
      if (*gkube_) return generate(names_, claims_, output_);
      options_.start = !no_start_;
      return play_kube(ctx, options_);
    } catch (const Failure& f) {
      complain(f.message);
      return f.code;
    } catch (const sdbus::Error& e) {
      return ctx.report(e);
    }
  }

 private:
  CLI::App* generate_;
  CLI::App* gkube_;
  CLI::App* play_;
  CLI::App* pkube_;
  std::vector<std::string> names_;
  std::string output_;
  bool claims_ = false, no_start_ = false;
  PlayKubeOptions options_;
};

}  // namespace

std::unique_ptr<KubeCommands> add_kube_commands(CLI::App& app) {
  return std::make_unique<Commands>(app);
}

}  // namespace box::boxctl
