// libFuzzer target: a bundle's config.json as box-oci reads it whole
// (core/plan/oci_config.h), and an exec --process file. podman, containerd
// and the user write these, but a bundle can come from anywhere: hostile
// input that must get a precise error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/plan/oci_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  if (auto c = box::oci::read_config(json, "config.json"); !c) (void)c.error().message();
  if (auto p = box::oci::read_process(json, "process.json"); !p) (void)p.error().message();
  return 0;
}
