// Values of the install types for the pure install tests: the Locations of
// a user "u" (uid 1000), and an InstalledImage and InstallOptions with
// every field set to a value of its own, for the tests of what carries them
// (image.json, the worker's command line and report line, the D-Bus
// dictionaries): a field a carrier drops or mixes up makes the copy
// differ. Printed readably when a comparison fails.
#pragma once

#include <ostream>

#include "install/image_metadata.h"
#include "install/install.h"

namespace box::install {

inline void PrintTo(const InstalledImage& image, std::ostream* out) {
  *out << metadata_to_json(image);
}

inline void PrintTo(const InstallOptions& o, std::ostream* out) {
  auto list = [&](const char* key, const std::vector<std::string>& values) {
    *out << " " << key << "=[";
    for (const auto& v : values) *out << "'" << v << "'";
    *out << "]";
  };
  *out << "name='" << o.name << "' replace=" << o.replace << " dry_run=" << o.dry_run
       << " allow_autostart=" << o.allow_autostart << " max_size=" << o.max_size << " set=[";
  for (const auto& [k, v] : o.set) *out << "'" << k << "=" << v << "'";
  *out << "]";
  list("allow_binds", o.allow_binds);
  list("allow_host_files", o.allow_host_files);
  list("allow_host_namespaces", o.allow_host_namespaces);
}

namespace testing {

inline Locations sample_locations() {
  Locations l;
  l.images = "/home/u/.local/share/box/images";
  l.definitions = "/home/u/.config/box/containers";
  l.state = "/home/u/.local/share/box/state";
  l.run = "/run/user/1000/box/run";
  l.containers = "/home/u/.local/share/box/containers";
  l.tmpfiles = "/home/u/.config/user-tmpfiles.d";
  l.conf = "/home/u/.config/box/etc";
  return l;
}

inline InstalledImage sample_image() {
  InstalledImage m;
  m.name = "etcd";
  m.source = "oci-archive:/x.tar";
  m.source_kind = "oci-archive";
  m.digest = "sha256:ab";
  m.installed_at = "2026-01-01T00:00:00Z";
  m.image_dir = "/i";
  m.rootfs = "/i/rootfs";
  m.definition = "/d.yaml";
  m.id_mapping = "0:1000:1";
  m.owners_kept = true;
  m.atomic_exports = true;
  m.data_dirs = {"/data"};
  m.runtime_dirs = {"/run/x"};
  m.host_files = {"/h"};
  m.tmpfiles = "/t.conf";
  m.created = {{"/data", "data", 64769, 1234}};
  m.changes = {{"bind", "/", "read-write to /host (allowed by --allow-bind)"}};
  m.refused = {"r"};
  m.dry_run = true;
  // A line break, which must not end a one-line report early.
  m.warnings = {"first\nsecond"};
  m.labels = {{"a", "b"}};
  m.exposed_ports = {"2379/tcp"};
  m.layers = 2;
  m.bytes_unpacked = 5ull << 32;
  m.devices_skipped = 1;
  return m;
}

// No name (the request's own) and no cancel flag (a process's own). `set`
// is sorted with one value a key, as a dictionary carries it.
inline InstallOptions sample_options() {
  InstallOptions o;
  o.replace = true;
  o.set = {{"EMPTY", ""}, {"EQ", "a=b"}, {"PORT", "2379"}};
  o.dry_run = true;
  o.allow_autostart = true;
  // Values that look like options must stay values on a command line.
  o.allow_binds = {"/", "--odd"};
  o.allow_host_files = {"/home/u/.local/bin/x"};
  o.allow_host_namespaces = {"pid", "ipc"};
  o.max_size = 64ull << 30;
  o.origin = "docker://127.0.0.1:5000/box/x:1";
  return o;
}

}  // namespace testing
}  // namespace box::install
