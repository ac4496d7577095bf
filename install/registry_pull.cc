#include "install/registry_pull.h"

#include <poll.h>
#include <sys/wait.h>

#include <cerrno>
#include <csignal>
#include <vector>

#include "core/sys/find_program.h"
#include "core/sys/spawn.h"

namespace box::install {

bool is_registry_source(const std::string& source) { return source.rfind(kRegistryPrefix, 0) == 0; }

std::string name_from_reference(const std::string& source) {
  std::string ref = source.substr(std::string(kRegistryPrefix).size());
  ref = ref.substr(0, ref.find('@'));  // a digest
  const auto slash = ref.rfind('/');
  std::string last = slash == std::string::npos ? ref : ref.substr(slash + 1);
  return last.substr(0, last.find(':'));  // a tag
}

std::vector<std::string> skopeo_copy_argv(const std::string& skopeo, const std::string& source,
                                          const std::string& layout) {
  return {skopeo, "copy", source, "oci:" + layout + ":latest"};
}

Result<void> pull_with_skopeo(const std::string& source, const std::string& layout,
                              const std::string& path, int cancel_fd) {
  const std::string what = "pull '" + source + "'";
  if (source.size() <= std::string(kRegistryPrefix).size())
    return Error(what + ": expected docker://IMAGE, such as docker://docker.io/library/redis:7");
  const std::string skopeo = find_program("skopeo", path);
  if (skopeo.empty())
    return Error(what + ": box pulls from registries through skopeo, which is not installed (not "
                        "in $PATH): install Debian's package skopeo ('sudo apt install skopeo'), "
                        "or copy the image yourself ('skopeo copy " +
                 source + " oci-archive:image.tar') and install oci-archive:image.tar");
  SpawnSpec spec;
  spec.argv = skopeo_copy_argv(skopeo, source, layout);
  spec.stdout_fd = STDERR_FILENO;  // its progress lines, beside ours
  auto pid = spawn(spec);
  if (!pid) return pid.error().wrap(what);
  int status = 0;
  bool cancelled = false;
  for (;;) {
    const pid_t done = ::waitpid(*pid, &status, cancelled || cancel_fd < 0 ? 0 : WNOHANG);
    if (done == *pid) break;
    if (done < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno(what + ": wait for skopeo");
    }
    // Still copying: look at cancel_fd ten times a second.
    pollfd p{cancel_fd, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0 && (p.revents & POLLIN)) {
      ::kill(*pid, SIGTERM);
      cancelled = true;
    }
  }
  if (cancelled) return Error(what + ": cancelled (skopeo stopped): nothing was installed");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  const std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                            : "signal " + std::to_string(WTERMSIG(status));
  return Error(what + ": 'skopeo copy " + source + " oci:" + layout + ":latest' failed (" + how +
               "; skopeo's message is above): nothing was installed");
}

}  // namespace box::install
