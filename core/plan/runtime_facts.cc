#include "core/plan/runtime_facts.h"

#include "core/model/schema.h"

namespace box {

const char* to_string(NetworkHelperKind kind) {
  static constexpr Choice<NetworkHelperKind> kNames[] = {
      {"pasta", NetworkHelperKind::kPasta}, {"slirp4netns", NetworkHelperKind::kSlirp4netns}};
  return choice_name<NetworkHelperKind>(kNames, kind);
}

std::string persistent_dir(const std::string& data_home, const std::string& name) {
  if (data_home.empty()) return "";
  return data_home + "/box/containers/" + name;
}

RuntimeQuery runtime_query(const Definition& def, const std::string& data_home, bool service) {
  RuntimeQuery q;
  q.service = service;
  q.network_helper = def.network == NetworkMode::kPrivate;
  const bool overlay =
      def.rootfs_writes == RootfsWrites::kOverlay || def.rootfs_writes == RootfsWrites::kPersistent;
  // `kernel` never uses fuse-overlayfs: it is refused for an upper dir
  // fuse-overlayfs has written, not switched.
  q.fuse_overlayfs = overlay && def.overlay_driver != OverlayDriver::kKernel;
  if (def.rootfs_writes == RootfsWrites::kPersistent)
    q.overlay_marker_dir = persistent_dir(data_home, def.name);
  q.console = def.init == InitMode::kSystemd || def.terminal;
  q.terminal = def.terminal;
  q.wayland_display = def.session.wayland;
  q.x11 = def.session.x11;
  q.bus_proxy = def.session_bus || def.system_bus;
  q.pod = def.pod;
  return q;
}

}  // namespace box
