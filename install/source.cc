#include "install/source.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/model/definition.h"

namespace box::install {
namespace {

bool exists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

bool is_dir(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string absolute(const std::string& p, const std::string& cwd) {
  if (!p.empty() && p[0] == '/') return p;
  return cwd + "/" + p;
}

}  // namespace

const char* kind_name(SourceKind kind) {
  switch (kind) {
    case SourceKind::kDirectory:
      return "directory";
    case SourceKind::kNativeBundle:
      return "bundle";
    case SourceKind::kOciBundle:
      return "oci-bundle";
    case SourceKind::kOciLayout:
      return "oci";
    case SourceKind::kOciArchive:
      return "oci-archive";
    case SourceKind::kDockerArchive:
      return "docker-archive";
  }
  return "unknown";
}

Result<Source> parse_source(const std::string& text, const std::string& cwd,
                            const std::string& what) {
  Source s;
  s.text = text;
  struct Prefix {
    const char* name;
    SourceKind kind;
  };
  static const Prefix kPrefixes[] = {{"oci-archive:", SourceKind::kOciArchive},
                                     {"docker-archive:", SourceKind::kDockerArchive},
                                     {"oci:", SourceKind::kOciLayout}};
  for (const auto& p : kPrefixes) {
    std::string prefix = p.name;
    if (text.rfind(prefix, 0) != 0) continue;
    std::string rest = text.substr(prefix.size());
    // As skopeo reads them: the path ends at the first ':', the rest is the
    // tag (a docker reference "repo:tag" for docker-archive).
    auto colon = rest.find(':');
    s.kind = p.kind;
    s.path = rest.substr(0, colon);
    if (colon != std::string::npos) s.tag = rest.substr(colon + 1);
    if (s.path.empty())
      return Error(what + " '" + text + "': missing the path after '" + prefix + "'");
    if (colon != std::string::npos && s.tag.empty())
      return Error(what + " '" + text + "': empty tag after ':'");
    if (s.path[0] != '/' && cwd.empty())
      return Error(what + " '" + text + "': the path '" + s.path + "' must be absolute");
    s.path = absolute(s.path, cwd);
    return s;
  }
  if (text.find("://") != std::string::npos)
    return Error(what + " '" + text +
                 "': box-manager does not fetch from registries: 'boxctl install docker://IMAGE' "
                 "pulls with skopeo first; or copy the image yourself, e.g. 'skopeo copy "
                 "docker://IMAGE oci-archive:image.tar', then install oci-archive:image.tar");
  if (text.empty()) return Error("empty " + what);
  if (text[0] != '/' && cwd.empty())
    return Error(what + " '" + text + "': the path must be absolute");
  s.kind = SourceKind::kDirectory;
  s.path = absolute(text, cwd);
  return s;
}

std::string to_text(const Source& s) {
  std::string prefix;
  switch (s.kind) {
    case SourceKind::kOciLayout:
      prefix = "oci:";
      break;
    case SourceKind::kOciArchive:
      prefix = "oci-archive:";
      break;
    case SourceKind::kDockerArchive:
      prefix = "docker-archive:";
      break;
    default:
      return s.path;
  }
  return prefix + s.path + (s.tag.empty() ? "" : ":" + s.tag);
}

Result<Source> classify_directory(Source s) {
  if (s.kind != SourceKind::kDirectory) return s;
  if (!is_dir(s.path)) {
    if (exists(s.path))
      return Error("source '" + s.text + "' is a file: name its format, e.g. oci-archive:" +
                   s.text + " or docker-archive:" + s.text);
    return Error("source '" + s.text + "': no such directory");
  }
  if (exists(s.path + "/box.yaml")) {
    s.kind = SourceKind::kNativeBundle;
  } else if (exists(s.path + "/config.json")) {
    s.kind = SourceKind::kOciBundle;
  } else if (exists(s.path + "/oci-layout") && exists(s.path + "/index.json")) {
    s.kind = SourceKind::kOciLayout;
  } else {
    return Error("source '" + s.text +
                 "': neither a box bundle (box.yaml + rootfs/), an OCI "
                 "runtime bundle (config.json + rootfs/) nor an OCI image layout");
  }
  return s;
}

std::string default_name(const Source& source) {
  std::string p = source.path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  std::string base = p.substr(p.find_last_of('/') + 1);
  for (const char* ext : {".gz", ".tar", ".oci", ".docker"}) {
    std::string e = ext;
    if (base.size() > e.size() && base.compare(base.size() - e.size(), e.size(), e) == 0)
      base.resize(base.size() - e.size());
  }
  return is_valid_plain_name(base) ? base : std::string();
}

}  // namespace box::install
