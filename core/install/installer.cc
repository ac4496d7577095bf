// install / uninstall / list_installed (install.h). The order of an install:
//   1. parse and classify the source; refuse an existing name without --replace
//   2. stage: images/.staging-NAME-PID-RANDOM/rootfs, filled as the
//      container's ids (unpack_job.h): layers verified as they stream
//   3. translate: image config / config.json / Atomic exports -> definition,
//      checked with the real definition loader
//   4. host side of Atomic exports: hostfs files, tmpfiles dirs
//   5. commit: definition written to a temp file; image dir renamed into
//      place (the old one moved aside first with --replace); definition
//      renamed into place; old image removed
//   6. reload the user manager
// A failure before 5 removes the staging dir and any host files written;
// a failure inside 5 undoes the renames done so far.
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "definition.h"
#include "definition_loader.h"
#include "image/atomic_exports.h"
#include "image/blob_source.h"
#include "image/definition_draft.h"
#include "image/oci_image.h"
#include "image/oci_runtime.h"
#include "image/sha256.h"
#include "image/userns.h"
#include "install/image_metadata.h"
#include "install/install.h"
#include "install/source.h"
#include "install/unpack_job.h"
#include "install/user_manager.h"

namespace box::install {
namespace fs = std::filesystem;
namespace {

constexpr const char* kMetadataFile = "image.json";
constexpr std::size_t kMaxTemplateBytes = 1 << 20;

std::string now_iso8601() {
  std::time_t t = std::time(nullptr);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool exists_nofollow(const std::string& p) {
  struct stat st;
  return lstat(p.c_str(), &st) == 0;
}

Result<std::string> read_file(const std::string& path, std::size_t max) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::from_errno("open '" + path + "'");
  std::string text(max + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Error::from_errno("read '" + path + "'");
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max)
    return Error("'" + path + "' is larger than " + std::to_string(max) + " bytes");
  return text;
}

// Written beside, then renamed: a reader sees the old file or the new one.
Result<void> write_file_atomic(const std::string& path, const std::string& content, mode_t mode) {
  std::string tmp = path + ".tmp-" + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return Error::from_errno("create '" + tmp + "'");
  std::size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error e = Error::from_errno("write '" + tmp + "'");
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    off += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0 || ::close(fd) != 0) {
    Error e = Error::from_errno("write '" + tmp + "'");
    ::unlink(tmp.c_str());
    return e;
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = Error::from_errno("rename '" + tmp + "' to '" + path + "'");
    ::unlink(tmp.c_str());
    return e;
  }
  return {};
}

Result<void> make_dirs(const std::string& path, mode_t mode = 0755) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Error("create directory '" + path + "': " + ec.message(), ec.value());
  if (mode != 0755) chmod(path.c_str(), mode);
  return {};
}

std::string random_suffix() {
  static std::mt19937_64 rng(std::random_device{}());
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < 8; ++i) s += kChars[rng() % (sizeof kChars - 1)];
  return s;
}

// ".staging-NAME-PID-RANDOM": a dir left by a process that is gone is
// debris of an interrupted install (or uninstall) and is removed.
bool left_by_dead_process(const std::string& entry) {
  for (const char* prefix : {".staging-", ".old-", ".removing-"}) {
    if (entry.rfind(prefix, 0) != 0) continue;
    auto last = entry.find_last_of('-');
    if (last == std::string::npos || last == 0) return false;
    auto prev = entry.find_last_of('-', last - 1);
    if (prev == std::string::npos) return false;
    std::string pid_text = entry.substr(prev + 1, last - prev - 1);
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos)
      return false;
    pid_t pid = static_cast<pid_t>(std::stol(pid_text));
    return kill(pid, 0) != 0 && errno == ESRCH;
  }
  return false;
}

void remove_debris(const Locations& locs, const image::IdMapping& mapping) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(locs.images, ec)) {
    std::string n = e.path().filename();
    if (left_by_dead_process(n)) (void)image::remove_tree_as_owner(mapping, e.path());
  }
}

// Removes the staging dir and the host files of a failed install.
class Rollback {
 public:
  explicit Rollback(const image::IdMapping& mapping) : mapping_(mapping) {}
  ~Rollback() {
    if (committed_) return;
    for (const auto& f : files_) ::unlink(f.c_str());
    for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) ::rmdir(it->c_str());
    if (!tree_.empty()) (void)image::remove_tree_as_owner(mapping_, tree_);
  }
  void tree(const std::string& t) { tree_ = t; }
  void file(const std::string& f) { files_.push_back(f); }
  void dir(const std::string& d) { dirs_.push_back(d); }
  void commit() { committed_ = true; }

 private:
  const image::IdMapping& mapping_;
  std::string tree_;
  std::vector<std::string> files_, dirs_;
  bool committed_ = false;
};

// mkdir -p, remembering what it created (for rollback and metadata).
Result<void> make_dirs_recorded(const std::string& path, mode_t mode, Rollback& rb) {
  std::vector<std::string> todo;
  std::string p = path;
  while (!p.empty() && p != "/" && !exists_nofollow(p)) {
    todo.push_back(p);
    p = p.substr(0, p.find_last_of('/'));
  }
  for (auto it = todo.rbegin(); it != todo.rend(); ++it) {
    if (mkdir(it->c_str(), it + 1 == todo.rend() ? mode : 0755) != 0 && errno != EEXIST)
      return Error::from_errno("create directory '" + *it + "'");
    rb.dir(*it);
  }
  return {};
}

