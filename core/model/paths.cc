#include "core/model/paths.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "core/model/definition.h"

namespace box {

namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

constexpr std::string_view kSuffix = ".yaml";
constexpr std::string_view kDropinSuffix = ".yaml.d";

bool has_suffix(const std::string& s, std::string_view suffix) {
  return s.size() > suffix.size() && s.ends_with(suffix);
}

std::string strip(const std::string& s, std::string_view suffix) {
  return s.substr(0, s.size() - suffix.size());
}

// What a directory entry is to the resolver. Symlinks are followed, as
// systemd follows them for unit files; a dangling one is as good as absent.
enum class Entry { kMissing, kFile, kMasked, kDirectory };

Entry classify(const struct stat& st) {
  if (S_ISREG(st.st_mode)) return Entry::kFile;
  if (S_ISDIR(st.st_mode)) return Entry::kDirectory;
  // systemd's convention for "switched off here": a symlink to /dev/null.
  if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) return Entry::kMasked;
  return Entry::kMissing;
}

Entry classify_at(int dirfd, const char* name) {
  struct stat st {};
  if (::fstatat(dirfd, name, &st, 0) != 0) return Entry::kMissing;
  return classify(st);
}

Entry classify_path(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Entry::kMissing;
  return classify(st);
}

// Calls `each(name, d_type, dirfd)` for every non-hidden entry of `path`;
// a missing or unreadable directory has no entries.
template <typename F>
void for_each_entry(const std::string& path, F each) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return;
  }
  while (struct dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.') continue;  // ".", "..", and hidden files (editors, tools)
    each(std::string(e->d_name), e->d_type, ::dirfd(dir));
  }
  ::closedir(dir);
}

using Dropins = std::vector<std::pair<std::string, Entry>>;  // file name -> what it is

// The *.yaml entries of a drop-in directory.
Dropins list_dropin_dir(const std::string& path) {
  Dropins out;
  for_each_entry(path, [&](const std::string& name, unsigned char type, int dirfd) {
    if (!has_suffix(name, kSuffix)) return;
    Entry e = type == DT_REG ? Entry::kFile : classify_at(dirfd, name.c_str());
    if (e == Entry::kFile || e == Entry::kMasked) out.emplace_back(name, e);
  });
  return out;
}

// How resolution sees the search dirs. Two views give the same answers: one
// asks the file system per lookup (box-run start: a handful of stats), one
// lists each dir once up front (the generator: thousands of lookups).
class SearchView {
 public:
  explicit SearchView(const std::vector<std::string>& dirs) : dirs_(dirs) {}
  virtual ~SearchView() = default;
  const std::vector<std::string>& dirs() const { return dirs_; }
  // `file` (a *.yaml name) in dir number `i`: kFile, kMasked or kMissing.
  virtual Entry file(std::size_t i, const std::string& file) const = 0;
  // The fragments in dir number `i`'s `subdir` (a *.yaml.d name).
  virtual Dropins dropins(std::size_t i, const std::string& subdir) const = 0;

 private:
  const std::vector<std::string>& dirs_;
};

class LiveView final : public SearchView {
 public:
  using SearchView::SearchView;
  Entry file(std::size_t i, const std::string& file) const override {
    Entry e = classify_path(dirs()[i] + "/" + file);
    return e == Entry::kDirectory ? Entry::kMissing : e;
  }
  Dropins dropins(std::size_t i, const std::string& subdir) const override {
    return list_dropin_dir(dirs()[i] + "/" + subdir);
  }
};

class ListedView final : public SearchView {
 public:
  explicit ListedView(const std::vector<std::string>& dirs)
      : SearchView(dirs), listed_(dirs.size()) {
    for (std::size_t i = 0; i < dirs.size(); ++i) {
      for_each_entry(dirs[i], [&](const std::string& name, unsigned char type, int dirfd) {
        const bool yaml = has_suffix(name, kSuffix), dropin_dir = has_suffix(name, kDropinSuffix);
        if (!yaml && !dropin_dir) return;
        // d_type saves a stat for plain files; symlinks and unknowns are followed.
        Entry e = type == DT_REG   ? Entry::kFile
                  : type == DT_DIR ? Entry::kDirectory
                                   : classify_at(dirfd, name.c_str());
        if (yaml && (e == Entry::kFile || e == Entry::kMasked)) listed_[i].files.emplace(name, e);
        if (dropin_dir && e == Entry::kDirectory) listed_[i].dropin_dirs.insert(name);
      });
    }
  }
  Entry file(std::size_t i, const std::string& file) const override {
    auto it = listed_[i].files.find(file);
    return it == listed_[i].files.end() ? Entry::kMissing : it->second;
  }
  Dropins dropins(std::size_t i, const std::string& subdir) const override {
    if (!listed_[i].dropin_dirs.count(subdir)) return {};
    return list_dropin_dir(dirs()[i] + "/" + subdir);
  }
  const std::map<std::string, Entry>& files(std::size_t i) const { return listed_[i].files; }
  const std::set<std::string>& dropin_dirs(std::size_t i) const { return listed_[i].dropin_dirs; }

