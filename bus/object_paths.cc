#include "bus/object_paths.h"

#include <systemd/sd-bus.h>

#include <cstdlib>
#include <new>

namespace box::manager {
namespace {

std::string encode(const char* prefix, const std::string& id) {
  char* out = nullptr;
  // Fails only on allocation failure.
  if (sd_bus_path_encode(prefix, id.c_str(), &out) < 0) throw std::bad_alloc();
  std::string path(out);
  std::free(out);
  return path;
}

std::optional<std::string> decode(const char* prefix, const std::string& path) {
  char* out = nullptr;
  // 0: the path is not directly below `prefix`.
  if (sd_bus_path_decode(path.c_str(), prefix, &out) <= 0 || !out) return std::nullopt;
  std::string id(out);
  std::free(out);
  return id;
}

}  // namespace

std::string container_object_path(const std::string& name) {
  return encode(kContainerPathPrefix, name);
}

std::optional<std::string> container_from_object_path(const std::string& path) {
  return decode(kContainerPathPrefix, path);
}

std::string unit_object_path(const std::string& unit) {
  return encode(systemd1::kUnitPathPrefix, unit);
}

std::optional<std::string> unit_from_object_path(const std::string& path) {
  return decode(systemd1::kUnitPathPrefix, path);
}

}  // namespace box::manager