bool under(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

// The host path of `rel` in the staged rootfs, with symlinks resolved as the
// container would resolve them (openat2 RESOLVE_IN_ROOT): an image cannot
// make box read or copy a file of yours through "/exports -> /home/you".
// Empty when it does not exist.
std::string path_in_rootfs(const std::string& rootfs, const std::string& rel) {
  int root = ::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return "";
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(syscall(SYS_openat2, root, rel.c_str(), &how, sizeof how));
  ::close(root);
  if (fd < 0) return "";
  char buf[PATH_MAX];
  ssize_t n = readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buf, sizeof buf);
  ::close(fd);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

bool is_dir(const std::string& path) {
  struct stat st;
  return !path.empty() && stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// --- image config defaults -------------------------------------------------

struct IdEntry {
  std::string name;
  std::uint32_t id = 0, gid = 0;
};

std::vector<IdEntry> read_id_file(const std::string& path) {
  std::vector<IdEntry> out;
  auto text = read_file(path, 4 << 20);
  if (!text) return out;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    std::string x;
    while (std::getline(ls, x, ':')) f.push_back(x);
    if (f.size() < 3) continue;
    try {
      IdEntry e{f[0], static_cast<std::uint32_t>(std::stoul(f[2])),
                f.size() > 3 && !f[3].empty() ? static_cast<std::uint32_t>(std::stoul(f[3])) : 0};
      out.push_back(e);
    } catch (...) {
    }
  }
  return out;
}

bool all_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// The image's "User" ("", "name", "uid", "name:group", "uid:gid") as
// "UID:GID", names looked up in the image's own /etc/passwd and /etc/group.
Result<std::string> resolve_user(const std::string& spec, const std::string& rootfs) {
  if (spec.empty()) return std::string();
  std::string u = spec, g;
  auto colon = spec.find(':');
  if (colon != std::string::npos) {
    u = spec.substr(0, colon);
    g = spec.substr(colon + 1);
  }
  auto passwd = read_id_file(path_in_rootfs(rootfs, "etc/passwd"));
  std::uint32_t uid = 0, gid = 0;
  bool have_gid = false;
  if (all_digits(u)) {
    uid = static_cast<std::uint32_t>(std::stoul(u));
    for (const auto& e : passwd)
      if (e.id == uid) {
        gid = e.gid;
        have_gid = true;
        break;
      }
  } else {
    bool found = false;
    for (const auto& e : passwd)
      if (e.name == u) {
        uid = e.id;
        gid = e.gid;
        found = have_gid = true;
        break;
      }
    if (!found) return Error("image user '" + u + "' is not in the image's /etc/passwd");
  }
  if (!g.empty()) {
    if (all_digits(g)) {
      gid = static_cast<std::uint32_t>(std::stoul(g));
    } else {
      bool found = false;
      for (const auto& e : read_id_file(path_in_rootfs(rootfs, "etc/group")))
        if (e.name == g) {
          gid = e.id;
          found = true;
          break;
        }
      if (!found) return Error("image group '" + g + "' is not in the image's /etc/group");
    }
  }
  (void)have_gid;
  if (uid == 0 && gid == 0) return std::string();
  return std::to_string(uid) + ":" + std::to_string(gid);
}

Result<void> apply_image_config(const image::ImageConfig& c, const std::string& rootfs,
                                image::DefinitionDraft& d, InstalledImage& meta) {
  d.command = c.entrypoint;
  d.command.insert(d.command.end(), c.cmd.begin(), c.cmd.end());
  for (const auto& e : c.env) {
    auto eq = e.find('=');
    if (eq == std::string::npos || eq == 0) {
      meta.warnings.push_back("image config Env: '" + e + "' is not NAME=value (ignored)");
      continue;
    }
    d.set_env(e.substr(0, eq), e.substr(eq + 1));
  }
  if (!c.working_dir.empty() && c.working_dir != "/") d.workdir = c.working_dir;
  auto user = resolve_user(c.user, rootfs);
  if (!user) return user.error();
  d.user = *user;
  if (!c.stop_signal.empty() && c.stop_signal != "SIGTERM" && c.stop_signal != "15")
    d.stop_signal = c.stop_signal;
  meta.labels = c.labels;
  meta.exposed_ports = c.exposed_ports;
  for (const char* k : {"org.opencontainers.image.description", "description", "summary",
                        "org.opencontainers.image.title"}) {
    auto it = c.labels.find(k);
    if (it != c.labels.end() && !it->second.empty()) {
      d.description = it->second;
      break;
    }
  }
  if (!c.exposed_ports.empty()) {
    std::string ports;
    for (const auto& p : c.exposed_ports) ports += (ports.empty() ? "" : ", ") + p;
    meta.warnings.push_back("image exposes " + ports +
                            ": with the default 'network: host' these are ports of your host; "
                            "with 'network: private' publish them with 'ports:'");
  }
  return {};
}

// --- the sources -----------------------------------------------------------

struct Prepared {
  image::DefinitionDraft draft;
  std::string native_yaml;  // native bundles: their own box.yaml
  bool native = false;
  bool from_image = false;
  std::string bundle_dir;  // OCI bundles: relative mount sources
};

std::string short_digest(const std::string& d) { return d.substr(7, 12); }

Result<image::UnpackStats> unpack_image(const Source& src, const std::string& rootfs,
                                        const image::IdMapping& mapping,
                                        const InstallOptions& options, const ProgressFn& progress,
                                        Prepared& out, InstalledImage& meta) {
  if (progress) progress(Progress{});
  std::unique_ptr<image::BlobSource> blobs;
  if (src.kind == SourceKind::kOciLayout) {
    auto b = image::open_directory_source(src.path);
    if (!b) return b.error();
    blobs = std::move(*b);
  } else {
    auto b = image::open_archive_source(src.path);
    if (!b) return b.error();
    blobs = std::move(*b);
  }
  std::vector<LayerJob> jobs;
  image::ImageConfig config;

  if (src.kind == SourceKind::kDockerArchive) {
    auto text = blobs->read_file("manifest.json", image::kMaxJsonBytes);
    if (!text) return text.error().wrap("not a docker archive (docker save)");
    auto m = image::parse_docker_archive_manifest(*text, src.tag, "manifest.json");
    if (!m) return m.error();
    auto ctext = blobs->read_file(m->config_path, image::kMaxJsonBytes);
    if (!ctext) return ctext.error();
    meta.digest = image::sha256_digest_of(*ctext);
    // The config's file name is its digest in `docker save` output.
    std::string base = m->config_path.substr(m->config_path.find_last_of('/') + 1);
    if (base.size() > 5 && base.compare(base.size() - 5, 5, ".json") == 0)
      base.resize(base.size() - 5);
    if (image::is_valid_sha256_digest("sha256:" + base) && "sha256:" + base != meta.digest)
      return Error("image config '" + m->config_path + "': digest mismatch: its name says sha256:" +
                   base + ", its content is " + meta.digest + " (corrupt or tampered image)");
    auto c = image::parse_image_config(*ctext, "image config '" + m->config_path + "'");
    if (!c) return c.error();
    config = std::move(*c);
    if (config.diff_ids.size() != m->layer_paths.size())
      return Error("image config lists " + std::to_string(config.diff_ids.size()) +
                   " layer digests for " + std::to_string(m->layer_paths.size()) + " layers");
    for (std::size_t i = 0; i < m->layer_paths.size(); ++i) {
      LayerJob j;
      j.path = m->layer_paths[i];
      // docker-archive layers are the uncompressed tars the diff_ids name;
      // an OCI-style blob path names the digest of the blob as stored.
      j.check.digest = config.diff_ids[i];
      if (j.path.rfind("blobs/sha256/", 0) == 0 &&
          image::is_valid_sha256_digest("sha256:" + j.path.substr(13)))
        j.check.digest = "sha256:" + j.path.substr(13);
      j.check.size = blobs->size(j.path);
      j.check.what = "layer " + std::to_string(i + 1) + "/" +
                     std::to_string(m->layer_paths.size()) + " (" + j.path + ")";
      jobs.push_back(std::move(j));
    }
  } else {
    if (!blobs->exists("oci-layout"))
      return Error(blobs->describe() + " is not an OCI image layout (no 'oci-layout' file)");
    auto index_text = blobs->read_file("index.json", image::kMaxJsonBytes);
    if (!index_text) return index_text.error();
    auto index = image::parse_index(*index_text, "index.json");
    if (!index) return index.error();
    auto chosen = image::select_manifest(*index, src.tag, blobs->describe());
    if (!chosen) return chosen.error();
    image::Descriptor desc = *chosen;
    // A multi-platform index inside: pick this machine's manifest.
    for (int depth = 0; image::kind_of(desc) == image::DescriptorKind::kIndex; ++depth) {
      if (depth > 4) return Error("image indexes nested too deep");
      auto t = blobs->read_file(image::blob_path(desc.digest), image::kMaxJsonBytes);
      if (!t) return t.error();
      if (image::sha256_digest_of(*t) != desc.digest)
        return Error("image index " + desc.digest +
                     ": digest mismatch (corrupt or tampered image)");
      auto nested = image::parse_index(*t, "image index " + short_digest(desc.digest));
      if (!nested) return nested.error();
      auto pick = image::select_manifest(*nested, "", "image index " + short_digest(desc.digest));
      if (!pick) return pick.error();
      desc = *pick;
    }
    auto mtext = blobs->read_file(image::blob_path(desc.digest), image::kMaxJsonBytes);
    if (!mtext) return mtext.error();
    std::string got = image::sha256_digest_of(*mtext);
    if (got != desc.digest)
      return Error("manifest " + desc.digest + ": digest mismatch: the blob is " + got +
                   " (corrupt or tampered image)");
    meta.digest = desc.digest;
    auto manifest = image::parse_manifest(*mtext, "manifest " + short_digest(desc.digest));
    if (!manifest) return manifest.error();
    auto ctext = blobs->read_file(image::blob_path(manifest->config.digest), image::kMaxJsonBytes);
    if (!ctext) return ctext.error();
    got = image::sha256_digest_of(*ctext);
    if (got != manifest->config.digest)
      return Error("image config " + manifest->config.digest + ": digest mismatch: the blob is " +
                   got + " (corrupt or tampered image)");
    auto c =
        image::parse_image_config(*ctext, "image config " + short_digest(manifest->config.digest));
    if (!c) return c.error();
    config = std::move(*c);
    const std::size_t n = manifest->layers.size();
    for (std::size_t i = 0; i < n; ++i) {
      const auto& l = manifest->layers[i];
      LayerJob j;
      j.path = image::blob_path(l.digest);
      if (!blobs->exists(j.path))
        return Error("layer " + std::to_string(i + 1) + "/" + std::to_string(n) + " (" + l.digest +
                     ") is missing from " + blobs->describe());
      j.check.digest = l.digest;
      j.check.size = l.size >= 0 ? l.size : blobs->size(j.path);
      j.check.what = "layer " + std::to_string(i + 1) + "/" + std::to_string(n) + " (" +
                     short_digest(l.digest) + ")";
      jobs.push_back(std::move(j));
    }
  }
  if (!config.os.empty() && config.os != "linux")
    return Error("the image is for '" + config.os + "', not linux");
  if (!config.architecture.empty() && config.architecture != image::host_architecture())
    return Error("the image is for '" + config.architecture + "', this machine is '" +
                 image::host_architecture() + "'");

  auto stats = unpack_layers_as_owner(*blobs, jobs, rootfs, mapping, progress, options.cancel);
  if (!stats) return stats.error();
  meta.layers = jobs.size();
  auto applied = apply_image_config(config, rootfs, out.draft, meta);
  if (!applied) return applied.error();
  out.from_image = true;
  return stats;
}

// --- Atomic exports --------------------------------------------------------

struct ExportsInput {
  const InstallContext& ctx;
  const Locations& locs;
  const std::string& name;
  const std::string& rootfs;     // staging rootfs
  const std::string& image_dir;  // final image dir ($DESTDIR)
  const InstallOptions& options;
  const InstalledImage* previous;  // the install being replaced, if any
};

Result<std::string> read_export(const std::string& rootfs, const std::string& file) {
  std::string path = path_in_rootfs(rootfs, "exports/" + file);
  if (path.empty()) return Error("/exports/" + file + ": not found");
  return read_file(path, kMaxTemplateBytes);
}

bool has_export(const std::string& rootfs, const std::string& file) {
  return !path_in_rootfs(rootfs, "exports/" + file).empty();
}

Result<void> install_hostfs(const ExportsInput& in, const image::AtomicManifest& manifest,
                            const image::TemplateValues& values, InstalledImage& meta,
                            Rollback& rb) {
  const std::string root = path_in_rootfs(in.rootfs, "exports/hostfs");
  std::error_code ec;
  if (!is_dir(root)) return {};
  image::UserLocations where{in.ctx.dirs.home, in.ctx.dirs.config_home, in.ctx.dirs.data_home};
  std::set<std::string> ours;
  if (in.previous) ours.insert(in.previous->host_files.begin(), in.previous->host_files.end());
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) continue;
    std::string rel = it->path().string().substr(root.size() + 1);
    std::string host_path = "/" + rel;
    auto rename = manifest.rename_files.find(host_path);
    if (rename != manifest.rename_files.end()) {
      auto to = image::substitute(rename->second, values, "manifest.json renameFiles");
      if (!to) return to.error();
      host_path = *to;
    }
    auto dest = image::hostfs_destination(host_path.substr(1), where);
    if (!dest) return dest.error();
    if (exists_nofollow(*dest) && !ours.count(*dest))
      return Error("hostfs file '" + *dest +
                   "' exists and was not installed by box; remove it "
                   "first");
    auto parent = dest->substr(0, dest->find_last_of('/'));
    auto md = make_dirs_recorded(parent, 0755, rb);
    if (!md) return md;
    if (it->is_symlink(ec)) {
      std::string target = fs::read_symlink(it->path(), ec).string();
      ::unlink(dest->c_str());
      if (symlink(target.c_str(), dest->c_str()) != 0)
        return Error::from_errno("create '" + *dest + "'");
    } else {
      struct stat st;
      if (stat(it->path().c_str(), &st) != 0)
        return Error::from_errno("stat '" + it->path().string() + "'");
      auto content = read_file(it->path(), 1ull << 31);
      if (!content) return content.error();
      auto w = write_file_atomic(*dest, *content, st.st_mode & 0777);
      if (!w) return w;
      chmod(dest->c_str(), st.st_mode & 0777);
    }
    rb.file(*dest);
    meta.host_files.push_back(*dest);
  }
  if (ec) return Error("read '" + root + "': " + ec.message());
  return {};
}

