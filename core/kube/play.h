// `boxctl play kube FILE`: Kubernetes YAML (Pods, Deployments of one
// replica, ConfigMaps, Secrets, PersistentVolumeClaims) into boxes. Each
// Pod becomes one box (one container) or a box pod (several: a pod file
// and a member per container, named POD-CONTAINER as podman names them);
// ConfigMaps and Secrets become files mounted read-only, or environment
// variables. Whatever box cannot do is an error naming the YAML path
// ("FILE:12:5: spec.containers[0].lifecycle: not supported by box"), and
// then nothing is planned. Pure: the caller says which images are
// installed and where the user's directories are; writing the plan is
// install/kube_play.h's. docs/kube.md lists every field.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/image/definition_draft.h"
#include "core/sys/result.h"

namespace box::kube {

// An installed image, as its record (image.json) says.
struct ImageFacts {
  std::string name;       // images/NAME
  std::string reference;  // the reference it was installed from; may be empty
  std::string source;     // what `boxctl install` was given, for messages
  // Whether the record has the image's Entrypoint, Cmd, Env, WorkingDir
  // and User (images installed before box recorded them have not).
  bool config_known = false;
  std::vector<std::string> entrypoint, cmd;
  std::vector<std::pair<std::string, std::string>> env;
  std::string workdir;
  std::string user;  // "UID:GID", "" for root
  // To be installed once the YAML is checked (--image REF=ARCHIVE): its
  // config is not known yet, so what depends on it is checked in a second
  // plan, after the install.
  bool pending = false;
};

struct PlayContext {
  std::string file;       // the YAML file, as named in errors
  std::string data_home;  // $XDG_DATA_HOME: hostPath volumes must be below it
  std::string kube_dir;   // where play keeps a pod's files: KUBE_DIR/POD/...
  std::vector<ImageFacts> images;
  // --image REF=NAME: the installed image NAME stands for REF.
  std::map<std::string, std::string> image_names;
  bool ignore_probes = false;  // --ignore-probes
  // --allow-host-namespace pid|ipc: the user's consent to hostPID, hostIPC
  // (as an image needs it: docs/install.md).
  std::vector<std::string> allow_host_namespaces;
};

// A file play writes, below the pod's directory (KUBE_DIR/POD).
struct PlayFile {
  std::string path;  // relative: "volumes/config/app.conf"
  std::string content;
  unsigned mode = 0644;
};

// A hostPath volume's check (or creation) when the plan is written.
struct HostPath {
  std::string path;
  std::string type;   // "", Directory, DirectoryOrCreate, File, FileOrCreate
  std::string place;  // "FILE:LINE:COLUMN: PATH" for the error
};

struct PlayBox {
  std::string name;
  image::DefinitionDraft draft;
  bool secret = false;  // holds a Secret's value: written 0600
};

struct PlayPod {
  std::string name;         // the box's name, or the box pod's
  std::string kind;         // Pod or Deployment
  std::string pod_file;     // a box pod: the text of pods/NAME.yaml; empty for one box
  std::vector<PlayBox> boxes;
  std::vector<PlayFile> files;       // ConfigMaps and Secrets as files
  std::vector<std::string> file_dirs;  // ConfigMap and Secret volumes: relative, made 0755
  std::vector<std::string> dirs;       // emptyDir volumes: relative, made 0777
  std::vector<std::string> claims;   // persistentVolumeClaim names: KUBE_DIR/claims/NAME
  std::vector<HostPath> host_paths;
  std::vector<std::string> notes;    // for the user: images taken by name, probes left out
};

struct PlayPlan {
  std::vector<PlayPod> pods;
};

// Every document of `yaml` (`---` separated), or the first error.
Result<PlayPlan> plan_play(const std::string& yaml, const PlayContext& context);

// The names of the Pods and Deployments of `yaml` (what `--down` stops and
// removes), read without checking the rest.
Result<std::vector<std::string>> played_names(const std::string& yaml, const std::string& file);

// KUBE_DIR/claims/NAME, where a persistentVolumeClaim's data is.
std::string claim_dir(const std::string& kube_dir, const std::string& claim);

}  // namespace box::kube
