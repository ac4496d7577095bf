#include "core/image/userns.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "core/image/layer_unpack.h"
#include "core/sys/id_map.h"
#include "core/sys/spawn.h"
#include "core/sys/unique_fd.h"

namespace box::image {
namespace {

bool write_all(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// The signals a terminal (^C, ^\, hangup) or a service manager (stop) sends
// to a whole process group or cgroup. They are meant for the caller, which
// decides what cancelling means; a helper process that died of one, or
// whose blocking read failed with EINTR from the caller's handler (which it
// inherits across fork), would turn a clean cancel into a failed cleanup.
// So the helpers ignore them; the caller kills its worker with SIGKILL, and
// PR_SET_PDEATHSIG covers the caller's death. An ignored disposition also
// survives exec, for newuidmap/newgidmap.
constexpr int kGroupSignals[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP};

// The child's channels, beside its report pipe: the parent's "go", and
// its messages to the parent, each a 32-bit length and the text. The first
// message, empty, says it has its user namespace.
void send_message(int fd, const std::string& text) {
  std::uint32_t len = static_cast<std::uint32_t>(text.size());
  write_all(fd, &len, sizeof len);
  write_all(fd, text.data(), text.size());
}

Result<void> write_proc_file(pid_t pid, const char* name, const std::string& text) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + name;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid() || !write_all(fd.get(), text.data(), text.size()))
    return Error::from_errno("write '" + path + "'");
  return {};
}

// Parent side: give the child's namespace its id maps.
Result<void> map_ids(pid_t child, const IdMapping& m, const std::atomic<bool>* cancel) {
  const std::vector<IdMapLine> own_uid = {{0, m.uid, 1}}, own_gid = {{0, m.gid, 1}};
  if (m.full()) {
    // Both at once, as box-run does; a cancelled install waits for neither.
    const std::vector<int> ignored(std::begin(kGroupSignals), std::end(kGroupSignals));
    auto u = IdMapHelper::start("newuidmap", child, m.uid_lines(), ignored);
    auto g = IdMapHelper::start("newgidmap", child, m.gid_lines(), ignored);
    auto mapped = u.finish(cancel);
    if (!mapped) return mapped;
    return g.finish(cancel);
  }
  // One id each: allowed without a helper, once setgroups is denied.
  auto s = write_proc_file(child, "setgroups", "deny");
  if (!s) return s;
  auto u = write_proc_file(child, "uid_map", id_map_text(own_uid));
  if (!u) return u;
  return write_proc_file(child, "gid_map", id_map_text(own_gid));
}

}  // namespace

std::vector<IdMapLine> IdMapping::uid_lines() const {
  std::vector<IdMapLine> lines = {{0, uid, 1}};
  if (full())
    for (const auto& l : map_from_ranges(1, uids)) lines.push_back(l);
  return lines;
}

std::vector<IdMapLine> IdMapping::gid_lines() const {
  std::vector<IdMapLine> lines = {{0, gid, 1}};
  if (full())
    for (const auto& l : map_from_ranges(1, gids)) lines.push_back(l);
  return lines;
}

std::string IdMapping::describe() const {
  std::string s;
  for (const auto& l : uid_lines())
    s += (s.empty() ? "" : ",") + std::to_string(l.inside) + ":" + std::to_string(l.outside) +
         ":" + std::to_string(l.count);
  return s;
}

IdMapping id_mapping_for(uid_t uid, gid_t gid, const std::string& user,
                         const std::string& subuid_file, const std::string& subgid_file) {
  IdMapping m;
  m.uid = uid;
  m.gid = gid;
  auto ranges = [&](const std::string& file, SubidKind kind, unsigned id) {
    if (!file.empty()) return subid_ranges_in(file, user, id);
    auto r = user_subid_ranges(kind, user.empty() ? std::to_string(uid) : user, uid);
    return r ? *r : SubidRanges{};
  };
  SubidRanges u = ranges(subuid_file, SubidKind::kUid, uid);
  // Lines of either file name the user, by name or uid (as shadow matches).
  SubidRanges g = ranges(subgid_file, SubidKind::kGid, uid);
  if (!u.empty() && !g.empty()) {
    m.uids = std::move(u);
    m.gids = std::move(g);
  }
  return m;
}