Result<void> apply_exports(const ExportsInput& in, Prepared& out, InstalledImage& meta,
                           Rollback& rb) {
  if (!is_dir(path_in_rootfs(in.rootfs, "exports"))) return {};
  meta.atomic_exports = true;

  image::AtomicManifest manifest;
  if (has_export(in.rootfs, "manifest.json")) {
    auto text = read_export(in.rootfs, "manifest.json");
    if (!text) return text.error();
    auto m = image::parse_atomic_manifest(*text, "/exports/manifest.json");
    if (!m) return m.error();
    manifest = std::move(*m);
  }
  image::TemplateValues set;
  for (const auto& [k, v] : in.options.set) set[k] = v;
  std::string run_dir = in.locs.run;
  image::TemplateValues forced = {
      {"NAME", in.name},
      {"DESTDIR", in.image_dir},
      {"EXEC_START", in.ctx.box_run + " start " + in.name},
      {"EXEC_STOP", "/bin/kill -s TERM $MAINPID"},
      {"HOST_UID", std::to_string(in.ctx.uid)},
      {"HOST_GID", std::to_string(in.ctx.gid)},
      {"RUN_DIRECTORY", run_dir},
      {"STATE_DIRECTORY", in.locs.state},
  };
  for (const auto& [k, _] : set)
    if (forced.count(k))
      return Error("--set " + k + ": $" + k + " is set by box and cannot be changed");
  image::TemplateValues values = image::merge_values(manifest.default_values, set, forced);

  if (has_export(in.rootfs, "config.json.template")) {
    auto text = read_export(in.rootfs, "config.json.template");
    if (!text) return text.error();
    auto config = image::substitute(*text, values, "/exports/config.json.template");
    if (!config) return config.error();
    auto t =
        image::translate_runtime_config(*config, "/exports/config.json.template", in.image_dir);
    if (!t) return t.error();
    // The exports replace the image config's defaults, as with Atomic.
    std::string description = out.draft.description;
    out.draft = std::move(t->draft);
    if (out.draft.description.empty()) out.draft.description = description;
    // The image config's ports note described the defaults just replaced.
    meta.warnings.erase(
        std::remove_if(meta.warnings.begin(), meta.warnings.end(),
                       [](const std::string& w) { return w.rfind("image exposes", 0) == 0; }),
        meta.warnings.end());
    for (auto& w : t->warnings) meta.warnings.push_back("config.json.template: " + w);
    if (t->root_path != "rootfs" && t->root_path != in.image_dir + "/rootfs")
      meta.warnings.push_back("config.json.template: root.path '" + t->root_path +
                              "': the image's own rootfs is used");
  }
  if (has_export(in.rootfs, "service.template")) {
    auto text = read_export(in.rootfs, "service.template");
    if (!text) return text.error();
    auto unit = image::substitute(*text, values, "/exports/service.template");
    if (!unit) return unit.error();
    auto s = image::apply_service_template(*unit, forced["EXEC_START"], forced["EXEC_STOP"],
                                           out.draft, meta.warnings, "service.template");
    if (!s) return s;
  }
  if (has_export(in.rootfs, "tmpfiles.template")) {
    auto text = read_export(in.rootfs, "tmpfiles.template");
    if (!text) return text.error();
    auto conf = image::substitute(*text, values, "/exports/tmpfiles.template");
    if (!conf) return conf.error();
    auto entries = image::parse_tmpfiles(*conf, "tmpfiles.template");
    if (!entries) return entries.error();
    // Directories are made now (box@NAME may start before the next login
    // runs systemd-tmpfiles); the file keeps them across reboots.
    for (const auto& e : *entries) {
      std::string type = e.type.substr(0, 1);
      if (type == "d" || type == "D" || type == "v" || type == "q" || type == "Q") {
        bool data = under(e.path, in.locs.state) || under(e.path, in.locs.containers);
        bool run = !in.locs.run.empty() && under(e.path, in.locs.run);
        if (!data && !run && !under(e.path, in.ctx.dirs.home))
          return Error("tmpfiles.template: '" + e.path +
                       "' is outside your directories ($HOME, "
                       "$RUN_DIRECTORY, $STATE_DIRECTORY)");
        mode_t mode = 0755;
        if (e.mode != "-" && !e.mode.empty()) {
          if (e.mode.size() > 4 || e.mode.find_first_not_of("01234567") != std::string::npos)
            return Error("tmpfiles.template: '" + e.raw + "': mode '" + e.mode + "' is not octal");
          mode = static_cast<mode_t>(std::stoul(e.mode, nullptr, 8));
        }
        // Only what it creates is recorded: an existing dir is left alone.
        auto m = make_dirs_recorded(e.path, mode, rb);
        if (!m) return m;
        (data ? meta.data_dirs : meta.runtime_dirs).push_back(e.path);
      } else {
        meta.warnings.push_back("tmpfiles.template: '" + e.raw +
                                "': applied by systemd-tmpfiles at your next login, not now");
      }
    }
    meta.tmpfiles = in.locs.tmpfiles + "/box-" + in.name + ".conf";
    auto md = make_dirs_recorded(in.locs.tmpfiles, 0755, rb);
    if (!md) return md;
    auto w = write_file_atomic(meta.tmpfiles,
                               "# Installed by boxctl install for box@" + in.name +
                                   "; removed by boxctl uninstall.\n" + *conf,
                               0644);
    if (!w) return w;
    rb.file(meta.tmpfiles);
  }
  return install_hostfs(in, manifest, values, meta, rb);
}

