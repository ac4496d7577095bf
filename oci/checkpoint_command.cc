// `box-oci checkpoint` and `restore`: through Debian's CRIU, which must
// first say it can work on this kernel (`criu check`). Where it cannot, or
// is not installed, the command says precisely why and changes nothing.
// Driving CRIU itself (its dump and restore of box's mounts and
// namespaces) is not written: no host box is tested on runs a CRIU that
// passes its own check (criu 3.17 fails on the vDSO of newer kernels), and
// box ships nothing it cannot test.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "core/sys/find_program.h"
#include "core/sys/spawn.h"
#include "core/sys/unique_fd.h"
#include "oci/commands.h"
#include "oci/container_state.h"

namespace box::oci {
namespace {

// `criu check`'s verdict: "" when it passes, else its first error line.
Result<std::string> criu_check(const std::string& criu) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error::from_errno("pipe");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  SpawnSpec spec;
  spec.argv = {criu, "check"};
  spec.stdout_fd = write_end.get();
  spec.stderr_fd = write_end.get();
  auto pid = spawn(spec);
  if (!pid) return pid.error();
  write_end.reset();
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(read_end.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) out.append(buf, static_cast<std::size_t>(n));
  int status = 0;
  while (::waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::string();
  for (std::size_t start = 0; start < out.size();) {
    std::size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    // The first error that says what is missing ("exited, status=N" lines
    // are CRIU's own helpers ending).
    if (line.rfind("Error", 0) == 0 && line.find("exited, status") == std::string::npos)
      return line;
    start = end + 1;
  }
  return out.empty() ? std::string("criu check failed") : out.substr(0, out.find('\n'));
}

}  // namespace

int checkpoint_or_restore(const Globals& g, Log& log, const std::string& verb,
                          const std::string& id) {
  auto fail = [&](const Error& e) {
    log.error(e.message());
    return 1;
  };
  StateStore store = store_of(g);
  if (auto ok = check_id(id); !ok) return fail(ok.error());
  if (verb == "checkpoint") {
    auto record = store.load(id);
    if (!record) return fail(record.error());
    if (store.status(*record) != Status::kRunning)
      return fail(Error("cannot checkpoint container '" + id + "': it is " +
                        status_name(store.status(*record))));
  }
  const char* path = std::getenv("PATH");
  // Debian installs it in /usr/sbin, which a user's $PATH often lacks.
  const std::string criu =
      find_program("criu", std::string(path ? path : "/usr/bin:/bin") + ":/usr/sbin:/sbin");
  if (criu.empty())
    return fail(Error(verb + ": box-oci " + verb + "s through CRIU, which is not installed "
                      "(apt-get install criu)"));
  if (!is_host_root())
    return fail(Error(verb + ": CRIU needs root here (Debian's CRIU has no unprivileged mode, and "
                      "box-oci is not setuid)"));
  auto check = criu_check(criu);
  if (!check) return fail(check.error().wrap(verb + ": run 'criu check'"));
  if (!check->empty())
    return fail(Error(verb + ": CRIU cannot work on this host ('criu check': " + *check + ")"));
  return fail(Error(verb + ": CRIU passes its check here, but box-oci does not drive it yet "
                    "(docs/oci-runtime.md)"));
}

}  // namespace box::oci
