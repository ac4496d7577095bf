#include "core/kube/image_reference.h"

namespace box::kube {

ImageReference parse_image_reference(const std::string& text) {
  ImageReference ref;
  std::string rest = text;
  if (auto at = rest.find('@'); at != std::string::npos) {
    ref.digest = rest.substr(at + 1);
    rest.resize(at);
  }
  // A tag is after the last ':' that comes after the last '/' (a ':'
  // before it is a registry's port).
  const auto slash = rest.rfind('/');
  const auto colon = rest.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    ref.tag = rest.substr(colon + 1);
    rest.resize(colon);
  }
  const auto first = rest.find('/');
  const std::string head = rest.substr(0, first);
  if (first != std::string::npos &&
      (head.find_first_of(".:") != std::string::npos || head == "localhost")) {
    ref.domain = head;
    ref.path = rest.substr(first + 1);
  } else {
    ref.domain = "docker.io";
    ref.path = rest;
  }
  if (ref.domain == "docker.io" && ref.path.find('/') == std::string::npos)
    ref.path = "library/" + ref.path;
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

std::string to_string(const ImageReference& ref) {
  std::string text = ref.domain + "/" + ref.path;
  if (!ref.tag.empty()) text += ":" + ref.tag;
  if (!ref.digest.empty()) text += "@" + ref.digest;
  return text;
}

bool same_image(const std::string& a, const std::string& b) {
  return !a.empty() && !b.empty() &&
         to_string(parse_image_reference(a)) == to_string(parse_image_reference(b));
}

std::string repository_name(const std::string& text) {
  const std::string path = parse_image_reference(text).path;
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace box::kube