 private:
  struct Listing {
    std::map<std::string, Entry> files;  // *.yaml: kFile or kMasked
    std::set<std::string> dropin_dirs;   // *.yaml.d directories
  };
  std::vector<Listing> listed_;
};

// The one resolution algorithm (see DefinitionFile in paths.h), over a view.
// `what` names the kind of file in the error: "container" or "pod".
Result<DefinitionFile> resolve_in(const SearchView& view, const std::string& name,
                                  const char* what = "container") {
  if (auto r = check_container_name(name); !r) return r.error();
  auto parts = split_container_name(name);
  const auto& dirs = view.dirs();
  // An instance's own file wins over its template, wherever either lives,
  // as systemd prefers foo@bar.service to foo@.service.
  std::vector<std::string> candidates = {name + std::string(kSuffix)};
  if (!parts->instance.empty()) candidates.push_back(parts->base + "@" + std::string(kSuffix));

  DefinitionFile out;
  out.name = name;
  std::string chosen;
  for (const auto& file : candidates) {
    for (std::size_t i = 0; i < dirs.size(); ++i) {
      Entry e = view.file(i, file);
      if (e == Entry::kMissing) continue;
      const std::string path = dirs[i] + "/" + file;
      if (chosen.empty()) {
        chosen = file;
        (e == Entry::kMasked ? out.masked_by : out.path) = path;
      } else if (file == chosen && e == Entry::kFile) {
        out.overridden.push_back(path);
      }
    }
    if (!chosen.empty()) break;
  }
  if (chosen.empty()) {
    std::string looked;
    for (const auto& file : candidates)
      for (const auto& dir : dirs) looked += (looked.empty() ? "" : ", ") + dir + "/" + file;
    return Error("no definition for " + std::string(what) + " '" + name + "' (looked for " +
                 looked + ")");
  }
  if (!out.masked_by.empty()) return out;

  std::vector<std::string> subdirs = {name + std::string(kDropinSuffix)};
  if (!parts->instance.empty()) subdirs.push_back(parts->base + "@" + std::string(kDropinSuffix));
  std::map<std::string, std::pair<Entry, std::string>> by_file_name;  // sorted: the apply order
  for (std::size_t i = 0; i < dirs.size(); ++i)
    for (const auto& sub : subdirs)
      for (auto& [file, e] : view.dropins(i, sub))
        by_file_name.emplace(file, std::make_pair(e, dirs[i] + "/" + sub + "/" + file));
  for (auto& [file, entry] : by_file_name)
    if (entry.first == Entry::kFile) out.fragments.push_back(std::move(entry.second));
  return out;
}

}  // namespace

Result<UserDirs> user_dirs_from_environment() {
  UserDirs d;
  d.home = env_or_empty("HOME");
  if (d.home.empty()) {
    struct passwd* pw = getpwuid(getuid());
    if (!pw || !pw->pw_dir || !*pw->pw_dir)
      return Error("cannot determine the home directory: $HOME is unset and uid " +
                   std::to_string(getuid()) + " has no passwd entry");
    d.home = pw->pw_dir;
  }
  // XDG says relative values are invalid and must be ignored.
  auto xdg = [&](const char* var, const char* fallback) {
    std::string v = env_or_empty(var);
    return (!v.empty() && v.front() == '/') ? v : d.home + fallback;
  };
  d.config_home = xdg("XDG_CONFIG_HOME", "/.config");
  d.data_home = xdg("XDG_DATA_HOME", "/.local/share");
  d.runtime_dir = env_or_empty("XDG_RUNTIME_DIR");
  d.containers_path = env_or_empty("BOX_CONTAINERS_PATH");
  d.uid = getuid();
  return d;
}

LoadContext load_context(const UserDirs& dirs, const std::string& instance) {
  return LoadContext{dirs.home, dirs.data_home, instance, dirs.runtime_dir, dirs.uid};
}

std::vector<std::string> definition_search_dirs(const UserDirs& dirs) {
  if (!dirs.containers_path.empty()) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= dirs.containers_path.size()) {
      std::size_t end = dirs.containers_path.find(':', start);
      if (end == std::string::npos) end = dirs.containers_path.size();
      std::string dir = dirs.containers_path.substr(start, end - start);
      // Relative entries would depend on the caller's working directory.
      if (!dir.empty() && dir.front() == '/') out.push_back(std::move(dir));
      start = end + 1;
    }
    if (!out.empty()) return out;
  }
  return {dirs.config_home + "/box/containers", "/etc/box/containers", "/usr/share/box/containers"};
}

