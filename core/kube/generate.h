// `boxctl generate kube`: boxes (or a box pod) as Kubernetes YAML, a Pod
// per box or one Pod for a box pod, with ConfigMaps for the files a box
// writes into itself and, when asked, PersistentVolumeClaims for its data.
// Every key of a definition is either translated or named in a comment at
// the top of the Pod (generate_rules() is the table; the unit test checks
// that it has every key). docs/kube.md lists both. Pure: the caller loads
// the definitions and says which image reference each one has.
#pragma once

#include <string>
#include <vector>

#include "core/model/definition.h"
#include "core/model/pod.h"

namespace box::kube {

struct GenerateBox {
  Definition definition;
  // What `image:` says: a reference podman or a cluster can pull or has.
  std::string image;
  // Comment lines about it (where it came from, how to get it there).
  std::vector<std::string> image_notes;
  // The box's own data directories on the host (its state dir, its
  // containers dir): a bind from under one of them is the box's data, a
  // PersistentVolumeClaim with `claims`.
  std::vector<std::string> data_dirs;
};

struct GenerateOptions {
  // Binds of a box's own data become PersistentVolumeClaims (for a
  // cluster) instead of hostPath volumes (for podman on this machine).
  bool claims = false;
  std::string generator = "boxctl generate kube";
};

// One YAML stream: a Pod per box (`pod` null) or one Pod of all of them
// (`pod` given: its members), with their ConfigMaps and claims, documents
// separated by "---".
std::string generate_kube(const std::vector<GenerateBox>& boxes, const PodDefinition* pod,
                          const GenerateOptions& options);

// A Kubernetes object name (a DNS label: lowercase letters, digits, '-',
// at most 63) for a box name: "My_DB@blue" -> "my-db-blue".
std::string kube_name(const std::string& name);

// The keys generate_kube() translates, and those it names in a comment;
// together every key of definition_keys().
struct GenerateRule {
  Key key;
  const char* kubernetes;  // where it goes, or "" when it has no equivalent
};
const std::vector<GenerateRule>& generate_rules();

}  // namespace box::kube
