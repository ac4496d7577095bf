#include "core/sys/id_map.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "core/sys/spawn.h"
#include "core/sys/text_fields.h"

namespace box {

std::string id_map_text(const std::vector<IdMapLine>& map) {
  std::string s;
  for (const auto& m : map)
    s += std::to_string(m.inside) + " " + std::to_string(m.outside) + " " +
         std::to_string(m.count) + "\n";
  return s;
}

Result<std::vector<IdMapLine>> parse_id_map(std::string_view text) {
  std::vector<IdMapLine> out;
  for (auto line : text_lines(text)) {
    auto f = split_nonempty(line, " \t");
    if (f.empty()) continue;
    std::optional<std::uint64_t> v[3];
    if (f.size() == 3)
      for (int i = 0; i < 3; ++i) v[i] = parse_unsigned(f[i]);
    if (!v[0] || !v[1] || !v[2])
      return Error("malformed id map line '" + std::string(line) + "'");
    out.push_back({static_cast<std::uint32_t>(*v[0]), static_cast<std::uint32_t>(*v[1]),
                   static_cast<std::uint32_t>(*v[2])});
  }
  return out;
}

Result<std::uint32_t> id_inside(const std::vector<IdMapLine>& map, std::uint32_t outside) {
  for (const auto& m : map)
    if (outside >= m.outside && std::uint64_t{outside} < std::uint64_t{m.outside} + m.count)
      return m.inside + (outside - m.outside);
  return Error("id " + std::to_string(outside) + " is not mapped into the container");
}

IdMapHelper IdMapHelper::start(const std::string& program, pid_t pid,
                               const std::vector<IdMapLine>& map,
                               const std::vector<int>& ignored_signals) {
  IdMapHelper helper;
  SpawnSpec spec;
  spec.argv = {program, std::to_string(pid)};
  for (const auto& m : map)
    for (std::uint32_t n : {m.inside, m.outside, m.count}) spec.argv.push_back(std::to_string(n));
  for (const auto& a : spec.argv) helper.command_ += (helper.command_.empty() ? "" : " ") + a;
  spec.search_path = true;
  spec.ignored_signals = ignored_signals;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    helper.start_error_ = Error::from_errno("create a pipe for " + program);
    return helper;
  }
  UniqueFd stderr_write(fds[1]);
  helper.stderr_.reset(fds[0]);
  spec.stderr_fd = stderr_write.get();
  auto child = spawn(spec);
  if (!child) {
    helper.start_error_ =
        child.error().errno_value() == ENOENT
            ? Error("'" + program + "' is missing (install the 'uidmap' package): " +
                        child.error().message(),
                    ENOENT)
            : child.error();
    return helper;
  }
  helper.pid_ = *child;
  return helper;
}

IdMapHelper::IdMapHelper(IdMapHelper&& other) noexcept
    : command_(std::move(other.command_)),
      start_error_(std::move(other.start_error_)),
      pid_(std::exchange(other.pid_, -1)),
      stderr_(std::move(other.stderr_)) {}

IdMapHelper::~IdMapHelper() {
  if (pid_ < 0) return;
  ::kill(pid_, SIGKILL);
  wait_exit_code(pid_);
}

Result<void> IdMapHelper::finish(const std::atomic<bool>* cancel) {
  if (start_error_) return *start_error_;
  if (pid_ < 0) return Error("'" + command_ + "' was waited for already");
  std::string output;
  char buf[512];
  for (;;) {
    if (cancel) {
      // The helper is our child: a cancelled caller does not wait for it.
      if (cancel->load()) {
        ::kill(pid_, SIGKILL);
        wait_exit_code(std::exchange(pid_, -1));
        return Error("cancelled");
      }
      pollfd p{stderr_.get(), POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
    }
    ssize_t n = ::read(stderr_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buf, static_cast<std::size_t>(n));
  }
  stderr_.reset();
  if (wait_exit_code(std::exchange(pid_, -1)) == 0) return {};
  while (!output.empty() && output.back() == '\n') output.pop_back();
  return Error("'" + command_ + "' failed: " + (output.empty() ? "no message" : output));
}

}  // namespace box
