// libFuzzer target: an OCI runtime config (config.json of a bundle, or an
// Atomic config.json.template after substitution) -> definition draft
// (core/image/oci_runtime.h). Images carry this text, so it is hostile input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/image/oci_runtime.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  auto t = box::image::translate_runtime_config(json, "config.json", "/home/user/bundle");
  if (!t) (void)t.error().message();
  return 0;
}