Result<void> run_in_user_namespace(const IdMapping& mapping,
                                   const std::function<Result<void>(const MessageSink&)>& work,
                                   const MessageSink& on_message, const std::atomic<bool>* cancel) {
  // Parent -> child: a socket, so that the "go" byte can be sent with
  // MSG_NOSIGNAL: a child that died before reading it must fail the call,
  // not kill the caller with SIGPIPE (leaving its staging dir behind).
  int to_child[2], from_child[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, to_child) != 0)
    return Error::from_errno("socketpair");
  UniqueFd go_r(to_child[0]), go_w(to_child[1]);
  if (pipe2(from_child, O_CLOEXEC) != 0) return Error::from_errno("pipe");
  UniqueFd msg_r(from_child[0]), msg_w(from_child[1]);

  // The child dies with the parent (an interrupted install leaves no
  // worker) and ignores the group's signals. `work` runs on the worker's
  // open files: the child keeps its descriptors.
  SpawnSpec spec;
  spec.keep_descriptors = true;
  spec.ignored_signals.assign(std::begin(kGroupSignals), std::end(kGroupSignals));
  const int go_fd = go_r.get(), message_fd = msg_w.get();
  const int parents_ends[] = {go_w.get(), msg_r.get()};
  auto spawned = spawn_function(spec, [&](int report) -> int {
    for (int fd : parents_ends) close(fd);
    if (unshare(CLONE_NEWUSER) != 0)
      report_child_error(report, 1, Error::from_errno("create a user namespace"));
    send_message(message_fd, "");  // "unshared": the parent maps us now
    char go = 0;
    ssize_t got;
    while ((got = read(go_fd, &go, 1)) < 0 && errno == EINTR) {
    }
    if (got != 1 || go != 'g') return 1;
    if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0)
      report_child_error(report, 1, Error::from_errno("become root in the user namespace"));
    umask(022);
    Result<void> r = Error("not run");
    try {
      r = work([message_fd](const std::string& m) { send_message(message_fd, m); });
    } catch (const std::exception& e) {
      r = Error(std::string("unexpected error: ") + e.what());
    }
    if (!r) report_child_error(report, 1, r.error());
    return 0;
  });
  if (!spawned) return spawned.error().wrap("start the unpack process");
  const pid_t pid = spawned->pid;
  go_r.reset();
  msg_w.reset();

  auto kill_child = [&] {
    kill(pid, SIGKILL);
    wait_exit_code(pid);
  };

  bool mapped = false;
  std::string buffer;
  char buf[1 << 14];
  for (;;) {
    if (cancel && cancel->load()) {
      kill_child();
      return Error("cancelled");
    }
    pollfd p{msg_r.get(), POLLIN, 0};
    int pr = poll(&p, 1, 100);
    if (pr < 0 && errno != EINTR) {
      kill_child();
      return Error::from_errno("poll");
    }
    if (pr <= 0) continue;
    ssize_t n = read(msg_r.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buffer.append(buf, static_cast<std::size_t>(n));
    std::uint32_t len;
    while (buffer.size() >= sizeof len) {
      std::memcpy(&len, buffer.data(), sizeof len);
      if (buffer.size() < sizeof len + len) break;
      std::string text = buffer.substr(sizeof len, len);
      buffer.erase(0, sizeof len + len);
      if (mapped) {
        if (on_message) on_message(text);
        continue;
      }
      mapped = true;
      auto m = map_ids(pid, mapping, cancel);
      if (!m) {
        kill_child();
        if (cancel && cancel->load()) return Error("cancelled");
        return m.error().wrap("map ids into the unpack namespace");
      }
      ssize_t sent;
      while ((sent = send(go_w.get(), "g", 1, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
      }
      if (sent != 1) {
        Error e = Error::from_errno("start the unpack process");
        kill_child();
        return e;
      }
    }
  }
  // Its messages end when it does: its report says why, if it failed.
  auto failure = read_child_report(spawned->report.get());
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (failure) return failure->error;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  if (WIFSIGNALED(status))
    return Error(std::string("worker process killed by signal ") + strsignal(WTERMSIG(status)));
  return Error("worker process failed (exit status " + std::to_string(WEXITSTATUS(status)) + ")");
}

Result<void> remove_tree_as_owner(const IdMapping& mapping, const std::string& path) {
  if (access(path.c_str(), F_OK) != 0 && errno == ENOENT) return {};
  auto slash = path.find_last_of('/');
  std::string dir = slash == 0 ? "/" : path.substr(0, slash);
  std::string name = path.substr(slash + 1);
  auto r = run_in_user_namespace(
      mapping,
      [&](const MessageSink&) -> Result<void> {
        UniqueFd d(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!d.valid()) return Error::from_errno("open '" + dir + "'");
        return remove_entry_at(d.get(), name);
      },
      nullptr);
  if (!r) return std::move(r).error().wrap("remove '" + path + "'");
  return {};
}

}  // namespace box::image
