// session: {x11: true}, the half that touches files and runs xauth: the
// display's cookie, copied from the user's Xauthority into a file of the
// box's own before the container starts (its bind needs the file), and
// removed with its directory when the box stops. The paths come from
// x11_plan.h.
//
// Only the entries for the box's display are copied (`xauth nextract`), and
// each is made FamilyWild (family 0xffff), which libXau matches whatever
// the client's host name: the box has a host name of its own (its uts
// namespace), so an entry of the host's FamilyLocal kind, which names the
// host, would not be found inside (docs/desktop.md).
#pragma once

#include <string>

#include "core/plan/run_plan.h"
#include "core/sys/result.h"

namespace box {

class X11AuthFile {
 public:
  // Writes cookie.file (mode 0644 in a directory of mode 0700: readable by
  // whatever id the box runs as, and by no one else on the host). Without a
  // cookie for the display (no Xauthority, or none of its entries for it)
  // the file is empty and `notice` says so: the box then connects only to
  // an X server that lets it in without one. An error when the Xauthority
  // is there but cannot be read (xauth missing or failing).
  static Result<X11AuthFile> write(const X11Cookie& cookie, std::string& notice);

  X11AuthFile(X11AuthFile&& other) noexcept;
  X11AuthFile& operator=(X11AuthFile&&) = delete;
  ~X11AuthFile() { remove(); }

  // Removes the file and its directory. Idempotent.
  void remove();

 private:
  X11AuthFile() = default;
  std::string dir_;
  std::string file_;
};

// The numeric lines of `xauth nextract` (one entry a line, "FFFF LEN ADDR
// ..." in hex) with each entry's family made FamilyWild ("ffff"). Pure.
std::string wildcard_xauth_entries(const std::string& numeric);

}  // namespace box