Result<DefinitionFile> resolve_definition(const std::vector<std::string>& search_dirs,
                                          const std::string& name) {
  return resolve_in(LiveView(search_dirs), name);
}

// A check that stopped before any definition file was read.
static DefinitionCheck check_failed(std::string message) {
  DefinitionCheck check;
  check.errors.push_back(std::move(message));
  return check;
}

Result<Definition> load_container_definition(const std::vector<std::string>& search_dirs,
                                             const std::string& name, const LoadContext& ctx) {
  return definition_or_first_error(check_container_definition(search_dirs, name, ctx));
}

DefinitionCheck check_container_definition(const std::vector<std::string>& search_dirs,
                                           const std::string& name, const LoadContext& ctx) {
  auto files = resolve_definition(search_dirs, name);
  auto sources = files ? read_resolved_sources(*files)
                       : Result<std::vector<DefinitionSource>>(files.error());
  if (!sources) return check_failed(sources.error().message());
  return check_definition_sources(*sources, files->name, ctx);
}

Result<std::vector<DefinitionSource>> read_resolved_sources(const DefinitionFile& files) {
  if (!files.masked_by.empty())
    return Error("container '" + files.name + "' is masked by '" + files.masked_by +
                 "' (a symlink to /dev/null); remove it to use the definition again");
  return read_definition_sources(files.path, files.fragments);
}

Result<Definition> load_resolved_definition(const DefinitionFile& files, const LoadContext& ctx) {
  auto sources = read_resolved_sources(files);
  if (!sources) return sources.error();
  return parse_definition_sources(*sources, files.name, ctx);
}

std::vector<std::string> fragments_beside(const std::string& main_file) {
  Dropins found = list_dropin_dir(main_file + ".d");
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (const auto& [file, e] : found)
    if (e == Entry::kFile) out.push_back(main_file + ".d/" + file);
  return out;
}

Result<Definition> load_definition_at(const std::string& file, const LoadContext& ctx) {
  return definition_or_first_error(check_definition_at(file, ctx));
}

DefinitionCheck check_definition_at(const std::string& file, const LoadContext& ctx) {
  std::string name = file.substr(file.rfind('/') + 1);
  if (name.ends_with(kSuffix)) name.resize(name.size() - kSuffix.size());
  if (name.ends_with('@')) {
    if (auto r = check_plain_name(name.substr(0, name.size() - 1), "template name"); !r)
      return check_failed(file + ": " + r.error().message());
    name += kTemplateCheckInstance;
  }
  auto sources = read_definition_sources(file, fragments_beside(file));
  if (!sources) return check_failed(sources.error().message());
  return check_definition_sources(*sources, name, ctx);
}

DefinitionScan scan_definitions(const std::vector<std::string>& search_dirs) {
  ListedView view(search_dirs);
  DefinitionScan scan;
  std::set<std::string> names;                          // containers to resolve
  std::map<std::string, std::string> templates;         // base -> first path seen
  std::set<std::string> instantiated;                   // bases with a declared instance
  std::map<std::string, std::string> template_dropins;  // base -> first web@.yaml.d seen
  std::map<std::string, DefinitionProblem> problems;

  // What a file or drop-in dir stem ("etcd", "web@", "web@blue") stands for.
  auto note = [&](const std::string& stem, const std::string& path, bool is_dropin_dir) {
    Result<void> valid;
    if (stem.ends_with('@')) {
      const std::string base = stem.substr(0, stem.size() - 1);
      valid = check_plain_name(base, "template name");
      if (valid) {
        (is_dropin_dir ? template_dropins : templates).emplace(base, path);
        return;
      }
    } else if (auto parts = split_container_name(stem)) {
      names.insert(stem);
      if (!parts->instance.empty()) instantiated.insert(parts->base);
      return;
    } else {
      valid = check_container_name(stem);
    }
    problems.emplace(stem, DefinitionProblem{stem, path, valid.error().message()});
  };
  for (std::size_t i = 0; i < search_dirs.size(); ++i) {
    for (const auto& [file, e] : view.files(i))
      note(strip(file, kSuffix), search_dirs[i] + "/" + file, false);
    for (const auto& sub : view.dropin_dirs(i)) {
      note(strip(sub, kDropinSuffix), search_dirs[i] + "/" + sub, true);
      scan.dropin_dirs.push_back(search_dirs[i] + "/" + sub);
    }
  }

  for (const auto& name : names) {
    auto r = resolve_in(view, name);
    if (r) {
      scan.containers.push_back(std::move(*r));
      continue;
    }
    // Only drop-ins (or an instance of a template nobody wrote): say where.
    std::string where;
    for (std::size_t i = 0; i < search_dirs.size() && where.empty(); ++i)
      if (view.dropin_dirs(i).count(name + std::string(kDropinSuffix)))
        where = search_dirs[i] + "/" + name + std::string(kDropinSuffix);
    problems.emplace(
        name,
        DefinitionProblem{name, where, "drop-ins in '" + where + "' but " + r.error().message()});
  }
  for (const auto& [base, path] : template_dropins)
    if (!templates.count(base))
      problems.emplace(base + "@",
                       DefinitionProblem{base + "@", path,
                                         "drop-ins in '" + path + "' but no template '" + base +
                                             "@.yaml' in the search path"});
  for (const auto& [base, path] : templates) {
    if (instantiated.count(base)) continue;
    auto r = resolve_in(view, base + "@" + kTemplateCheckInstance);
    if (!r) continue;  // cannot happen: the template file is there
    r->name = base + "@";
    scan.templates.push_back(std::move(*r));
  }
  for (auto& [name, p] : problems) scan.problems.push_back(std::move(p));
  return scan;
}

