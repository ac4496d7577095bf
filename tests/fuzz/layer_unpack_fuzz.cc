// libFuzzer target: the real layer unpacker (core/image/layer_unpack.h) on a
// fuzzed layer stream (tar, or tar in any compression libarchive detects),
// unpacked in-process as the current user (set_owners off: no user namespace
// needed) into a scratch directory emptied after every input.
//
// Besides sanitizer reports it checks the unpacker's promise: nothing is
// written beside the rootfs. The rootfs is PARENT/root next to a sentinel
// file; after each input PARENT must hold exactly those two, unchanged.
// (An escape through an absolute path would land elsewhere on the host; the
// unit tests cover those with openat2's RESOLVE_IN_ROOT.)
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <string_view>

#include "core/image/layer_unpack.h"

namespace {

std::string g_parent;  // the scratch directory; the rootfs is g_parent + "/root"
int g_parent_fd = -1;
constexpr std::string_view kSentinel = "box fuzz sentinel\n";

class MemoryStream : public box::image::InputStream {
 public:
  MemoryStream(const std::uint8_t* data, std::size_t size) : data_(data), left_(size) {}
  box::Result<std::size_t> read(void* buf, std::size_t size) override {
    const std::size_t n = size < left_ ? size : left_;
    if (n) std::memcpy(buf, data_, n);
    data_ += n;
    left_ -= n;
    return n;
  }

 private:
  const std::uint8_t* data_;
  std::size_t left_;
};

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "layer_unpack_fuzz: %s\n", what.c_str());
  std::abort();
}

// Empties `dirfd`, whatever modes the layer left (a directory of mode 0 is
// made searchable first); never follows a symlink.
void empty_dir(int dirfd) {
  // A descriptor of its own: a dup would share (and exhaust) the offset.
  DIR* d = fdopendir(openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!d) fail("cannot read the scratch directory");
  std::set<std::string> names;
  while (struct dirent* de = readdir(d))
    if (std::strcmp(de->d_name, ".") != 0 && std::strcmp(de->d_name, "..") != 0)
      names.insert(de->d_name);
  closedir(d);
  for (const auto& n : names) {
    struct stat st;
    if (fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      fchmodat(dirfd, n.c_str(), 0700, 0);
      const int fd = openat(dirfd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) fail("cannot open '" + n + "' in the scratch directory");
      empty_dir(fd);
      close(fd);
      if (unlinkat(dirfd, n.c_str(), AT_REMOVEDIR) != 0) fail("cannot remove directory " + n);
    } else if (unlinkat(dirfd, n.c_str(), 0) != 0) {
      fail("cannot remove " + n);
    }
  }
}

void check_nothing_beside_the_rootfs() {
  DIR* d = fdopendir(openat(g_parent_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!d) fail("cannot read " + g_parent);
  std::set<std::string> names;
  while (struct dirent* de = readdir(d)) names.insert(de->d_name);
  closedir(d);
  if (names != std::set<std::string>{".", "..", "root", "sentinel"}) {
    std::string found;
    for (const auto& n : names) found += " '" + n + "'";
    fail("the unpacker wrote beside the rootfs in " + g_parent + ", which holds" + found);
  }
  char buf[64] = {};
  const int fd = openat(g_parent_fd, "sentinel", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  const ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
  if (fd >= 0) close(fd);
  if (n < 0 || std::string_view(buf, static_cast<std::size_t>(n)) != kSentinel)
    fail("the unpacker changed the sentinel beside the rootfs in " + g_parent);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/box-fuzz-unpack.XXXXXX";
  if (!mkdtemp(templ.data())) fail("mkdtemp in " + templ);
  g_parent = templ;
  g_parent_fd = open(g_parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (g_parent_fd < 0 || mkdirat(g_parent_fd, "root", 0700) != 0) fail("set up " + g_parent);
  const int fd = openat(g_parent_fd, "sentinel", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 || write(fd, kSentinel.data(), kSentinel.size()) !=
                    static_cast<ssize_t>(kSentinel.size()))
    fail("write the sentinel in " + g_parent);
  close(fd);
  // The scratch directory goes with the fuzzer, however it ends.
  std::atexit([] {
    empty_dir(g_parent_fd);
    rmdir(g_parent.c_str());
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int root = openat(g_parent_fd, "root", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (root < 0) fail("open the rootfs in " + g_parent);
  MemoryStream in(data, size);
  box::image::UnpackStats stats;
  const std::function<void(std::uint64_t)> no_progress;
  auto r = box::image::unpack_layer(root, in, {.what = "layer", .digest = "", .size = -1}, {},
                                    stats, no_progress);
  if (!r) (void)r.error().message();
  fchmod(root, 0700);
  empty_dir(root);
  close(root);
  check_nothing_beside_the_rootfs();
  return 0;
}
