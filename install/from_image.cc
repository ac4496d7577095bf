#include "install/from_image.h"

#include <memory>
#include <sstream>
#include <vector>

#include "core/image/blob_source.h"
#include "core/image/oci_image.h"
#include "core/image/sha256.h"
#include "install/install_files.h"
#include "install/unpack_job.h"

namespace box::install {
namespace {

struct IdEntry {
  std::string name;
  std::uint32_t id = 0, gid = 0;
};

// `path` empty: the image has no such file (path_in_rootfs found none).
// One that is there but not a regular file (a FIFO) is an error, not an
// empty list: it would otherwise read as "no such user".
Result<std::vector<IdEntry>> read_id_file(const std::string& path) {
  std::vector<IdEntry> out;
  if (path.empty()) return out;
  auto text = read_file(path, 4 << 20);
  if (!text) return text.error();
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
  meta.config_recorded = true;
  meta.entrypoint = c.entrypoint;
  meta.cmd = c.cmd;
  meta.env = c.env;
  meta.working_dir = c.working_dir;
  meta.user = d.user;
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

std::string short_digest(const std::string& d) { return d.substr(7, 12); }

}  // namespace

Result<std::string> resolve_user(const std::string& spec, const std::string& rootfs) {
  if (spec.empty()) return std::string();
  std::string u = spec, g;
  auto colon = spec.find(':');
  if (colon != std::string::npos) {
    u = spec.substr(0, colon);
    g = spec.substr(colon + 1);
  }
  auto passwd_file = read_id_file(path_in_rootfs(rootfs, "etc/passwd"));
  if (!passwd_file) return passwd_file.error().wrap("image user '" + spec + "'");
  const auto& passwd = *passwd_file;
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
      auto group = read_id_file(path_in_rootfs(rootfs, "etc/group"));
      if (!group) return group.error().wrap("image group '" + g + "'");
      for (const auto& e : *group)
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

Result<image::UnpackStats> unpack_image(const Source& src, const std::string& rootfs,
                                        const image::IdMapping& mapping,
                                        const InstallOptions& options, const ProgressFn& progress,
                                        image::DefinitionDraft& draft, InstalledImage& meta) {
  if (progress) progress(Progress{});
  std::unique_ptr<image::BlobSource> blobs;
  if (src.kind == SourceKind::kOciLayout) {
    auto b = image::open_directory_source(src.path);
    if (!b) return b.error();
    blobs = std::move(*b);
  } else {
    auto b = image::open_archive_source(src.path, options.cancel);
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
    if (!src.tag.empty())
      meta.reference = src.tag;
    else if (m->repo_tags.size() == 1)
      meta.reference = m->repo_tags.front();
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
    auto count = image::check_layer_count(m->layer_paths.size());
    if (!count) return count.error();
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
    // podman save writes the whole reference as the ref name; skopeo and
    // umoci a tag ("latest"), which names no image.
    if (desc.ref_name().find('/') != std::string::npos) meta.reference = desc.ref_name();
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
    auto count = image::check_layer_count(n);
    if (!count) return count.error();
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

  auto stats = unpack_layers_as_owner(*blobs, jobs, rootfs, mapping, unpack_limits_for(options),
                                      progress, options.cancel);
  if (!stats) return stats.error();
  meta.layers = jobs.size();
  auto applied = apply_image_config(config, rootfs, draft, meta);
  if (!applied) return applied.error();
  return stats;
}

}  // namespace box::install
