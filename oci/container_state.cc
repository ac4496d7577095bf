#include "oci/container_state.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/plan/proc_files.h"
#include "core/runtime/oci_cgroup.h"
#include "core/sys/atomic_write.h"
#include "core/sys/small_file.h"

namespace box::oci {
namespace {
using nlohmann::json;
}

const char* status_name(Status s) {
  switch (s) {
    case Status::kCreating: return "creating";
    case Status::kCreated: return "created";
    case Status::kRunning: return "running";
    case Status::kPaused: return "paused";
    case Status::kStopped: return "stopped";
  }
  return "unknown";
}

std::string record_json(const Record& r) {
  json j = {{"id", r.id},           {"pid", r.pid},       {"start_time", r.start_time},
            {"bundle", r.bundle},   {"created", r.created}, {"owner", r.owner},
            {"annotations", r.annotations}, {"cgroups", r.cgroups}};
  return j.dump(2) + "\n";
}

Result<Record> parse_record(const std::string& text, const std::string& what) {
  try {
    json j = json::parse(text);
    Record r;
    r.id = j.at("id").get<std::string>();
    r.pid = j.at("pid").get<pid_t>();
    r.start_time = j.at("start_time").get<unsigned long long>();
    r.bundle = j.at("bundle").get<std::string>();
    r.created = j.at("created").get<std::string>();
    r.owner = j.at("owner").get<uid_t>();
    r.annotations = j.at("annotations").get<std::map<std::string, std::string>>();
    if (j.contains("cgroups")) r.cgroups = j["cgroups"].get<std::map<std::string, std::string>>();
    return r;
  } catch (const json::exception& e) {
    return Error(what + ": not a container record: " + e.what());
  }
}

std::string state_json(const Record& r, Status status, const std::string& oci_version) {
  json j = {{"ociVersion", oci_version}, {"id", r.id}, {"status", status_name(status)},
            {"bundle", r.bundle}};
  if (status == Status::kCreated || status == Status::kRunning || status == Status::kPaused)
    j["pid"] = r.pid;
  if (!r.annotations.empty()) j["annotations"] = r.annotations;
  j["created"] = r.created;
  j["owner"] = "";
  return j.dump(2);
}

Result<void> check_id(const std::string& id) {
  const bool chars_ok = !id.empty() && id.size() <= 1024 &&
                        std::all_of(id.begin(), id.end(), [](unsigned char c) {
                          return std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '+';
                        });
  if (!chars_ok || id == "." || id == "..")
    return Error("invalid container id '" + id +
                 "': use letters, digits, '_', '-', '.' and '+' (not '.' or '..')");
  return {};
}

namespace {

// The directory `dir` holds no record and its lock is free: its creator
// died before saving one. Removed; false when it is in use or not that.
bool reclaim_abandoned(StateStore& store, const std::string& id) {
  const std::string dir = store.dir(id);
  if (::access((dir + "/state.json").c_str(), F_OK) == 0 || errno != ENOENT) return false;
  UniqueFd lock(::open((dir + "/lock").c_str(), O_RDWR | O_CLOEXEC));
  if (lock.valid() && ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) return false;
  if (!lock.valid() && errno != ENOENT) return false;
  return static_cast<bool>(store.remove(id));
}

}  // namespace

Result<UniqueFd> StateStore::reserve(const std::string& id) {
  // --root and the directories above it (containerd's shim names
  // /run/containerd/runc/NAMESPACE before any exists).
  for (std::size_t slash = root_.find('/', 1); slash != std::string::npos;
       slash = root_.find('/', slash + 1))
    if (auto made = ensure_directory(root_.substr(0, slash), 0711); !made) return made.error();
  if (auto made = ensure_directory(root_, 0700); !made) return made.error();
  // Made under a name of this process's, locked, then renamed to the id.
  const std::string fresh_name = ".creating." + std::to_string(::getpid()) + "." + id;
  const std::string fresh = dir(fresh_name);
  (void)remove(fresh_name);  // left by a dead process that had this pid
  if (::mkdir(fresh.c_str(), 0700) != 0) return Error::from_errno("create '" + fresh + "'");
  auto give_up = [&](Error e) -> Error {
    (void)remove(fresh_name);
    return e;
  };
  // Writable by the container's root, which may be another host uid (a
  // user namespace): it reopens the FIFO through /proc/self/fd, never by
  // this path, which the 0700 directory keeps from everyone else.
  if (::mkfifo((fresh + "/exec.fifo").c_str(), 0622) != 0 ||
      ::chmod((fresh + "/exec.fifo").c_str(), 0622) != 0)
    return give_up(Error::from_errno("create the exec FIFO '" + fifo(id) + "'"));
  UniqueFd lock(::open((fresh + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!lock.valid() || ::flock(lock.get(), LOCK_EX) != 0)
    return give_up(Error::from_errno("lock container '" + id + "'"));
  for (int attempt = 0;; ++attempt) {
    if (::rename(fresh.c_str(), dir(id).c_str()) == 0) return lock;
    if (errno != EEXIST && errno != ENOTEMPTY)
      return give_up(Error::from_errno("create '" + dir(id) + "'"));
    if (attempt > 0 || !reclaim_abandoned(*this, id))
      return give_up(Error("container '" + id + "' already exists"));
  }
}

Result<void> StateStore::save(const Record& r) {
  return write_file_atomically(dir(r.id) + "/state.json", record_json(r), 0600);
}

Result<Record> StateStore::load(const std::string& id) const {
  if (auto ok = check_id(id); !ok) return ok.error();
  const std::string path = dir(id) + "/state.json";
  auto text = read_small_file(path, 1 << 20);
  if (!text) {
    if (text.error().errno_value() == ENOENT) return Error("container '" + id + "' does not exist", ENOENT);
    return text.error();
  }
  return parse_record(*text, path);
}

Result<void> StateStore::remove(const std::string& id) {
  for (const char* f : {"/exec.fifo", "/state.json", "/config.json", "/lock"}) {
    if (::unlink((dir(id) + f).c_str()) != 0 && errno != ENOENT)
      return Error::from_errno("remove '" + dir(id) + f + "'");
  }
  if (::rmdir(dir(id).c_str()) != 0 && errno != ENOENT)
    return Error::from_errno("remove '" + dir(id) + "'");
  return {};
}

Result<std::vector<std::string>> StateStore::ids() const {
  std::vector<std::string> out;
  DIR* d = ::opendir(root_.c_str());
  if (!d) {
    if (errno == ENOENT) return out;
    return Error::from_errno("read '" + root_ + "'");
  }
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (::access((dir(name) + "/state.json").c_str(), F_OK) == 0) out.push_back(name);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

unsigned long long process_start_time(pid_t pid) {
  auto stat = read_small_file("/proc/" + std::to_string(pid) + "/stat", 4096);
  if (!stat) return 0;
  return parse_start_time(*stat).value_or(0);
}

Status StateStore::status(const Record& r) const {
  if (r.pid <= 0) return Status::kCreating;
  if (process_start_time(r.pid) != r.start_time) return Status::kStopped;
  if (!r.cgroups.empty() && cgroup_frozen(r.cgroups)) return Status::kPaused;
  return ::access(fifo(r.id).c_str(), F_OK) == 0 ? Status::kCreated : Status::kRunning;
}

Result<int> lock_container(const StateStore& store, const std::string& id) {
  int fd = ::open((store.dir(id) + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == ENOENT) return Error("container '" + id + "' does not exist", ENOENT);
    return Error::from_errno("lock container '" + id + "'");
  }
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      auto e = Error::from_errno("lock container '" + id + "'");
      ::close(fd);
      return e;
    }
  }
  return fd;
}

}  // namespace box::oci
