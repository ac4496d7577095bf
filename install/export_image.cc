#include "install/export_image.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "core/image/layer_pack.h"
#include "core/image/sha256.h"
#include "core/model/names.h"
#include "core/sys/atomic_write.h"
#include "core/sys/terminal_io.h"
#include "core/sys/unique_fd.h"
#include "install/install_files.h"
#include "install/source.h"

namespace box::install {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string parent_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_of(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

bool cancelled(const std::atomic<bool>* cancel) { return cancel && cancel->load(); }

// A file that gets its name only once it is whole: O_TMPFILE in `dir`
// (it vanishes with the process, however it ends), or on a file system
// without it a hidden name beside the destination, removed unless placed.
class TempFile {
 public:
  static Result<TempFile> create(const std::string& dir, const std::string& base, mode_t mode) {
    TempFile t;
    t.fd_.reset(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, mode));
    if (t.fd_.valid()) return t;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
      return Error::from_errno("create a file in '" + dir + "'");
    t.name_ = dir + "/." + base + ".box-export-" + std::to_string(::getpid()) + "-" +
              random_suffix();
    t.fd_.reset(::open(t.name_.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, mode));
    if (!t.fd_.valid()) {
      Error e = Error::from_errno("create '" + t.name_ + "'");
      t.name_.clear();
      return e;
    }
    return t;
  }
  TempFile(TempFile&& other) noexcept
      : fd_(std::move(other.fd_)), name_(std::exchange(other.name_, std::string())) {}
  TempFile& operator=(TempFile&&) = delete;
  ~TempFile() {
    if (!name_.empty()) ::unlink(name_.c_str());
  }
  int fd() const { return fd_.get(); }

  // Gives it the name `path`: `replace` an existing file of that name, or
  // leave it (a blob of that digest is that content already).
  Result<void> place(const std::string& path, bool replace) {
    if (::fsync(fd_.get()) != 0) return Error::from_errno("write '" + path + "'");
    if (name_.empty()) {
      // Named beside, then renamed: linkat cannot replace a file.
      std::string named = path;
      if (replace)
        named = parent_of(path) + "/." + base_of(path) + ".box-export-" +
                std::to_string(::getpid()) + "-" + random_suffix();
      const std::string self = "/proc/self/fd/" + std::to_string(fd_.get());
      if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, named.c_str(), AT_SYMLINK_FOLLOW) != 0) {
        if (errno == EEXIST && !replace) return {};
        return Error::from_errno("create '" + named + "'");
      }
      if (!replace) return {};
      name_ = named;
    }
    if (!replace && ::access(path.c_str(), F_OK) == 0) return {};
    if (::rename(name_.c_str(), path.c_str()) != 0)
      return Error::from_errno("rename '" + name_ + "' to '" + path + "'");
    name_.clear();
    return {};
  }

 private:
  TempFile() = default;
  UniqueFd fd_;
  std::string name_;  // the fallback's name until placed
};

