// Image references as podman and Kubernetes write them ("busybox",
// "docker.io/library/busybox:1.36", "localhost/web:latest",
// "quay.io/x/y@sha256:…"): the one reading of a reference that box uses
// to tell whether two name the same image, and which installed image a
// Kubernetes `image:` stands for. Pure.
#pragma once

#include <string>

namespace box::kube {

struct ImageReference {
  std::string domain;  // "docker.io", "localhost", "quay.io", "registry:5000"
  std::string path;    // "library/busybox"
  std::string tag;     // "latest" when neither tag nor digest is given
  std::string digest;  // "sha256:…"
};

// As container tools complete a short name: the first component is a
// domain when it has a '.' or a ':' or is "localhost", else docker.io; a
// docker.io path of one component is under "library/"; no tag and no
// digest is ":latest".
ImageReference parse_image_reference(const std::string& text);

// "docker.io/library/busybox:latest" (tag and digest both when given).
std::string to_string(const ImageReference& ref);

// The two name the same image: "busybox" and "docker.io/library/busybox:latest" do.
bool same_image(const std::string& a, const std::string& b);

// The last component of the path: "docker.io/library/busybox:1.36" -> "busybox".
std::string repository_name(const std::string& text);

}  // namespace box::kube
