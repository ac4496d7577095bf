#include "install/kube_play.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/image/definition_draft.h"
#include "core/image/userns.h"
#include "core/model/definition_loader.h"
#include "core/model/paths.h"
#include "core/model/pod_loader.h"
#include "install/host_policy.h"
#include "install/image_metadata.h"
#include "install/install_files.h"

namespace box::install {
namespace {

constexpr const char* kRecordFile = "play.json";
// The first line of what play writes: what --down may remove.
constexpr const char* kMarker = "# Made by 'boxctl play kube'";

std::string record_path(const InstallContext& ctx, const std::string& name) {
  return kube_dir(ctx) + "/" + name + "/" + kRecordFile;
}

// The user's pods, beside the user's definitions (~/.config/box/pods).
std::string pods_dir(const InstallContext& ctx) {
  return pod_dirs_beside({locations_for(ctx).definitions}).front();
}

std::string record_to_json(const PlayRecord& r) {
  return nlohmann::json{{"name", r.name},
                        {"source", r.source},
                        {"boxes", r.boxes},
                        {"definitions", r.definitions},
                        {"pod_file", r.pod_file}}
             .dump(2) +
         "\n";
}

bool made_by_play(const std::string& path) {
  auto text = read_file(path, kMaxDefinitionBytes);
  return text && text->rfind(kMarker, 0) == 0;
}

// A hostPath volume as its type says, below the data directory once
// symlinks are resolved; the *OrCreate types make it.
Result<void> check_host_path(const InstallContext& ctx, const kube::HostPath& hp) {
  struct stat st;
  const bool exists = ::stat(hp.path.c_str(), &st) == 0;
  const std::string where = hp.place + ": '" + hp.path + "'";
  // What an image may not reach, a YAML file may not either: desktop
  // entries, D-Bus services, units, your other boxes (host_policy.h).
  const HostPlaces places = host_places_for(ctx);
  if (auto why = runs_code_or_configures(hp.path, places))
    return Error(where + " is where programs find code or settings (" + *why +
                 "): a Pod may not bind it");
  if (!exists) {
    if (hp.type == "DirectoryOrCreate") return make_dirs(hp.path, 0755);
    if (hp.type == "FileOrCreate") {
      auto dir = make_dirs(hp.path.substr(0, hp.path.rfind('/')), 0755);
      if (!dir) return dir;
      return write_file_atomic(hp.path, "", 0644);
    }
    if (hp.type.empty()) return {};  // as the kubelet, no check: the start says
    return Error(where + " does not exist (type " + hp.type + ")");
  }
  char real[PATH_MAX];
  if (!::realpath(hp.path.c_str(), real)) return Error::from_errno(where);
  char data[PATH_MAX];
  const std::string data_home = ::realpath(ctx.dirs.data_home.c_str(), data) ? data : ctx.dirs.data_home;
  if (std::string(real).rfind(data_home + "/", 0) != 0)
    return Error(where + " leads to '" + real + "', outside your data directory");
  if (auto why = runs_code_or_configures(real, places))
    return Error(where + " leads to '" + real + "', where programs find code or settings (" +
                 *why + "): a Pod may not bind it");
  const bool dir_type = hp.type == "Directory" || hp.type == "DirectoryOrCreate";
  const bool file_type = hp.type == "File" || hp.type == "FileOrCreate";
  if (dir_type && !S_ISDIR(st.st_mode)) return Error(where + " is not a directory");
  if (file_type && !S_ISREG(st.st_mode)) return Error(where + " is not a regular file");
  return {};
}

Result<void> write_exact(const std::string& path, const std::string& content, unsigned mode) {
  auto dir = make_dirs(path.substr(0, path.rfind('/')), 0755);
  if (!dir) return dir;
  auto w = write_file_atomic(path, content, mode);
  if (!w) return w;
  if (::chmod(path.c_str(), mode) != 0) return Error::from_errno("chmod '" + path + "'");
  return {};
}

Result<void> make_exact_dir(const std::string& path, unsigned mode) {
  auto made = make_dirs(path, mode);
  if (!made) return made;
  if (::chmod(path.c_str(), mode) != 0) return Error::from_errno("chmod '" + path + "'");
  return {};
}

// One Pod of the plan, with its texts made and checked.
struct Staged {
  const kube::PlayPod* pod;
  PlayRecord record;
  std::vector<std::pair<std::string, std::string>> definitions;  // path, text
  std::vector<bool> secret;
  std::optional<PlayRecord> previous;
};

}  // namespace

std::string kube_dir(const InstallContext& ctx) { return ctx.dirs.data_home + "/box/kube"; }

Result<std::vector<kube::ImageFacts>> installed_image_facts(const InstallContext& ctx) {
  auto list = list_installed(ctx);
  if (!list) return list.error();
  std::vector<kube::ImageFacts> out;
  for (const auto& m : *list) {
    kube::ImageFacts f;
    f.name = m.name;
    f.reference = m.reference;
    f.source = m.source;
    f.config_known = m.config_recorded;
    f.entrypoint = m.entrypoint;
    f.cmd = m.cmd;
    for (const auto& e : m.env) {
      auto eq = e.find('=');
      if (eq != std::string::npos && eq > 0) f.env.emplace_back(e.substr(0, eq), e.substr(eq + 1));
    }
    f.workdir = m.working_dir;
    f.user = m.user;
    out.push_back(std::move(f));
  }
  return out;
}

Result<PlayRecord> read_play_record(const InstallContext& ctx, const std::string& name) {
  const std::string path = record_path(ctx, name);
  auto text = read_file(path, kMaxMetadataBytes);
  if (!text) return Error("no play of Pod '" + name + "' is recorded (" + path + ")");
  try {
    auto j = nlohmann::json::parse(*text);
    PlayRecord r;
    r.name = j.at("name").get<std::string>();
    r.source = j.value("source", "");
    r.boxes = j.value("boxes", std::vector<std::string>{});
    r.definitions = j.value("definitions", std::vector<std::string>{});
    r.pod_file = j.value("pod_file", "");
    if (r.name != name) return Error(path + ": it records Pod '" + r.name + "', not '" + name + "'");
    return r;
  } catch (const nlohmann::json::exception& e) {
    return Error(path + ": " + e.what());
  }
}

Result<std::vector<std::string>> remove_play(const InstallContext& ctx, const PlayRecord& record) {
  std::vector<std::string> notes;
  const Locations locs = locations_for(ctx);
  auto files = record.definitions;
  if (!record.pod_file.empty()) files.push_back(record.pod_file);
  for (const auto& f : files) {
    // Only where play writes, and only what it wrote: a file the user put
    // there since stays.
    const bool ours = f.rfind(locs.definitions + "/", 0) == 0 || f.rfind(pods_dir(ctx) + "/", 0) == 0;
    if (!ours || !exists_nofollow(f)) continue;
    if (!made_by_play(f)) {
      notes.push_back("left '" + f + "': not written by boxctl play kube");
      continue;
    }
    if (::unlink(f.c_str()) != 0) return Error::from_errno("remove '" + f + "'");
  }
  const image::IdMapping mapping =
      image::id_mapping_for(ctx.uid, ctx.gid, ctx.user, ctx.subuid_file, ctx.subgid_file);
  const std::string dir = kube_dir(ctx) + "/" + record.name;
  if (is_dir(dir)) {
    auto r = image::remove_tree_as_owner(mapping, dir);
    if (!r) return r.error().wrap("remove '" + dir + "'");
  }
  return notes;
}

Result<std::vector<PlayRecord>> write_play(const InstallContext& ctx, const kube::PlayPlan& plan,
                                           const std::string& source, bool replace) {
  const Locations locs = locations_for(ctx);
  const std::string kube = kube_dir(ctx);
  std::vector<Staged> staged;
  // 1. every name free (or this file's own play, with replace); every text loads.
  for (const auto& pod : plan.pods) {
    Staged s;
    s.pod = &pod;
    if (exists_nofollow(record_path(ctx, pod.name))) {
      auto previous = read_play_record(ctx, pod.name);
      if (!previous) return previous.error();
      if (previous->source != source)
        return Error("Pod '" + pod.name + "' was played from '" + previous->source +
                     "': 'boxctl play kube --down " + previous->source + "' removes it first");
      if (!replace)
        return Error("Pod '" + pod.name + "' is played already: 'boxctl play kube --replace " +
                     source + "' plays it again, '--down' removes it");
      s.previous = *previous;
    }
    auto previously = [&](const std::string& path) {
      return s.previous &&
             (std::find(s.previous->definitions.begin(), s.previous->definitions.end(), path) !=
                  s.previous->definitions.end() ||
              s.previous->pod_file == path);
    };
    s.record.name = pod.name;
    s.record.source = source;
    const std::vector<std::string> header = {
        std::string(kMarker).substr(2) + " from " + source + " (" + pod.kind + " " + pod.name +
            ");",
        "'boxctl play kube --down " + source + "' removes it."};
    for (const auto& box : pod.boxes) {
      const std::string path = locs.definitions + "/" + box.name + ".yaml";
      if (exists_nofollow(path) && !previously(path))
        return Error("a box named '" + box.name + "' exists already (" + path +
                     "): Pod '" + pod.name + "' would replace it");
      std::string text = image::to_yaml(box.draft, header);
      auto check = parse_definition_sources({{path, text}}, box.name, load_context(ctx.dirs));
      if (!check)
        return check.error().wrap("the definition made for container '" + box.name +
                                  "' does not load");
      s.definitions.emplace_back(path, text);
      s.secret.push_back(box.secret);
      s.record.boxes.push_back(box.name);
      s.record.definitions.push_back(path);
    }
    if (!pod.pod_file.empty()) {
      s.record.pod_file = pods_dir(ctx) + "/" + pod.name + ".yaml";
      if (exists_nofollow(s.record.pod_file) && !previously(s.record.pod_file))
        return Error("a pod named '" + pod.name + "' exists already (" + s.record.pod_file + ")");
      auto check = parse_pod_sources({{s.record.pod_file, pod.pod_file}}, pod.name);
      if (!check) return check.error().wrap("the pod file made for '" + pod.name + "' does not load");
    }
    staged.push_back(std::move(s));
  }
  for (const auto& s : staged)
    for (const auto& hp : s.pod->host_paths)
      if (auto r = check_host_path(ctx, hp); !r) return r.error();

  // 2. what the plays replaced goes, then each Pod is written; a failure
  // removes what this call wrote.
  for (const auto& s : staged)
    if (s.previous) {
      auto removed = remove_play(ctx, *s.previous);
      if (!removed) return removed.error();
    }
  std::vector<PlayRecord> written;
  auto undo = [&](Error e) -> Error {
    for (const auto& r : written) (void)remove_play(ctx, r);
    return e;
  };
  if (auto r = make_exact_dir(kube, 0700); !r) return r.error();
  for (const auto& s : staged) {
    const kube::PlayPod& pod = *s.pod;
    const std::string dir = kube + "/" + pod.name;
    // Recorded first, so that a failure below is undone like the rest.
    written.push_back(s.record);
    auto step = [&]() -> Result<void> {
      if (auto r = make_exact_dir(dir, 0700); !r) return r;
      for (const auto& d : pod.file_dirs)
        if (auto r = make_exact_dir(dir + "/" + d, 0755); !r) return r;
      for (const auto& f : pod.files)
        if (auto r = write_exact(dir + "/" + f.path, f.content, f.mode); !r) return r;
      // emptyDir and claims are written by whatever uid the container
      // has, as the kubelet makes them (0777).
      for (const auto& d : pod.dirs)
        if (auto r = make_exact_dir(dir + "/" + d, 0777); !r) return r;
      for (const auto& c : pod.claims) {
        const std::string claim = kube::claim_dir(kube, c);
        if (is_dir(claim)) continue;
        if (auto r = make_exact_dir(claim, 0777); !r) return r;
      }
      if (auto r = write_exact(dir + "/" + kRecordFile, record_to_json(s.record), 0600); !r)
        return r;
      if (!pod.pod_file.empty()) {
        if (auto r = make_dirs(pods_dir(ctx)); !r) return r;
        const std::string text = std::string(kMarker) + " from " + source + ".\n" + pod.pod_file;
        if (auto r = write_exact(s.record.pod_file, text, 0644); !r) return r;
      }
      if (auto r = make_dirs(locs.definitions); !r) return r;
      for (std::size_t i = 0; i < s.definitions.size(); ++i)
        if (auto r = write_exact(s.definitions[i].first, s.definitions[i].second,
                                 s.secret[i] ? 0600 : 0644);
            !r)
          return r;
      return {};
    };
    if (auto r = step(); !r) return undo(r.error().wrap("play Pod '" + pod.name + "'"));
  }
  return written;
}

}  // namespace box::install