// The layer, made as the container's ids see the files.
Result<ExportedImage> pack(const ExportSource& source, int layer_fd,
                           const std::atomic<bool>* cancel) {
  std::string report;
  auto r = image::run_in_user_namespace(
      source.mapping,
      [&](const image::MessageSink& send) -> Result<void> {
        UniqueFd lower(::open(source.rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!lower.valid()) return Error::from_errno("open '" + source.rootfs + "'");
        UniqueFd upper;
        if (!source.upper.empty()) {
          upper.reset(::open(source.upper.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
          // A box that never ran has written nothing.
          if (!upper.valid() && errno != ENOENT)
            return Error::from_errno("open '" + source.upper + "'");
        }
        auto packed = image::pack_layer({lower.get(), upper.get(), source.writer}, layer_fd);
        if (!packed) return packed.error();
        send(json{{"digest", packed->digest},
                  {"size", packed->size},
                  {"entries", packed->entries},
                  {"hard_links", packed->hard_links},
                  {"xattrs", packed->xattrs},
                  {"hidden", packed->hidden},
                  {"sockets", packed->sockets}}
                 .dump());
        return {};
      },
      [&](const std::string& m) { report = m; }, cancel);
  if (!r) return r.error();
  ExportedImage out;
  try {
    const json j = json::parse(report);
    out.layer_digest = j.at("digest").get<std::string>();
    out.layer_size = j.at("size").get<std::uint64_t>();
    out.entries = j.at("entries").get<std::uint64_t>();
    out.hard_links = j.at("hard_links").get<std::uint64_t>();
    out.xattrs = j.at("xattrs").get<std::uint64_t>();
    out.hidden = j.at("hidden").get<std::uint64_t>();
    out.sockets = j.at("sockets").get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    return Error(std::string("the layer's process said no digest: ") + e.what());
  }
  return out;
}

// The three documents of the image, with the layer's digest.
struct Documents {
  std::string config, manifest;
  image::Descriptor config_d, manifest_d;
};

Documents documents_for(const ExportSource& source, const ExportedImage& packed) {
  image::ImageConfig config = source.config;
  config.diff_ids = {packed.layer_digest};
  Documents d;
  d.config = image::image_config_json(config, source.created, source.history);
  d.config_d = image::descriptor_of(image::kMediaTypeImageConfig, d.config);
  image::Descriptor layer;
  layer.media_type = image::kMediaTypeLayerTar;
  layer.digest = packed.layer_digest;
  layer.size = static_cast<std::int64_t>(packed.layer_size);
  d.manifest = image::manifest_json(d.config_d, {layer});
  d.manifest_d = image::descriptor_of(image::kMediaTypeImageManifest, d.manifest);
  return d;
}

std::string blob_name(const std::string& digest) {
  return "blobs/sha256/" + digest.substr(std::string("sha256:").size());
}

// --- oci-archive ---------------------------------------------------------------

struct ArchiveWriter {
  struct archive* a = nullptr;
  int fd = -1;
  std::optional<Error> write_error;
  std::time_t now = std::time(nullptr);

  ~ArchiveWriter() {
    if (a) archive_write_free(a);
  }

  static la_ssize_t write_cb(struct archive* a, void* self, const void* data, size_t size) {
    auto* w = static_cast<ArchiveWriter*>(self);
    if (!write_all(w->fd, static_cast<const char*>(data), size)) {
      w->write_error = Error::from_errno("write");
      archive_set_error(a, errno, "%s", w->write_error->message().c_str());
      return -1;
    }
    return static_cast<la_ssize_t>(size);
  }

  Error failure(const std::string& what) const {
    if (write_error) return write_error->wrap(what);
    const char* m = archive_error_string(a);
    return Error(what + ": " + (m ? m : "unknown libarchive error"));
  }

  Result<void> open(int out_fd) {
    fd = out_fd;
    a = archive_write_new();
    if (!a) return Error("libarchive: out of memory");
    if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        archive_write_add_filter_none(a) != ARCHIVE_OK ||
        archive_write_open(a, this, nullptr, &ArchiveWriter::write_cb, nullptr) != ARCHIVE_OK)
      return failure("start the archive");
    return {};
  }

  Result<void> header(const std::string& name, mode_t mode, std::int64_t size) {
    std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)> e(archive_entry_new(),
                                                                             archive_entry_free);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_mode(e.get(), mode);
    archive_entry_set_size(e.get(), size);
    archive_entry_set_mtime(e.get(), now, 0);
    if (archive_write_header(a, e.get()) < ARCHIVE_WARN) return failure("write '" + name + "'");
    return {};
  }

  Result<void> text(const std::string& name, std::string_view content) {
    auto h = header(name, S_IFREG | 0644, static_cast<std::int64_t>(content.size()));
    if (!h) return h;
    if (!content.empty() && archive_write_data(a, content.data(), content.size()) < 0)
      return failure("write '" + name + "'");
    return {};
  }

  // `size` bytes of `from`, read from its start.
  Result<void> copy(const std::string& name, int from, std::uint64_t size,
                    const std::atomic<bool>* cancel) {
    auto h = header(name, S_IFREG | 0644, static_cast<std::int64_t>(size));
    if (!h) return h;
    char buf[1 << 16];
    for (std::uint64_t at = 0; at < size;) {
      if (cancelled(cancel)) return Error("cancelled");
      ssize_t n = ::pread(from, buf, sizeof buf, static_cast<off_t>(at));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Error::from_errno("read the layer");
      if (n == 0) return Error("the layer is shorter than it was written");
      const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n, size - at));
      if (archive_write_data(a, buf, take) < 0) return failure("write '" + name + "'");
      at += take;
    }
    return {};
  }

  Result<void> close() {
    if (archive_write_close(a) != ARCHIVE_OK) return failure("finish the archive");
    return {};
  }
};

