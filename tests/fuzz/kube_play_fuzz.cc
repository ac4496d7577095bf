// libFuzzer target: Kubernetes YAML -> boxes (core/kube/play.h), what
// `boxctl play kube FILE` reads from anyone's file, and the names `--down`
// reads without checking the rest. One installed image, known by its
// reference and by name, so that the input can get past the image checks.
// Any result is fine; a crash, a sanitizer report or an exception escaping
// the planner is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/kube/play.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  box::kube::PlayContext ctx;
  ctx.file = "/home/user/pod.yaml";
  ctx.data_home = "/home/user/.local/share";
  ctx.kube_dir = "/home/user/.local/share/box/kube";
  box::kube::ImageFacts busybox;
  busybox.name = "busybox";
  busybox.reference = "docker.io/library/busybox:latest";
  busybox.config_known = true;
  busybox.cmd = {"sh"};
  ctx.images.push_back(busybox);
  auto plan = box::kube::plan_play(input, ctx);
  if (!plan) (void)plan.error().message();
  auto names = box::kube::played_names(input, ctx.file);
  if (!names) (void)names.error().message();
  return 0;
}
