#include "core/runtime/pod_holder.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "core/plan/proc_files.h"
#include "core/runtime/process_setup.h"
#include "core/sys/id_map.h"
#include "core/sys/small_file.h"
#include "core/sys/spawn.h"
#include "core/sys/unique_fd.h"

namespace box {
namespace {

// The holder and box-run pod speak one byte each way on a socket pair:
// the holder has made its namespaces (kMade), box-run has written the id
// maps (kMapped).
constexpr char kMade = 'M', kMapped = 'G';
constexpr int kSyncFd = 3;  // where the holder has its end (SpawnSpec::pass_fds)

bool write_proc(const char* path, const std::string& text) {
  UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
  return fd.valid() && ::write(fd.get(), text.data(), text.size()) ==
                           static_cast<ssize_t>(text.size());
}

// The holder, in the forked child: the namespaces, in the order the kernel
// needs them (the user namespace mapped before the others are used), then
// nothing but waiting. It never execs: a copy of box-run that holds only
// stdio once it is set up.
[[noreturn]] void hold(const PodPlan& plan, int report_fd) {
  auto fail = [&](const std::string& what) {
    report_child_failure(report_fd, 1, what.c_str(), errno);
  };
  // One unshare: the network, ipc and uts namespaces belong to the new
  // user namespace, so whoever joins that one may join them.
  if (::unshare(plan.namespaces) != 0) fail("create the pod's namespaces");
  if (!plan.use_id_helpers &&
      (!write_proc("/proc/self/setgroups", "deny") ||
       !write_proc("/proc/self/uid_map", id_map_text(plan.uid_map)) ||
       !write_proc("/proc/self/gid_map", id_map_text(plan.gid_map))))
    fail("map the pod's user namespace");
  char byte = kMade;
  if (::send(kSyncFd, &byte, 1, MSG_NOSIGNAL) != 1) fail("tell box-run the namespaces are made");
  ssize_t n;
  while ((n = ::recv(kSyncFd, &byte, 1, 0)) < 0 && errno == EINTR) {
  }
  if (n != 1 || byte != kMapped) _exit(1);  // box-run reported why itself
  if (!plan.hostname.empty() && ::sethostname(plan.hostname.data(), plan.hostname.size()) != 0)
    fail("set the pod's host name '" + plan.hostname + "'");
  StepError e;
  if (plan.loopback_up && !bring_loopback_up(e)) {
    errno = e.err;
    fail(e.what);
  }
  ::prctl(PR_SET_NAME, kPodHolderName, 0, 0, 0);
  if (::chdir("/") != 0) fail("change to '/'");
  // Closing the report pipe with the rest says "set up" to box-run.
  if (!close_fds_except(nullptr, 0)) fail("close its descriptors");
  for (;;) ::pause();
}

}  // namespace

Result<PodHolder> PodHolder::start(const PodPlan& plan) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
    return Error::from_errno("create the socket to the pod's holder");
  UniqueFd ours(fds[0]), theirs(fds[1]);
  SpawnSpec spec;
  spec.pass_fds = {theirs.get()};
  spec.new_session = true;
  spec.stdout_fd = SpawnSpec::kDevNull;
  auto spawned = spawn_function(spec, [&plan](int report_fd) -> int { hold(plan, report_fd); });
  if (!spawned) return spawned.error().wrap("start the pod's holder");
  theirs.reset();
  PodHolder holder;
  holder.process_ = OwnedChild(spawned->pid, 1000);
  const std::string holder_is = "the pod's holder (pid " + std::to_string(spawned->pid) + ")";
  // Whatever failed, the holder's own report says it best.
  auto failed = [&](const std::string& what) -> Error {
    holder.stop();
    if (auto report = read_child_report(spawned->report.get()))
      return report->error.wrap("set up " + holder_is);
    return Error(what);
  };
  char byte = 0;
  ssize_t n;
  while ((n = ::recv(ours.get(), &byte, 1, 0)) < 0 && errno == EINTR) {
  }
  if (n != 1 || byte != kMade) return failed(holder_is + " ended before it made its namespaces");
  if (plan.use_id_helpers) {
    // Both at once, as for a box.
    auto uid = IdMapHelper::start(plan.newuidmap, spawned->pid, plan.uid_map);
    auto gid = IdMapHelper::start(plan.newgidmap, spawned->pid, plan.gid_map);
    auto mapped = uid.finish();
    auto gid_mapped = gid.finish();
    if (mapped && !gid_mapped) mapped = gid_mapped;
    if (!mapped) {
      holder.stop();
      return mapped.error().wrap("map the user namespace of " + holder_is);
    }
  }
  byte = kMapped;
  if (::send(ours.get(), &byte, 1, MSG_NOSIGNAL) != 1)
    return failed(Error::from_errno("go on with " + holder_is).message());
  // End of file without a report: set up, holding its namespaces.
  if (auto report = read_child_report(spawned->report.get())) {
    holder.stop();
    return report->error.wrap("set up " + holder_is);
  }
  auto stat = read_small_file("/proc/" + std::to_string(spawned->pid) + "/stat", 4096);
  auto start = stat ? parse_start_time(*stat) : std::nullopt;
  if (!start) return failed(holder_is + " ended as it was set up");
  holder.start_time_ = *start;
  return holder;
}

}  // namespace box