std::vector<DefinitionFile> list_definition_files(const std::vector<std::string>& search_dirs) {
  std::vector<DefinitionFile> out;
  for (auto& f : scan_definitions(search_dirs).containers)
    if (f.masked_by.empty()) out.push_back(std::move(f));
  return out;
}

Result<std::string> find_definition_file(const std::vector<std::string>& search_dirs,
                                         const std::string& name) {
  auto files = resolve_definition(search_dirs, name);
  if (!files) return files.error();
  if (!files->masked_by.empty())
    return Error("container '" + name + "' is masked by '" + files->masked_by + "'");
  return files->path;
}

}  // namespace box

namespace box {

std::vector<std::string> pod_dirs_beside(const std::vector<std::string>& definition_dirs) {
  std::vector<std::string> out;
  for (const auto& dir : definition_dirs) {
    std::string parent = dir.substr(0, dir.find_last_not_of('/') + 1);
    parent = parent.substr(0, parent.rfind('/'));
    out.push_back(parent + "/pods");
  }
  return out;
}

std::vector<std::string> pod_search_dirs(const UserDirs& dirs) {
  return pod_dirs_beside(definition_search_dirs(dirs));
}

Result<DefinitionFile> resolve_pod(const std::vector<std::string>& pod_dirs,
                                   const std::string& name) {
  if (auto r = check_plain_name(name, "pod name"); !r) return r.error();
  return resolve_in(LiveView(pod_dirs), name, "pod");
}

Result<std::vector<DefinitionSource>> read_pod_sources(const DefinitionFile& files) {
  if (!files.masked_by.empty())
    return Error("pod '" + files.name + "' is masked by '" + files.masked_by +
                 "' (a symlink to /dev/null); remove it to use the pod again");
  return read_definition_sources(files.path, files.fragments);
}

PodCheck check_resolved_pod(const DefinitionFile& files) {
  auto sources = read_pod_sources(files);
  if (!sources) return PodCheck{std::nullopt, {sources.error().message()}};
  return check_pod_sources(*sources, files.name);
}

Result<PodDefinition> load_resolved_pod(const DefinitionFile& files) {
  auto sources = read_pod_sources(files);
  if (!sources) return sources.error();
  return parse_pod_sources(*sources, files.name);
}

Result<PodDefinition> load_pod(const std::vector<std::string>& pod_dirs, const std::string& name) {
  auto files = resolve_pod(pod_dirs, name);
  if (!files) return files.error();
  return load_resolved_pod(*files);
}

PodCheck check_pod_at(const std::string& file) {
  std::string name = file.substr(file.rfind('/') + 1);
  if (name.ends_with(kSuffix)) name.resize(name.size() - kSuffix.size());
  return check_resolved_pod(DefinitionFile{name, file, fragments_beside(file)});
}

PodScan scan_pods(const std::vector<std::string>& pod_dirs) {
  // The definitions' scan, whose rules pods follow, but for templates.
  DefinitionScan scan = scan_definitions(pod_dirs);
  PodScan out;
  out.problems = std::move(scan.problems);
  out.dropin_dirs = std::move(scan.dropin_dirs);
  auto no_template = [&](const DefinitionFile& f, const std::string& name) {
    out.problems.push_back(
        {name, f.path.empty() ? f.masked_by : f.path,
         "pod name '" + name + "' cannot contain '@': pods have no templates or instances"});
  };
  for (auto& f : scan.containers) {
    if (f.name.find('@') != std::string::npos)
      no_template(f, f.name);
    else
      out.pods.push_back(std::move(f));
  }
  for (const auto& f : scan.templates) no_template(f, f.name);
  std::sort(out.problems.begin(), out.problems.end(),
            [](const DefinitionProblem& a, const DefinitionProblem& b) { return a.name < b.name; });
  return out;
}

}  // namespace box
