// What `boxctl play kube` planned (core/kube/play.h) put on disk, and taken
// away again by `boxctl play kube --down`. Each played Pod has a directory
// of its own, KUBE_DIR/POD ($XDG_DATA_HOME/box/kube/POD, 0700), holding its
// ConfigMap and Secret files, its emptyDir volumes and its record
// (play.json: the definitions and pod file it wrote), which --down reads;
// claims are KUBE_DIR/claims/NAME and outlive the Pod, as podman's volumes
// outlive `podman kube down`. Definitions go where the user's own are.
#pragma once

#include <string>
#include <vector>

#include "core/kube/play.h"
#include "core/sys/result.h"
#include "install/install.h"

namespace box::install {

// $XDG_DATA_HOME/box/kube.
std::string kube_dir(const InstallContext& ctx);

// What a play wrote for one Pod (play.json).
struct PlayRecord {
  std::string name;    // the Pod's: a box's name, or a box pod's
  std::string source;  // the YAML file
  std::vector<std::string> boxes;        // box names, in the Pod's order
  std::vector<std::string> definitions;  // their files
  std::string pod_file;                  // a box pod's file; empty for one box
};

// The installed images, as play reads them (core/kube/play.h).
Result<std::vector<kube::ImageFacts>> installed_image_facts(const InstallContext& ctx);

// Writes every Pod of `plan`, or nothing: a name taken by a box, a pod or
// a play of another file is an error, as is a hostPath volume that is not
// what its type says (or a symlink out of the data directory); a Pod
// played before from the same file is replaced when `replace`. The records
// made, in the plan's order. The caller reloads the user manager.
Result<std::vector<PlayRecord>> write_play(const InstallContext& ctx, const kube::PlayPlan& plan,
                                           const std::string& source, bool replace);

// The record of a played Pod; an error naming the Pod when there is none.
Result<PlayRecord> read_play_record(const InstallContext& ctx, const std::string& name);

// Removes what the play of `record` wrote (its units stopped first by the
// caller): its definitions and pod file when they still are play's, and
// its directory (volumes written by the container's own ids too). Notes
// say what was left and why.
Result<std::vector<std::string>> remove_play(const InstallContext& ctx, const PlayRecord& record);

}  // namespace box::install
