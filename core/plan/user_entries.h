// `userns: keep-id`: the user inside has a name. Its passwd and group
// entries, and the container's /etc/passwd or /etc/group with them added,
// as podman does for keep-id: an entry is added only when the file has no
// line with that name or that id (the image's own entry wins), and the
// result is a private file bound over the image's (MountStep::kAddEntry),
// so neither the image nor the user's rootfs is changed.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

namespace box {

// "name:*:uid:gid:gecos:home:/bin/sh": the shell is /bin/sh, which every
// image has (the user's login shell may not be in it). No line when `name`
// is empty.
std::string passwd_entry(const std::string& name, uid_t uid, gid_t gid, const std::string& gecos,
                         const std::string& home);
// "name:x:gid:member".
std::string group_entry(const std::string& name, gid_t gid, const std::string& member);

// `file_text` (an /etc/passwd or /etc/group) with `entry` (one line, as
// above) appended, unless a line already has the entry's name (first
// field) or id (third field): then `file_text` as it is.
std::string with_entry(std::string_view file_text, std::string_view entry);

}  // namespace box
