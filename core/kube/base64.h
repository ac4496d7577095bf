// The base64 of a Secret's `data` and a ConfigMap's `binaryData`
// (RFC 4648, with padding, as the API server takes it). Pure.
#pragma once

#include <optional>
#include <string>

namespace box::kube {

// The bytes, or nullopt when `text` is not base64 (a wrong character or
// length, padding in the middle).
std::optional<std::string> decode_base64(const std::string& text);

}  // namespace box::kube
