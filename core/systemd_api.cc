#include "systemd_api.h"

#include <dlfcn.h>

#include <cerrno>
#include <cstdlib>

namespace box::systemd_api {
namespace {

struct Api {
  int (*sd_notify)(int, const char*) = nullptr;
  int (*sd_journal_send)(const char*, ...) = nullptr;
};

const Api& api() {
  static const Api loaded = [] {
    Api a;
    // RTLD_NODELETE: keep it mapped; it is used until exit.
    void* h = ::dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!h) return a;
    a.sd_notify = reinterpret_cast<int (*)(int, const char*)>(::dlsym(h, "sd_notify"));
    a.sd_journal_send = reinterpret_cast<int (*)(const char*, ...)>(::dlsym(h, "sd_journal_send"));
    return a;
  }();
  return loaded;
}

}  // namespace

int notify(const std::string& state) {
  // Without a manager listening there is nothing to load libsystemd for.
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (!socket || !*socket) return 0;
  if (!api().sd_notify) return -ENOSYS;
  return api().sd_notify(0, state.c_str());
}

int journal_send(const std::string& message, int priority, const std::string& identifier,
                 const std::string& box_name, const std::string& user_unit) {
  if (!api().sd_journal_send) return -ENOSYS;
  return api().sd_journal_send("MESSAGE=%s", message.c_str(), "PRIORITY=%d", priority,
                               "SYSLOG_IDENTIFIER=%s", identifier.c_str(), "BOX_NAME=%s",
                               box_name.c_str(), "USER_UNIT=%s", user_unit.c_str(), nullptr);
}

}  // namespace box::systemd_api
