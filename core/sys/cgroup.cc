#include "core/sys/cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>

#include "core/sys/small_file.h"
#include "core/sys/text_fields.h"

namespace box {
namespace {

bool is_fs(const char* path, long magic) {
  struct statfs st {};
  return ::statfs(path, &st) == 0 && static_cast<long>(st.f_type) == magic;
}

}  // namespace

Result<std::vector<std::string>> child_cgroup_dirs(std::string_view text,
                                                   const CgroupLayout& layout,
                                                   const std::string& leaf) {
  std::vector<std::string> dirs;
  std::string unified, systemd_v1;
  for (auto line : text_lines(text)) {
    // "hierarchy-ID:controller-list:path"
    auto f = split_fields(line, ':', 3);
    if (!f) continue;
    const std::string_view controllers = (*f)[1];
    if ((*f)[0] == "0" && controllers.empty()) unified = (*f)[2];
    if (controllers == "name=systemd") systemd_v1 = (*f)[2];
  }
  auto join = [&](const std::string& mount, const std::string& path) {
    return mount + (path == "/" ? "" : path) + "/" + leaf;
  };
  if (!layout.unified_mount.empty()) {
    if (unified.empty()) return Error("no cgroup2 entry in /proc/self/cgroup");
    dirs.push_back(join(layout.unified_mount, unified));
  }
  if (!layout.systemd_v1_mount.empty() && !systemd_v1.empty())
    dirs.push_back(join(layout.systemd_v1_mount, systemd_v1));
  if (dirs.empty()) return Error("no cgroup hierarchy to place the container in");
  return dirs;
}

CgroupLayout detect_cgroup_layout() {
  CgroupLayout layout;
  if (is_fs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC)) {
    layout.unified_mount = "/sys/fs/cgroup";
    return layout;
  }
  if (is_fs("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC))
    layout.unified_mount = "/sys/fs/cgroup/unified";
  if (is_fs("/sys/fs/cgroup/systemd", CGROUP_SUPER_MAGIC))
    layout.systemd_v1_mount = "/sys/fs/cgroup/systemd";
  return layout;
}

Result<ContainerCgroup> ContainerCgroup::create(const std::string& leaf) {
  auto self = read_small_file("/proc/self/cgroup");
  if (!self) return self.error();
  auto dirs = child_cgroup_dirs(*self, detect_cgroup_layout(), leaf);
  if (!dirs) return dirs.error();
  ContainerCgroup cg;
  for (const auto& d : *dirs) {
    if (::mkdir(d.c_str(), 0755) != 0 && errno != EEXIST) {
      Error e = Error::from_errno("create cgroup '" + d + "'");
      cg.remove();
      return e;
    }
    cg.dirs_.push_back(d);
  }
  return cg;
}

void ContainerCgroup::thaw() const {
  for (const auto& d : dirs_) {
    const std::string file = d + "/cgroup.freeze";
    auto now = read_small_file(file);
    if (now && now->rfind("1", 0) == 0) (void)write_control_file(file, "0");
  }
}

Result<void> write_control_file(const std::string& path, const std::string& value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Error::from_errno("open '" + path + "'");
  ssize_t n = ::write(fd, value.data(), value.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(value.size()))
    return Error::from_errno("write '" + value + "' to '" + path + "'", err);
  return {};
}

Result<void> join_cgroup(const std::string& dir, pid_t pid) {
  auto written = write_control_file(dir + "/cgroup.procs", std::to_string(pid));
  if (!written) return written.error().wrap("move PID " + std::to_string(pid) + " into '" + dir + "'");
  return {};
}

bool remove_cgroup_tree(const std::string& dir) {
  // Only empty cgroups can go; an inner systemd's subtree goes leaves first.
  std::vector<std::string> stack = {dir}, order;
  while (!stack.empty()) {
    std::string cur = stack.back();
    stack.pop_back();
    order.push_back(cur);
    if (DIR* d = ::opendir(cur.c_str())) {
      while (dirent* ent = ::readdir(d)) {
        if (ent->d_type == DT_DIR && ent->d_name[0] != '.') stack.push_back(cur + "/" + ent->d_name);
      }
      ::closedir(d);
    }
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) ::rmdir(it->c_str());
  return ::access(dir.c_str(), F_OK) != 0;
}

Result<void> ContainerCgroup::add(pid_t pid) const {
  for (const auto& d : dirs_)
    if (auto joined = join_cgroup(d, pid); !joined) return joined;
  return {};
}

void ContainerCgroup::remove() const {
  for (const auto& d : dirs_) remove_cgroup_tree(d);
}

}  // namespace box
