#include "install/root_made.h"

#include "core/sys/id_map.h"

namespace box::install {
namespace {

// linux/posix_acl_xattr.h and linux/posix_acl.h, not installed as headers
// for user space in a form every libc offers.
constexpr std::uint32_t kAclVersion = 2;
constexpr std::uint16_t kAclGroupObj = 0x04;
constexpr std::size_t kHeaderBytes = 4, kEntryBytes = 8;

std::uint32_t little_endian(std::string_view bytes, std::size_t at, std::size_t n) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < n; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return v;
}

}  // namespace

std::optional<std::uint32_t> image_id_of_host_id(std::uint32_t host, std::uint32_t user,
                                                 const SubidRanges& ranges,
                                                 std::uint32_t max_id) {
  std::uint32_t id = host;
  if (host == user)
    id = 0;
  else if (auto inside = id_inside(map_from_ranges(1, ranges), host))
    id = *inside;
  if (id > max_id) return std::nullopt;
  return id;
}

mode_t mode_without_acl(mode_t mode, std::string_view acl) {
  if (acl.size() < kHeaderBytes || (acl.size() - kHeaderBytes) % kEntryBytes != 0 ||
      little_endian(acl, 0, 4) != kAclVersion)
    return mode;
  for (std::size_t at = kHeaderBytes; at < acl.size(); at += kEntryBytes) {
    if (little_endian(acl, at, 2) != kAclGroupObj) continue;
    const mode_t perm = little_endian(acl, at + 2, 2) & 07;
    return (mode & ~static_cast<mode_t>(070)) | (perm << 3);
  }
  return mode;
}

}  // namespace box::install