Result<void> write_archive(const ExportDestination& dest, const TempFile& layer,
                           const ExportedImage& packed, const Documents& d,
                           const std::atomic<bool>* cancel) {
  const std::string dir = parent_of(dest.path);
  auto out = TempFile::create(dir, base_of(dest.path), 0644);
  if (!out) return out.error();
  ArchiveWriter w;
  auto r = w.open(out->fd());
  if (r) r = w.text("oci-layout", image::kOciLayoutText);
  if (r) r = w.text("index.json", image::index_json(d.manifest_d, dest.tag));
  if (r) r = w.header("blobs", S_IFDIR | 0755, 0);
  if (r) r = w.header("blobs/sha256", S_IFDIR | 0755, 0);
  if (r) r = w.text(blob_name(d.config_d.digest), d.config);
  if (r) r = w.text(blob_name(d.manifest_d.digest), d.manifest);
  if (r) r = w.copy(blob_name(packed.layer_digest), layer.fd(), packed.layer_size, cancel);
  if (r) r = w.close();
  if (!r) return std::move(r).error().wrap("write '" + dest.path + "'");
  if (cancelled(cancel)) return Error("cancelled");
  return out->place(dest.path, /*replace=*/true);
}

// --- oci:DIR -------------------------------------------------------------------

// Removes what a failed export made in a layout, unless it went through.
struct LayoutRollback {
  std::string tree;                // a new layout's staging dir
  std::vector<std::string> blobs;  // blobs added to an existing layout
  bool done = false;
  ~LayoutRollback() {
    if (done) return;
    std::error_code ec;
    if (!tree.empty()) fs::remove_all(tree, ec);
    for (const auto& b : blobs) ::unlink(b.c_str());
  }
};

Result<void> put_blob(const std::string& root, const std::string& digest, std::string_view content,
                      LayoutRollback& rb) {
  const std::string path = root + "/" + blob_name(digest);
  if (exists_nofollow(path)) return {};
  auto w = write_file_atomically(path, std::string(content), 0644, /*sync=*/true);
  if (!w) return w;
  rb.blobs.push_back(path);
  return {};
}

}  // namespace

bool is_export_destination(const std::string& text) {
  return text.rfind("oci-archive:", 0) == 0 || text.rfind("oci:", 0) == 0;
}

Result<ExportDestination> parse_export_destination(const std::string& text,
                                                   const std::string& cwd,
                                                   const std::string& default_tag) {
  if (!is_export_destination(text))
    return Error("destination '" + text +
                 "': box exports to oci-archive:FILE[:TAG] or oci:DIR[:TAG] (skopeo copies "
                 "from there to any other transport)");
  auto parsed = parse_source(text, cwd, "destination");
  if (!parsed) return parsed.error();
  ExportDestination d;
  d.kind = parsed->kind == SourceKind::kOciArchive ? ExportDestination::Kind::kOciArchive
                                                   : ExportDestination::Kind::kOciLayout;
  d.path = fs::path(parsed->path).lexically_normal().string();
  while (d.path.size() > 1 && d.path.back() == '/') d.path.pop_back();
  d.tag = parsed->tag.empty() ? default_tag : parsed->tag;
  d.text = text;
  if (auto t = image::check_ref_name(d.tag); !t)
    return Error("destination '" + text + "': " + t.error().message() +
                 (parsed->tag.empty() ? "; the tag is the box's name unless given: " +
                                            text + ":TAG"
                                      : ""));
  return d;
}

bool is_commit_origin(const std::string& origin) {
  const std::string prefix = kCommitOriginPrefix;
  return origin.rfind(prefix, 0) == 0 && is_valid_container_name(origin.substr(prefix.size()));
}

