#include "core/sys/log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/sys/systemd_api.h"

namespace box {
namespace {

const char* g_program = "box";
std::string g_container, g_unit;

// $JOURNAL_STREAM is "DEV:INODE" of the stream systemd connected; it only
// counts when stderr is still that stream (not redirected by a caller).
bool stderr_is_journal() {
  static int cached = -1;
  if (cached >= 0) return cached == 1;
  cached = 0;
  const char* js = std::getenv("JOURNAL_STREAM");
  struct stat st {};
  if (js && fstat(STDERR_FILENO, &st) == 0) {
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(js, "%llu:%llu", &dev, &ino) == 2 && dev == st.st_dev && ino == st.st_ino)
      cached = 1;
  }
  return cached == 1;
}

}  // namespace

void log_set_program(const char* name) { g_program = name; }

void log_set_container(const std::string& name, const std::string& unit) {
  g_container = name;
  g_unit = unit;
}

void log_message(LogLevel level, const std::string& message) {
  std::string line;
  if (stderr_is_journal() && !g_container.empty()) {
    int r = systemd_api::journal_send(message, static_cast<int>(level), g_program, g_container,
                                      g_unit);
    if (r >= 0) return;
  }
  if (stderr_is_journal()) {
    line = "<" + std::to_string(static_cast<int>(level)) + ">" + message + "\n";
  } else {
    const char* tag = level == LogLevel::kError     ? "error: "
                      : level == LogLevel::kWarning ? "warning: "
                                                    : "";
    line = std::string(g_program) + ": " + tag + message + "\n";
  }
  // One write, so concurrent writers do not interleave within a line.
  ssize_t unused = ::write(STDERR_FILENO, line.data(), line.size());
  (void)unused;
}

}  // namespace box
