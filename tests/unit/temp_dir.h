// A scratch directory of its own for one test (mkdtemp), removed at the
// end of the test with all it holds.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <stdexcept>
#include <string>

namespace box::testing {

class TempDir {
 public:
  // With the directories `dirs` (relative paths) made in it.
  explicit TempDir(std::initializer_list<const char*> dirs = {}) {
    char tmpl[] = "/tmp/box-unit-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp");
    path_ = tmpl;
    for (const char* d : dirs) std::filesystem::create_directories(path_ + "/" + d);
  }
  ~TempDir() {
    std::error_code ec;
    // Make everything removable first (tests create 0555 dirs).
    for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
         !ec && it != std::filesystem::end(it); it.increment(ec))
      if (it->is_directory(ec) && !it->is_symlink(ec)) chmod(it->path().c_str(), 0755);
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

}  // namespace box::testing
