// What `boxctl install SOURCE` names. Parsing the text is pure; telling a
// native bundle from an OCI runtime bundle looks at the directory.
#pragma once

#include <string>

#include "core/sys/result.h"

namespace box::install {

enum class SourceKind {
  kDirectory,      // not yet classified: a bundle directory
  kNativeBundle,   // DIR with box.yaml + rootfs/
  kOciBundle,      // DIR with config.json + its root.path (rootfs/)
  kOciLayout,      // oci:DIR[:TAG]
  kOciArchive,     // oci-archive:FILE[:TAG]
  kDockerArchive,  // docker-archive:FILE[:REPO:TAG]
};

struct Source {
  SourceKind kind = SourceKind::kDirectory;
  std::string path;  // absolute
  std::string tag;   // may be empty
  std::string text;  // as given, for messages and metadata
};

// "bundle", "oci-bundle", "oci", "oci-archive", "docker-archive".
const char* kind_name(SourceKind kind);

// Relative paths are made absolute against `cwd`; with `cwd` empty they are
// refused. `what` names the text in errors ("destination" for an export's).
// Pure.
Result<Source> parse_source(const std::string& text, const std::string& cwd,
                            const std::string& what = "source");

// A parsed source as text again, its path absolute: "oci:/x/layout:tag".
// (boxctl sends that to box-manager, which does not know boxctl's cwd.)
std::string to_text(const Source& source);

// kDirectory -> kNativeBundle or kOciBundle, by the files present (an OCI
// layout directory given without "oci:" is taken as one too).
Result<Source> classify_directory(Source source);

// The container name when none is given: the file or directory name without
// its extensions ("~/etcd.oci.tar" -> "etcd"). Empty if that is no valid name.
std::string default_name(const Source& source);

}  // namespace box::install
