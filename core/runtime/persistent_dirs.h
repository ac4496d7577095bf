// The directories persistent rootfs writes live in (the overlay's upper and
// work directories under the user's data dir): created before the container
// is set up, and removed again when that first start fails, so a failed
// start leaves nothing on the host. What existed before is never removed.
#pragma once

#include <string>
#include <vector>

#include "core/sys/result.h"

namespace box {

class PersistentDirs {
 public:
  // mkdir -p `path`, the last directory private to the user (0700);
  // remembers every directory it had to create.
  Result<void> make(const std::string& path);

  // Removes what make() created, newest first: the upper and work
  // directories with whatever the failed setup left in them (mount points,
  // overlayfs's work/work), then each parent it created if it is empty (a
  // container started meanwhile may have put its own beside). Says which
  // path could not be removed and why.
  Result<void> remove_created();

 private:
  std::vector<std::string> created_;  // outermost first
};

}  // namespace box
