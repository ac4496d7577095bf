#include "oci/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <ctime>
#include <nlohmann/json.hpp>

namespace box::oci {

void Log::open(const std::string& path, bool json, bool debug) {
  json_ = json;
  debug_ = debug;
  if (!path.empty()) fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

void Log::error(const std::string& message) { write("error", message); }
void Log::warn(const std::string& message) { write("warning", message); }
void Log::debug(const std::string& message) {
  if (debug_) write("debug", message);
}

void Log::write(const char* level, const std::string& message) {
  const std::string text = std::string("box-oci: ") + (std::string(level) == "error" ? "" : std::string(level) + ": ") + message + "\n";
  // Without --log, stderr (runc's default). With it, the file only: the
  // runtime's stderr is often the container's own (create hands its stdio
  // down), where a caller's log lines do not belong.
  if (fd_ < 0) {
    [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
    return;
  }
  std::string line;
  if (json_) {
    char when[32];
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    line = nlohmann::json{{"level", level}, {"msg", message}, {"time", when}}.dump() + "\n";
  } else {
    line = text;
  }
  [[maybe_unused]] ssize_t n = ::write(fd_, line.data(), line.size());
}

}  // namespace box::oci
