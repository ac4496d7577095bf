#include "oci/hooks.h"

#include "core/plan/oci_plan.h"
#include "core/runtime/hook_runner.h"
#include "core/sys/atomic_write.h"
#include "core/sys/small_file.h"

namespace box::oci {
namespace {

constexpr std::size_t kMaxConfigBytes = 16 << 20;

std::string kept_path(const StateStore& store, const std::string& id) {
  return store.dir(id) + "/config.json";
}

}  // namespace

Result<void> run_hooks(const std::vector<Hook>& hooks, const std::string& point,
                       const std::string& state) {
  for (const auto& hook : program_hooks(hooks))
    if (auto ran = run_hook(hook, state); !ran) return Error(point + " " + ran.error().message());
  return {};
}

void run_hooks_warning(const std::vector<Hook>& hooks, const std::string& point,
                       const std::string& state, Log& log) {
  for (const auto& hook : program_hooks(hooks))
    if (auto ran = run_hook(hook, state); !ran) log.warn(point + " " + ran.error().message());
}

Result<void> keep_config(const StateStore& store, const std::string& id, const std::string& text) {
  return write_file_atomically(kept_path(store, id), text, 0600);
}

Result<Config> kept_config(const StateStore& store, const std::string& id) {
  const std::string path = kept_path(store, id);
  auto text = read_small_file(path, kMaxConfigBytes);
  if (!text) return text.error();
  return read_config(*text, path);
}

}  // namespace box::oci
