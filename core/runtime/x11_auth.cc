#include "core/runtime/x11_auth.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <utility>

#include "core/sys/atomic_write.h"
#include "core/sys/child_wait.h"
#include "core/sys/small_file.h"
#include "core/sys/spawn.h"
#include "core/sys/unique_fd.h"

namespace box {
namespace {

// xauth reads and writes a few hundred bytes; this bounds one that hangs.
constexpr int kXauthTimeoutMs = 10'000;
constexpr std::size_t kMaxOutput = 16 << 10;

// mkdir -p of `dir`, each new directory 0700 (the runtime dir's children).
Result<void> make_private_dir(const std::string& dir) {
  for (std::size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    const std::string part = slash == std::string::npos ? dir : dir.substr(0, slash);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
      return Error::from_errno("create '" + part + "'");
    if (slash == std::string::npos) return {};
  }
}

// Runs xauth with `args` (-i: no lock files beside the user's Xauthority,
// which X clients read without a lock too; -q: no chatter); its output
// goes into the error when it fails.
Result<void> run_xauth(const std::string& xauth, std::vector<std::string> args) {
  args.insert(args.begin(), {xauth, "-i", "-q"});
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error::from_errno("create a pipe for xauth");
  UniqueFd out_read(fds[0]), out_write(fds[1]);
  SpawnSpec spec;
  spec.argv = args;
  spec.stdout_fd = out_write.get();
  spec.stderr_fd = out_write.get();
  auto spawned = spawn(spec);
  if (!spawned) return spawned.error();
  OwnedChild child(*spawned, 500);
  out_write.reset();
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kXauthTimeoutMs);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return Error("xauth did not finish within " + std::to_string(kXauthTimeoutMs / 1000) + " s");
    pollfd p{out_read.get(), POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Error::from_errno("wait for xauth");
    if (r == 0) continue;
    char buf[1024];
    ssize_t n = ::read(out_read.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of file: it exited
    if (output.size() < kMaxOutput) output.append(buf, static_cast<std::size_t>(n));
  }
  int status = 0;
  if (!wait_for_exit(child.pid(), kXauthTimeoutMs, &status))
    return Error("xauth did not exit after closing its output");
  child.reaped();
  while (!output.empty() && output.back() == '\n') output.pop_back();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Error("'" + xauth + "' " + describe_status(status) +
                 (output.empty() ? "" : ": " + output));
  return {};
}

}  // namespace

std::string wildcard_xauth_entries(const std::string& numeric) {
  std::string out;
  std::size_t start = 0;
  while (start < numeric.size()) {
    std::size_t end = numeric.find('\n', start);
    if (end == std::string::npos) end = numeric.size();
    const std::string line = numeric.substr(start, end - start);
    // "FAMILY ADDRLEN ADDR NUMLEN NUM NAMELEN NAME DATALEN DATA", each a
    // hex field; FAMILY is four digits (xauth's dump_numeric).
    if (line.size() > 5 && line[4] == ' ') out += "ffff" + line.substr(4) + "\n";
    start = end + 1;
  }
  return out;
}

X11AuthFile::X11AuthFile(X11AuthFile&& other) noexcept
    : dir_(std::exchange(other.dir_, {})), file_(std::exchange(other.file_, {})) {}

Result<X11AuthFile> X11AuthFile::write(const X11Cookie& cookie, std::string& notice) {
  X11AuthFile auth;
  auto made = make_private_dir(cookie.dir);
  if (!made) return made.error().wrap("prepare the box's Xauthority directory");
  auth.dir_ = cookie.dir;
  const std::string entries = cookie.dir + "/entries";
  // What a box-run that was killed left (xauth would merge into it).
  for (const std::string& stale : {cookie.file, entries, cookie.file + "-n"})
    ::unlink(stale.c_str());
  // Empty until a cookie is merged in: a client finds no entry and sends
  // none.
  UniqueFd fd(::open(cookie.file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                     0600));
  if (!fd.valid()) return Error::from_errno("create '" + cookie.file + "'");
  fd.reset();
  auth.file_ = cookie.file;

  auto done = [&]() -> Result<X11AuthFile> {
    // Whoever the box runs as inside may be any of the user's mapped ids;
    // the directory (0700) keeps everyone else on the host out.
    if (::chmod(cookie.file.c_str(), 0644) != 0)
      return Error::from_errno("chmod '" + cookie.file + "'");
    return std::move(auth);
  };
  const std::string without =
      ": the box connects only to an X server that lets clients in without a cookie";
  struct stat st {};
  if (cookie.source.empty() || (::stat(cookie.source.c_str(), &st) != 0 && errno == ENOENT)) {
    notice = "session: x11: no Xauthority at " +
             (cookie.source.empty() ? std::string("all ($XAUTHORITY and $HOME are unset)")
                                    : "'" + cookie.source + "'") +
             without;
    return done();
  }
  if (cookie.xauth.empty())
    return Error("session: x11: xauth is not installed (Debian's package xauth): box needs it to "
                 "copy the cookie of " + cookie.display + " from '" + cookie.source + "'");
  auto extracted = run_xauth(cookie.xauth, {"-f", cookie.source, "nextract", entries, cookie.display});
  if (!extracted)
    return extracted.error().wrap("read the cookie of " + cookie.display + " from '" +
                                  cookie.source + "'");
  auto numeric = read_small_file(entries);
  if (!numeric && numeric.error().errno_value() != ENOENT) return numeric.error();
  const std::string wild = numeric ? wildcard_xauth_entries(*numeric) : "";
  if (wild.empty()) {
    ::unlink(entries.c_str());
    notice = "session: x11: '" + cookie.source + "' holds no cookie for " + cookie.display + without;
    return done();
  }
  auto written = write_file_atomically(entries, wild, 0600);
  if (!written) return written.error();
  auto merged = run_xauth(cookie.xauth, {"-f", cookie.file, "nmerge", entries});
  ::unlink(entries.c_str());
  if (!merged) return merged.error().wrap("write '" + cookie.file + "'");
  return done();
}

void X11AuthFile::remove() {
  if (!file_.empty()) ::unlink(file_.c_str());
  file_.clear();
  if (!dir_.empty()) ::rmdir(dir_.c_str());
  dir_.clear();
}

}  // namespace box
