#include "core/image/unpack_limits.h"

#include "core/image/regular_file.h"

namespace box::image {
namespace {

std::string raise_hint(std::uint64_t limit) {
  return human_limit(limit) + "; raise --max-size";
}

}  // namespace

Result<void> check_entry_count(const UnpackLimits& limits, std::uint64_t entries) {
  if (entries < limits.max_entries) return {};
  return Error("the image has more than " + std::to_string(limits.max_entries) +
               " files, directories and links, the most box unpacks");
}

Result<void> check_bytes(const UnpackLimits& limits, std::uint64_t written, std::uint64_t more) {
  if (written <= limits.max_bytes && more <= limits.max_bytes - written) return {};
  return Error("the image unpacks to more than " + raise_hint(limits.max_bytes));
}

Result<void> check_file_size(const UnpackLimits& limits, std::int64_t declared) {
  if (declared < 0 || static_cast<std::uint64_t>(declared) <= limits.max_bytes) return {};
  return Error("a file of " + std::to_string(declared) + " bytes is larger than " +
               raise_hint(limits.max_bytes));
}

Result<void> check_path_length(const std::string& path, const char* what) {
  if (path.size() <= kMaxEntryPathBytes) return {};
  return Error(std::string(what) + " of " + std::to_string(path.size()) +
               " bytes is longer than " + std::to_string(kMaxEntryPathBytes) +
               " (PATH_MAX): '" + path.substr(0, 64) + "...'");
}

Result<void> check_layer_count(std::size_t layers) {
  if (layers <= kMaxLayers) return {};
  return Error("the image has " + std::to_string(layers) + " layers, more than " +
               std::to_string(kMaxLayers) + ", the most box unpacks");
}

}  // namespace box::image
