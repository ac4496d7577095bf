// user_subid_ranges() and libsubid_ranges() (subid.h). libsubid is what
// newuidmap and newgidmap ask, so box maps the very ranges they accept.
// It is loaded only where nsswitch.conf names a `subid:` source: linked
// in, it brings audit, SELinux, PAM and seven more libraries to relocate
// at every box-run start (an empty program took 6.0 ms an exec with it
// against 1.5 ms without, measured here).
#include <dlfcn.h>
#include <shadow/subid.h>

#include <cstdlib>
#include <limits>

#include "core/sys/small_file.h"
#include "core/sys/subid.h"

namespace box {
namespace {

const char* file_of(SubidKind kind) {
  return kind == SubidKind::kUid ? "/etc/subuid" : "/etc/subgid";
}

}  // namespace

Result<SubidRanges> libsubid_ranges(SubidKind kind, const std::string& user) {
  // Kept loaded for the life of the process, as a linked library would be.
  static void* lib = ::dlopen("libsubid.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    return Error(std::string("load libsubid (the 'subid:' source of /etc/nsswitch.conf needs "
                             "it; Debian's libsubid4): ") + ::dlerror());
  using Init = bool (*)(const char*, FILE*);
  using Get = int (*)(const char*, struct subid_range**);
  auto init = reinterpret_cast<Init>(::dlsym(lib, "subid_init"));
  auto get = reinterpret_cast<Get>(
      ::dlsym(lib, kind == SubidKind::kUid ? "subid_get_uid_ranges" : "subid_get_gid_ranges"));
  if (!init || !get) return Error("libsubid.so.4 lacks subid_init or subid_get_*_ranges");
  // Its own complaints would go to stderr; box reports the failure, once.
  static const bool quiet = init("box", nullptr);
  (void)quiet;
  struct subid_range* found = nullptr;
  const int n = get(user.c_str(), &found);
  if (n < 0) {
    std::free(found);
    return Error(std::string("libsubid could not read the subordinate ") +
                 (kind == SubidKind::kUid ? "uids" : "gids") + " of '" + user + "' (" +
                 file_of(kind) + " or the 'subid:' source of /etc/nsswitch.conf)");
  }
  SubidRanges out;
  constexpr unsigned long kMax = std::numeric_limits<unsigned>::max();
  for (int i = 0; i < n; ++i)
    if (found[i].count > 0 && found[i].start <= kMax && found[i].count <= kMax)
      out.push_back({static_cast<unsigned>(found[i].start), static_cast<unsigned>(found[i].count)});
  std::free(found);
  return out;
}

Result<SubidRanges> user_subid_ranges(SubidKind kind, const std::string& user, unsigned id) {
  auto conf = read_small_file("/etc/nsswitch.conf");
  const std::string source = conf ? nsswitch_subid_source(*conf) : "";
  if (source.empty() || source == "files") return subid_ranges_in(file_of(kind), user, id);
  return libsubid_ranges(kind, user);
}

}  // namespace box