// Bind sources in your state or runtime dir are made if missing (a bind of
// a missing path fails at start); those in the state dir are data.
Result<void> prepare_bind_sources(const Locations& locs, const image::DefinitionDraft& d,
                                  InstalledImage& meta, Rollback& rb) {
  for (const auto& m : d.mounts) {
    if (m.type != "bind") continue;
    bool data = under(m.source, locs.state) || under(m.source, locs.containers);
    bool run = !locs.run.empty() && under(m.source, locs.run);
    if (!data && !run) continue;
    if (!exists_nofollow(m.source)) {
      auto r = make_dirs_recorded(m.source, 0755, rb);
      if (!r) return r;
    }
    auto& list = data ? meta.data_dirs : meta.runtime_dirs;
    if (std::find(list.begin(), list.end(), m.source) == list.end()) list.push_back(m.source);
  }
  return {};
}

Result<std::string> native_definition(const std::string& yaml, const std::string& file,
                                      const std::string& name,
                                      const std::vector<std::string>& header) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return Error(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!root.IsMap()) return Error(file + ": expected a mapping of keys");
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "image" << YAML::Value << name;
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>("");
    if (key == "rootfs" || key == "image") continue;
    out << YAML::Key << kv.first << YAML::Value << kv.second;
  }
  out << YAML::EndMap;
  std::string text;
  for (const auto& h : header) text += "# " + h + "\n";
  return text + out.c_str() + "\n";
}

}  // namespace

