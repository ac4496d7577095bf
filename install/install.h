// `boxctl install`, `boxctl uninstall`, `boxctl images`: the one code path
// that both boxctl and box-manager's Install/Uninstall methods call.
//
//   install(ctx, "oci-archive:etcd.tar", {.name = "etcd"}, progress)
//     -> ~/.local/share/box/images/etcd/{rootfs/,image.json}
//        ~/.config/box/containers/etcd.yaml   (image: etcd)
//     then the user manager is reloaded: box@etcd.service exists at once.
//
// Everything is staged in images/.staging-NAME-PID-RANDOM and renamed into
// place at the end, so a failed or cancelled install leaves nothing behind;
// a killed one leaves a staging dir that the next install removes (its PID
// is gone). docs/install.md describes the behaviour for users.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/model/paths.h"
#include "core/sys/result.h"

namespace box::install {

struct InstallContext {
  UserDirs dirs;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user;  // login name, for /etc/subuid lookups
  // Empty: the user's ranges as newuidmap sees them (libsubid); a file in
  // /etc/subuid's format instead (tests).
  std::string subuid_file;
  std::string subgid_file;
  // The box-run that units run; only used for Atomic's $EXEC_START.
  std::string box_run = "box-run";
  // Directories on PATH (of the process that installs; ~/.local/bin and
  // ~/bin count always): a hostfs file there needs consent (host_policy.h).
  std::vector<std::string> path_dirs;
  // What an install asks of the user's systemd, given by the caller: this
  // folder speaks no D-Bus (box-install-worker passes the bus client's
  // stop_user_unit, bus/systemd_client.h; box-manager reloads itself once
  // the worker is done).
  // After install/uninstall: make systemd see the change. Null: skipped.
  std::function<Result<void>()> reload;
  // Before uninstall, and before a replace changes the image: stop
  // box@NAME.service and wait. Null: skipped.
  std::function<Result<void>(const std::string& unit)> stop_unit;
};

// The caller's dirs and ids, /etc/sub[ug]id and $PATH; reload and stop_unit
// are left null for the caller to set.
Result<InstallContext> context_from_environment(const std::string& box_run);

struct InstallOptions {
  std::string name;  // empty: from the source's file name
  bool replace = false;
  std::vector<std::pair<std::string, std::string>> set;  // --set KEY=VALUE
  const std::atomic<bool>* cancel = nullptr;             // true: stop, clean up, fail
  // The most the image may unpack to (file contents of all layers; also
  // the largest one file may be); 0: 32 GiB (image/unpack_limits.h).
  std::uint64_t max_size = 0;
  // The user's consent to what an image may not do by default
  // (docs/install.md, "What an image may do"): each names exactly what it
  // allows, as the refusal message says.
  std::vector<std::string> allow_binds;            // --allow-bind HOST_PATH
  std::vector<std::string> allow_host_files;       // --allow-host-file DEST
  std::vector<std::string> allow_host_namespaces;  // --allow-host-namespace pid|ipc
  bool allow_autostart = false;                    // --allow-autostart
  // Everything up to the host changes is done (the image is unpacked into
  // staging and translated), then the staging is removed: the result lists
  // the changes and refusals; nothing outside staging is touched.
  bool dry_run = false;
  // Where the source came from when it is a copy made for this install
  // (boxctl install docker://REF: "docker://REF", the source a layout
  // skopeo wrote): what the image's record and definition name instead.
  std::string origin;
  bool operator==(const InstallOptions&) const = default;
};

struct Progress {
  enum class Phase { kReading, kUnpacking, kCopying, kFinishing } phase = Phase::kReading;
  int layer = 0, layers = 0;  // 1-based layer being unpacked
  std::uint64_t bytes = 0, total_bytes = 0;
};
using ProgressFn = std::function<void(const Progress&)>;

// One change an install makes outside its staging dir, for the user to
// review (--dry-run) and for the record.
struct HostChange {
  std::string kind;  // definition | image | directory | tmpfiles | host-file | bind |
                     // host-namespace | autostart
  std::string path;  // the host path (or the namespace, the autostart mode)
  std::string detail;
  bool operator==(const HostChange&) const = default;
};

// A file or directory an install created, as it found it right after: an
// uninstall removes it only if the same (device, inode) is still at the
// same path, reached without following a symlink (safe_remove.h).
struct CreatedPath {
  std::string path;
  std::string kind;  // data | runtime | host-file | tmpfiles
  std::uint64_t dev = 0, ino = 0;
  bool operator==(const CreatedPath&) const = default;
};

// What `boxctl images` shows, and what install returns. Stored as
// images/NAME/image.json.
struct InstalledImage {
  std::string name;
  std::string source;        // as given
  std::string source_kind;   // bundle | oci-bundle | oci | oci-archive | docker-archive
  std::string digest;        // manifest digest (oci), image id (docker); empty for bundles
  std::string installed_at;  // UTC, ISO 8601
  std::string image_dir, rootfs, definition;
  std::string id_mapping;  // "0:1000:1,1:100000:65536", or "0:1000:1" when owners were not kept
  bool owners_kept = false;
  bool atomic_exports = false;
  std::vector<std::string> data_dirs;     // kept by uninstall unless --purge
  std::vector<std::string> runtime_dirs;  // removed by uninstall
  std::vector<std::string> host_files;    // hostfs files, removed by uninstall
  std::string tmpfiles;                   // user-tmpfiles.d file, removed by uninstall
  std::vector<CreatedPath> created;       // what uninstall may remove (checked again)
  std::vector<HostChange> changes;        // every host change, made or (dry run) planned
  std::vector<std::string> refused;       // dry run: what the install would refuse
  bool dry_run = false;                   // nothing was installed
  std::vector<std::string> warnings;      // what could not be honoured
  std::map<std::string, std::string> labels;
  std::vector<std::string> exposed_ports;
  // The reference podman and registries know the image by: docker://REF's
  // REF, an OCI archive's full ref name, a docker archive's RepoTag;
  // empty when the source names none (docs/kube.md, image references).
  std::string reference;
  // The image config's defaults as they were (config_recorded: an image,
  // not a bundle), for `boxctl play kube`, whose command and args replace
  // the Entrypoint and the Cmd separately. user is "UID:GID" ("" for root).
  bool config_recorded = false;
  std::vector<std::string> entrypoint, cmd, env;
  std::string working_dir, user;
  std::uint64_t layers = 0, bytes_unpacked = 0, devices_skipped = 0;
  bool operator==(const InstalledImage&) const = default;
};

Result<InstalledImage> install(const InstallContext& ctx, const std::string& source,
                               const InstallOptions& options, const ProgressFn& progress);

// Stops box@NAME, removes the definition, the image, what the install
// created (each path checked again: safe_remove.h) and the box's runtime
// dir; its data (recorded data dirs, state/NAME, containers/NAME) stays
// unless `purge`. Then reloads the user manager. The result: what was left
// in place and why (one line each), for the log.
Result<std::vector<std::string>> uninstall(const InstallContext& ctx, const std::string& name,
                                           bool purge);

// Sorted by name. An unreadable image.json is listed with a warning.
Result<std::vector<InstalledImage>> list_installed(const InstallContext& ctx);

// Where things go (all under the user's XDG dirs).
struct Locations {
  std::string images;       // $XDG_DATA_HOME/box/images
  std::string definitions;  // $XDG_CONFIG_HOME/box/containers
  std::string state;        // $XDG_DATA_HOME/box/state   ($STATE_DIRECTORY)
  std::string run;          // $XDG_RUNTIME_DIR/box/run   ($RUN_DIRECTORY)
  std::string conf;         // $XDG_CONFIG_HOME/box/etc   ($CONF_DIRECTORY: the boxes' /etc)
  std::string containers;   // $XDG_DATA_HOME/box/containers (per-container writable state)
  std::string tmpfiles;     // $XDG_CONFIG_HOME/user-tmpfiles.d
};
Locations locations_for(const InstallContext& ctx);

}  // namespace box::install
