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
    case Status::kStopped: return "stopped";
  }
  return "unknown";
}

std::string record_json(const Record& r) {
  json j = {{"id", r.id},           {"pid", r.pid},       {"start_time", r.start_time},
            {"bundle", r.bundle},   {"created", r.created}, {"owner", r.owner},
            {"annotations", r.annotations}};
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
    return r;
  } catch (const json::exception& e) {
    return Error(what + ": not a container record: " + e.what());
  }
}

std::string state_json(const Record& r, Status status, const std::string& oci_version) {
  json j = {{"ociVersion", oci_version}, {"id", r.id}, {"status", status_name(status)},
            {"bundle", r.bundle}};
  if (status == Status::kCreated || status == Status::kRunning) j["pid"] = r.pid;
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

Result<void> StateStore::reserve(const std::string& id) {
  // --root and the directories above it (containerd's shim names
  // /run/containerd/runc/NAMESPACE before any exists).
  for (std::size_t slash = root_.find('/', 1); slash != std::string::npos;
       slash = root_.find('/', slash + 1))
    if (auto made = ensure_directory(root_.substr(0, slash), 0711); !made) return made.error();
  if (auto made = ensure_directory(root_, 0700); !made) return made.error();
  if (::mkdir(dir(id).c_str(), 0700) != 0) {
    if (errno == EEXIST) return Error("container '" + id + "' already exists");
    return Error::from_errno("create '" + dir(id) + "'");
  }
  // Writable by the container's root, which may be another host uid (a
  // user namespace): it reopens the FIFO through /proc/self/fd, never by
  // this path, which the 0700 directory keeps from everyone else.
  if (::mkfifo(fifo(id).c_str(), 0622) != 0 || ::chmod(fifo(id).c_str(), 0622) != 0) {
    auto e = Error::from_errno("create the exec FIFO '" + fifo(id) + "'");
    ::rmdir(dir(id).c_str());
    return e;
  }
  return {};
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
  for (const char* f : {"/exec.fifo", "/state.json", "/lock"}) {
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
  // The command name may hold spaces and parentheses: fields follow the last ')'.
  const auto close = stat->rfind(')');
  if (close == std::string::npos || close + 2 >= stat->size()) return 0;
  const char state = (*stat)[close + 2];
  if (state == 'Z' || state == 'X') return 0;
  std::size_t pos = close + 2;
  for (int field = 3; field < 22; ++field) {
    pos = stat->find(' ', pos);
    if (pos == std::string::npos) return 0;
    ++pos;
  }
  return std::strtoull(stat->c_str() + pos, nullptr, 10);
}

Status StateStore::status(const Record& r) const {
  if (r.pid <= 0) return Status::kCreating;
  if (process_start_time(r.pid) != r.start_time) return Status::kStopped;
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