Locations locations_for(const InstallContext& ctx) {
  Locations l;
  l.images = ctx.dirs.data_home + "/box/images";
  l.definitions = ctx.dirs.config_home + "/box/containers";
  l.state = ctx.dirs.data_home + "/box/state";
  l.containers = ctx.dirs.data_home + "/box/containers";
  l.run =
      !ctx.dirs.runtime_dir.empty() ? ctx.dirs.runtime_dir : "/run/user/" + std::to_string(ctx.uid);
  l.tmpfiles = ctx.dirs.config_home + "/user-tmpfiles.d";
  return l;
}

Result<InstallContext> context_from_environment(const std::string& box_run) {
  auto dirs = user_dirs_from_environment();
  if (!dirs) return dirs.error();
  InstallContext ctx;
  ctx.dirs = *dirs;
  ctx.uid = getuid();
  ctx.gid = getgid();
  struct passwd* pw = getpwuid(ctx.uid);
  ctx.user = pw && pw->pw_name ? pw->pw_name : std::to_string(ctx.uid);
  ctx.box_run = box_run;
  ctx.reload = [] { return reload_user_manager(); };
  ctx.stop_unit = [](const std::string& unit) { return stop_user_unit(unit); };
  return ctx;
}

Result<InstalledImage> install(const InstallContext& ctx, const std::string& source_text,
                               const InstallOptions& options, const ProgressFn& progress) {
  char cwd_buf[4096];
  std::string cwd = getcwd(cwd_buf, sizeof cwd_buf) ? cwd_buf : "/";
  auto parsed = parse_source(source_text, cwd);
  if (!parsed) return parsed.error();
  auto classified = classify_directory(*parsed);
  if (!classified) return classified.error();
  const Source src = *classified;
  if ((src.kind == SourceKind::kOciArchive || src.kind == SourceKind::kDockerArchive) &&
      !exists_nofollow(src.path))
    return Error("source '" + source_text + "': no such file '" + src.path + "'");

  std::string name = options.name.empty() ? default_name(src) : options.name;
  if (name.empty())
    return Error("source '" + source_text +
                 "': give the container a name (boxctl install "
                 "SOURCE NAME)");
  if (!is_valid_container_name(name))
    return Error("invalid container name '" + name +
                 "': use letters, digits, '-', '_' and '.', "
                 "starting with a letter or digit, at most 64 characters");
  for (const auto& [k, _] : options.set) {
    bool ok = !k.empty() && !(k[0] >= '0' && k[0] <= '9');
    for (char c : k) ok = ok && (c == '_' || std::isalnum(static_cast<unsigned char>(c)));
    if (!ok) return Error("--set '" + k + "': not a variable name");
  }

  const Locations locs = locations_for(ctx);
  const std::string image_dir = locs.images + "/" + name;
  const std::string definition = locs.definitions + "/" + name + ".yaml";
  const image::IdMapping mapping =
      image::id_mapping_for(ctx.uid, ctx.gid, ctx.user, ctx.subuid_file, ctx.subgid_file);

  // 1. refuse to clobber
  std::optional<InstalledImage> previous;
  if (exists_nofollow(image_dir + "/" + kMetadataFile)) {
    auto text = read_file(image_dir + "/" + kMetadataFile, 1 << 20);
    if (text) {
      auto m = metadata_from_json(*text, image_dir + "/" + kMetadataFile);
      if (m) previous = *m;
    }
  }
  if (!options.replace) {
    if (exists_nofollow(image_dir))
      return Error("'" + name + "' is already installed (" + image_dir +
                   "): pass --replace to install over it");
    if (exists_nofollow(definition))
      return Error("a definition named '" + name + "' exists (" + definition +
                   "): pass --replace to overwrite it, or choose another name");
  }

  for (const auto& d : {locs.images, locs.definitions}) {
    auto r = make_dirs(d);
    if (!r) return r.error();
  }
  remove_debris(locs, mapping);

  // 2. stage
  Rollback rb(mapping);
  const std::string staging =
      locs.images + "/.staging-" + name + "-" + std::to_string(getpid()) + "-" + random_suffix();
  if (mkdir(staging.c_str(), 0700) != 0) return Error::from_errno("create '" + staging + "'");
  rb.tree(staging);
  const std::string rootfs = staging + "/rootfs";
  if (mkdir(rootfs.c_str(), 0755) != 0) return Error::from_errno("create '" + rootfs + "'");

  InstalledImage meta;
  meta.name = name;
  meta.source = source_text;
  meta.source_kind = kind_name(src.kind);
  meta.installed_at = now_iso8601();
  meta.image_dir = image_dir;
  meta.rootfs = image_dir + "/rootfs";
  meta.definition = definition;
  meta.owners_kept = mapping.full();
  meta.id_mapping = mapping.describe();
  if (!mapping.full())
    meta.warnings.push_back(
        "you have no subordinate ids (/etc/subuid, /etc/subgid): every file "
        "of the image is owned by you; the image's own owners are not kept");

  Prepared prep;
  image::UnpackStats stats;
  const std::string wrap = "install '" + name + "' from '" + source_text + "'";
  if (src.kind == SourceKind::kNativeBundle || src.kind == SourceKind::kOciBundle) {
    std::string from = src.path + "/rootfs";
    if (src.kind == SourceKind::kNativeBundle) {
      auto y = read_file(src.path + "/box.yaml", kMaxDefinitionBytes);
      if (!y) return y.error().wrap(wrap);
      prep.native = true;
      prep.native_yaml = *y;
    } else {
      auto c = read_file(src.path + "/config.json", image::kMaxJsonBytes);
      if (!c) return c.error().wrap(wrap);
      auto t = image::translate_runtime_config(*c, src.path + "/config.json", src.path);
      if (!t) return t.error().wrap(wrap);
      prep.draft = std::move(t->draft);
      for (auto& w : t->warnings) meta.warnings.push_back("config.json: " + w);
      meta.labels = t->annotations;
      from = t->root_path.empty() || t->root_path[0] != '/' ? src.path + "/" + t->root_path
                                                            : t->root_path;
    }
    struct stat st;
    if (stat(from.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return Error("bundle rootfs '" + from + "' is not a directory").wrap(wrap);
    auto copied = copy_tree_as_owner(from, rootfs, mapping, progress, options.cancel);
    if (!copied) return copied.error().wrap(wrap);
    stats = *copied;
  } else {
    auto u = unpack_image(src, rootfs, mapping, options, progress, prep, meta);
    if (!u) return u.error().wrap(wrap);
    stats = *u;
  }
  meta.bytes_unpacked = stats.bytes_written;
  meta.devices_skipped = stats.devices_skipped;
  if (stats.devices_skipped)
    meta.warnings.push_back(std::to_string(stats.devices_skipped) +
                            " device nodes skipped (an unprivileged user cannot create them; box "
                            "provides /dev)");
  if (stats.owners_clamped)
    meta.warnings.push_back(std::to_string(stats.owners_clamped) + " files owned by ids above " +
                            std::to_string(mapping.max_id()) + " are owned by container root");
  if (stats.xattrs_skipped)
    meta.warnings.push_back(std::to_string(stats.xattrs_skipped) +
                            " extended attributes (file capabilities, ACLs) not restored");
  if (options.cancel && options.cancel->load()) return Error("cancelled").wrap(wrap);

  // 3. translate
  if (progress) progress(Progress{Progress::Phase::kFinishing, 0, 0, 0, 0});
  ExportsInput ein{ctx, locs, name, rootfs, image_dir, options, previous ? &*previous : nullptr};
  if (prep.from_image) {
    auto e = apply_exports(ein, prep, meta, rb);
    if (!e) return e.error().wrap(wrap);
  } else if (!options.set.empty()) {
    return Error("--set is for images with Atomic exports (/exports/*.template)").wrap(wrap);
  }
  if (!prep.native && prep.draft.command.empty())
    return Error("the image names no command (no Entrypoint or Cmd, no exports): nothing to run")
        .wrap(wrap);

  std::vector<std::string> header = {
      "Installed by 'boxctl install' from " + source_text +
          (meta.digest.empty() ? "" : " (" + meta.digest + ")"),
      "on " + meta.installed_at + ". 'boxctl install --replace' overwrites this file;",
      "'boxctl uninstall " + name + "' removes it with the image."};
  std::string text;
  if (prep.native) {
    auto t = native_definition(prep.native_yaml, src.path + "/box.yaml", name, header);
    if (!t) return t.error().wrap(wrap);
    text = *t;
  } else {
    if (prep.draft.description.empty()) prep.draft.description = name + " (" + source_text + ")";
    prep.draft.image = name;
    auto b = prepare_bind_sources(locs, prep.draft, meta, rb);
    if (!b) return b.error().wrap(wrap);
    text = image::to_yaml(prep.draft, header);
  }
  // The same loader systemd's generator uses (pure: it does not look for
  // the image dir, which is only renamed into place below).
  auto check = parse_definition_sources({{definition, text}}, name,
                                        LoadContext{ctx.dirs.home, ctx.dirs.data_home, ""});
  if (!check)
    return check.error().wrap("the definition made for '" + name + "' does not load").wrap(wrap);

  auto w = write_file_atomic(staging + "/" + kMetadataFile, metadata_to_json(meta), 0644);
  if (!w) return w.error().wrap(wrap);
  if (options.cancel && options.cancel->load()) return Error("cancelled").wrap(wrap);

  // 5. commit
  const std::string def_tmp = definition + ".installing-" + std::to_string(getpid());
  {
    int fd = ::open(def_tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Error::from_errno("create '" + def_tmp + "'").wrap(wrap);
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ok = fsync(fd) == 0 && ok;
    ::close(fd);
    rb.file(def_tmp);
    if (!ok) return Error::from_errno("write '" + def_tmp + "'").wrap(wrap);
  }
  std::string old;
  if (exists_nofollow(image_dir)) {
    old = locs.images + "/.old-" + name + "-" + std::to_string(getpid()) + "-" + random_suffix();
    if (rename(image_dir.c_str(), old.c_str()) != 0)
      return Error::from_errno("move '" + image_dir + "' aside").wrap(wrap);
  }
  if (rename(staging.c_str(), image_dir.c_str()) != 0) {
    Error e = Error::from_errno("rename '" + staging + "' to '" + image_dir + "'");
    if (!old.empty()) rename(old.c_str(), image_dir.c_str());
    return e.wrap(wrap);
  }
  if (rename(def_tmp.c_str(), definition.c_str()) != 0) {
    Error e = Error::from_errno("rename '" + def_tmp + "' to '" + definition + "'");
    rename(image_dir.c_str(), staging.c_str());
    if (!old.empty()) rename(old.c_str(), image_dir.c_str());
    return e.wrap(wrap);
  }
  rb.commit();
  if (!old.empty()) (void)image::remove_tree_as_owner(mapping, old);
  // Host files the previous install had and this one does not.
  if (previous) {
    std::set<std::string> now(meta.host_files.begin(), meta.host_files.end());
    for (const auto& f : previous->host_files)
      if (!now.count(f)) ::unlink(f.c_str());
    if (!previous->tmpfiles.empty() && previous->tmpfiles != meta.tmpfiles)
      ::unlink(previous->tmpfiles.c_str());
  }

  // 6. reload
  if (ctx.reload) {
    auto r = ctx.reload();
    if (!r)
      meta.warnings.push_back("installed, but " + r.error().message() +
                              ": run 'systemctl --user daemon-reload'");
  }
  return meta;
}

Result<void> uninstall(const InstallContext& ctx, const std::string& name, bool purge) {
  if (!is_valid_container_name(name)) return Error("invalid container name '" + name + "'");
  const Locations locs = locations_for(ctx);
  const std::string image_dir = locs.images + "/" + name;
  const std::string meta_path = image_dir + "/" + kMetadataFile;
  if (!exists_nofollow(image_dir)) {
    if (exists_nofollow(locs.definitions + "/" + name + ".yaml"))
      return Error("'" + name + "' was not installed by boxctl install (its definition is " +
                   locs.definitions + "/" + name + ".yaml; remove that file yourself)");
    return Error("no installed image named '" + name + "'");
  }
  InstalledImage meta;
  meta.name = name;
  meta.definition = locs.definitions + "/" + name + ".yaml";
  auto text = read_file(meta_path, 1 << 20);
  if (text) {
    auto m = metadata_from_json(*text, meta_path);
    if (m) meta = *m;
  }
  const image::IdMapping mapping =
      image::id_mapping_for(ctx.uid, ctx.gid, ctx.user, ctx.subuid_file, ctx.subgid_file);
  const std::string wrap = "uninstall '" + name + "'";

  if (ctx.stop_unit) {
    auto s = ctx.stop_unit("box@" + name + ".service");
    if (!s) return s.error().wrap(wrap);
  }
  if (::unlink(meta.definition.c_str()) != 0 && errno != ENOENT)
    return Error::from_errno("remove '" + meta.definition + "'").wrap(wrap);
  for (const auto& f : meta.host_files) ::unlink(f.c_str());
  if (!meta.tmpfiles.empty()) ::unlink(meta.tmpfiles.c_str());
  // Renamed first: a half-removed image is never taken for an installed one.
  std::string doomed =
      locs.images + "/.removing-" + name + "-" + std::to_string(getpid()) + "-" + random_suffix();
  if (rename(image_dir.c_str(), doomed.c_str()) != 0)
    return Error::from_errno("move '" + image_dir + "' aside").wrap(wrap);
  auto r = image::remove_tree_as_owner(mapping, doomed);
  if (!r) return r.error().wrap(wrap);
  for (const auto& d : meta.runtime_dirs) {
    auto rr = image::remove_tree_as_owner(mapping, d);
    if (!rr) return rr.error().wrap(wrap);
  }
  if (purge) {
    std::vector<std::string> dirs = meta.data_dirs;
    dirs.push_back(locs.containers + "/" + name);
    for (const auto& d : dirs) {
      auto rr = image::remove_tree_as_owner(mapping, d);
      if (!rr) return rr.error().wrap(wrap);
    }
  }
  if (ctx.reload) {
    auto rl = ctx.reload();
    if (!rl) return rl.error().wrap(wrap + ": removed, but");
  }
  return {};
}

Result<std::vector<InstalledImage>> list_installed(const InstallContext& ctx) {
  const Locations locs = locations_for(ctx);
  std::vector<InstalledImage> out;
  std::error_code ec;
  if (!fs::exists(locs.images, ec)) return out;
  for (const auto& e : fs::directory_iterator(locs.images, ec)) {
    std::string n = e.path().filename();
    if (n.empty() || n[0] == '.' || !e.is_directory()) continue;
    std::string path = e.path().string() + "/" + kMetadataFile;
    auto text = read_file(path, 1 << 20);
    InstalledImage m;
    if (text) {
      auto parsed = metadata_from_json(*text, path);
      if (parsed)
        m = *parsed;
      else
        m.warnings.push_back(parsed.error().message());
    } else {
      m.warnings.push_back(text.error().message());
    }
    m.name = n;
    out.push_back(std::move(m));
  }
  if (ec) return Error("read '" + locs.images + "': " + ec.message());
  std::sort(out.begin(), out.end(),
            [](const InstalledImage& a, const InstalledImage& b) { return a.name < b.name; });
  return out;
}

}  // namespace box::install
