#include "core/kube/base64.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

namespace box::kube {

std::optional<std::string> decode_base64(const std::string& text) {
  // EVP_DecodeBlock skips blanks at either end and counts padding as
  // zero bytes: both are checked here first.
  if (text.size() % 4 != 0) return std::nullopt;
  const auto pad = text.find('=');
  if (pad != std::string::npos &&
      (pad + 2 < text.size() ||
       !std::all_of(text.begin() + static_cast<long>(pad), text.end(),
                    [](char c) { return c == '='; })))
    return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
      }))
    return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - (pad == std::string::npos ? 0 : text.size() - pad));
  return out;
}

}  // namespace box::kube
