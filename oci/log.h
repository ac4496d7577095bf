// Where the runtime says what went wrong: stderr, or the --log file that
// containerd's shim reads back (text, or one JSON object a line with
// --log-format json) when one is given.
#pragma once

#include <string>

namespace box::oci {

class Log {
 public:
  Log() = default;
  // An empty path: stderr.
  void open(const std::string& path, bool json, bool debug);
  void error(const std::string& message);
  void warn(const std::string& message);
  void debug(const std::string& message);

 private:
  void write(const char* level, const std::string& message);
  int fd_ = -1;
  bool json_ = false;
  bool debug_ = false;
};

}  // namespace box::oci