Result<ExportedImage> write_export(const ExportSource& source, const ExportDestination& dest,
                                   const std::atomic<bool>* cancel) {
  const std::string wrap = "export to '" + dest.text + "'";
  const std::string dir = parent_of(dest.path);
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Error("no directory '" + dir + "'").wrap(wrap);
  const bool exists = ::lstat(dest.path.c_str(), &st) == 0;
  LayoutRollback rb;
  std::string root;        // where the layout is written
  std::string layer_dir;   // where the layer is made
  std::string old_index;   // an existing layout's index.json
  if (dest.kind == ExportDestination::Kind::kOciArchive) {
    if (exists && S_ISDIR(st.st_mode))
      return Error("'" + dest.path + "' is a directory (export to oci:" + dest.path +
                   " writes an image layout there)")
          .wrap(wrap);
    layer_dir = dir;
  } else if (!exists) {
    root = dir + "/." + base_of(dest.path) + ".box-export-" + std::to_string(::getpid()) + "-" +
           random_suffix();
    if (::mkdir(root.c_str(), 0755) != 0)
      return Error::from_errno("create '" + root + "'").wrap(wrap);
    rb.tree = root;
    for (const char* sub : {"/blobs", "/blobs/sha256"})
      if (::mkdir((root + sub).c_str(), 0755) != 0)
        return Error::from_errno("create '" + root + sub + "'").wrap(wrap);
    layer_dir = root + "/blobs/sha256";
  } else {
    root = dest.path;
    if (!S_ISDIR(st.st_mode) || !exists_nofollow(root + "/oci-layout"))
      return Error("'" + root +
                   "' exists and is not an OCI image layout (it has no oci-layout file): name a "
                   "new directory, or a layout to add the image to")
          .wrap(wrap);
    auto index = read_file(root + "/index.json", image::kMaxJsonBytes);
    if (!index) return index.error().wrap(wrap);
    old_index = *index;
    auto made = make_dirs(root + "/blobs/sha256");
    if (!made) return made.error().wrap(wrap);
    layer_dir = root + "/blobs/sha256";
  }

  auto layer = TempFile::create(layer_dir, "layer", 0644);
  if (!layer) return layer.error().wrap(wrap);
  auto packed = pack(source, layer->fd(), cancel);
  if (!packed) return packed.error().wrap(wrap);
  packed->destination = dest.text;
  if (cancelled(cancel)) return Error("cancelled").wrap(wrap);
  const Documents d = documents_for(source, *packed);
  packed->config_digest = d.config_d.digest;
  packed->manifest_digest = d.manifest_d.digest;

  if (dest.kind == ExportDestination::Kind::kOciArchive) {
    auto w = write_archive(dest, *layer, *packed, d, cancel);
    if (!w) return w.error().wrap(wrap);
    return packed;
  }
  const std::string layer_path = root + "/" + blob_name(packed->layer_digest);
  const bool layer_there = exists_nofollow(layer_path);
  auto placed = layer->place(layer_path, /*replace=*/false);
  if (!placed) return placed.error().wrap(wrap);
  if (!layer_there) rb.blobs.push_back(layer_path);
  for (const auto& [digest, content] :
       {std::pair{d.config_d.digest, d.config}, std::pair{d.manifest_d.digest, d.manifest}}) {
    auto p = put_blob(root, digest, content, rb);
    if (!p) return p.error().wrap(wrap);
  }
  std::string index = image::index_json(d.manifest_d, dest.tag);
  if (!old_index.empty()) {
    auto merged = image::index_with(old_index, d.manifest_d, dest.tag, root + "/index.json");
    if (!merged) return merged.error().wrap(wrap);
    index = *merged;
  } else {
    auto l = write_file_atomically(root + "/oci-layout", std::string(image::kOciLayoutText), 0644,
                                   /*sync=*/true);
    if (!l) return l.error().wrap(wrap);
  }
  if (cancelled(cancel)) return Error("cancelled").wrap(wrap);
  auto i = write_file_atomically(root + "/index.json", index, 0644, /*sync=*/true);
  if (!i) return i.error().wrap(wrap);
  if (!rb.tree.empty() && ::rename(rb.tree.c_str(), dest.path.c_str()) != 0)
    return Error::from_errno("rename '" + rb.tree + "' to '" + dest.path + "'").wrap(wrap);
  rb.done = true;
  return packed;
}

}  // namespace box::install
