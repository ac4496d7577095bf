#include "core/plan/oci_seccomp.h"

#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>

namespace box::oci {
namespace {
using nlohmann::json;

struct CtxDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};

struct Named {
  const char* name;
  int value;
};
constexpr Named kComparisons[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE}, {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

// An action by name; `errno_ret` is used by SCMP_ACT_ERRNO (default EPERM)
// and SCMP_ACT_TRACE. Returns false for an unknown name.
bool action_of(const std::string& name, std::uint32_t errno_ret, std::uint32_t& out) {
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") out = SCMP_ACT_KILL_THREAD;
  else if (name == "SCMP_ACT_KILL_PROCESS") out = SCMP_ACT_KILL_PROCESS;
  else if (name == "SCMP_ACT_TRAP") out = SCMP_ACT_TRAP;
  else if (name == "SCMP_ACT_ERRNO") out = SCMP_ACT_ERRNO(errno_ret);
  else if (name == "SCMP_ACT_TRACE") out = SCMP_ACT_TRACE(errno_ret);
  else if (name == "SCMP_ACT_ALLOW") out = SCMP_ACT_ALLOW;
  else if (name == "SCMP_ACT_LOG") out = SCMP_ACT_LOG;
  else return false;
  return true;
}

struct BadField : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string text_of(const json& j, const std::string& field) {
  if (!j.is_string()) throw BadField("'" + field + "': expected a string");
  return j.get<std::string>();
}

std::uint64_t number_of(const json& j, const std::string& field) {
  if (!j.is_number_unsigned()) throw BadField("'" + field + "': expected a whole number from 0");
  return j.get<std::uint64_t>();
}

}  // namespace

Result<CompiledSeccomp> compile_oci_seccomp(std::string_view text) {
  CompiledSeccomp out;
  try {
    json j = json::parse(text);
    const std::string base = "linux.seccomp";
    if (!j.is_object()) throw BadField("'" + base + "': expected an object");
    if (j.contains("listenerPath") && !j["listenerPath"].is_null())
      throw BadField("'" + base + ".listenerPath': box does not hand seccomp notifications out");
    const std::uint32_t default_errno =
        j.contains("defaultErrnoRet") ? static_cast<std::uint32_t>(number_of(j["defaultErrnoRet"], base + ".defaultErrnoRet"))
                                      : EPERM;
    std::uint32_t default_action;
    const std::string default_name = text_of(j.value("defaultAction", json("")), base + ".defaultAction");
    if (!action_of(default_name, default_errno, default_action))
      throw BadField("'" + base + ".defaultAction': unknown action '" + default_name + "'");
    std::unique_ptr<void, CtxDeleter> ctx(seccomp_init(default_action));
    if (!ctx) return Error("seccomp: cannot create a filter context");
    scmp_filter_ctx c = ctx.get();
    // Rules must reach the ABI the compare runs on; a profile without
    // architectures gets the native one only (as runc does).
    if (j.contains("architectures") && j["architectures"].is_array()) {
      for (std::size_t i = 0; i < j["architectures"].size(); ++i) {
        const std::string field = base + ".architectures[" + std::to_string(i) + "]";
        std::string name = text_of(j["architectures"][i], field);
        std::string lower = name.rfind("SCMP_ARCH_", 0) == 0 ? name.substr(10) : name;
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        const std::uint32_t arch = seccomp_arch_resolve_name(lower.c_str());
        if (arch == 0) throw BadField("'" + field + "': unknown architecture '" + name + "'");
        int r = seccomp_arch_add(c, arch);
        if (r != 0 && r != -EEXIST && r != -EINVAL) return Error::from_errno("seccomp: add architecture " + name, -r);
      }
    }
    if (j.contains("flags") && j["flags"].is_array() && !j["flags"].empty())
      out.notes.push_back(base + ".flags: not applied");
    if (j.contains("syscalls") && !j["syscalls"].is_null()) {
      if (!j["syscalls"].is_array()) throw BadField("'" + base + ".syscalls': expected a list");
      for (std::size_t i = 0; i < j["syscalls"].size(); ++i) {
        const json& s = j["syscalls"][i];
        const std::string field = base + ".syscalls[" + std::to_string(i) + "]";
        if (!s.is_object()) throw BadField("'" + field + "': expected an object");
        const std::uint32_t errno_ret =
            s.contains("errnoRet") ? static_cast<std::uint32_t>(number_of(s["errnoRet"], field + ".errnoRet")) : EPERM;
        std::uint32_t action;
        const std::string action_name = text_of(s.value("action", json("")), field + ".action");
        if (!action_of(action_name, errno_ret, action))
          throw BadField("'" + field + ".action': unknown action '" + action_name + "'");
        std::vector<scmp_arg_cmp> args;
        if (s.contains("args") && !s["args"].is_null()) {
          for (std::size_t a = 0; a < s["args"].size(); ++a) {
            const json& arg = s["args"][a];
            const std::string afield = field + ".args[" + std::to_string(a) + "]";
            const std::string op = text_of(arg.value("op", json("")), afield + ".op");
            int cmp = -1;
            for (const auto& k : kComparisons)
              if (op == k.name) cmp = k.value;
            if (cmp < 0) throw BadField("'" + afield + ".op': unknown comparison '" + op + "'");
            const auto index = number_of(arg.value("index", json(0u)), afield + ".index");
            if (index > 5) throw BadField("'" + afield + ".index': expected 0 to 5");
            args.push_back({static_cast<unsigned>(index), static_cast<scmp_compare>(cmp),
                            number_of(arg.value("value", json(0u)), afield + ".value"),
                            number_of(arg.value("valueTwo", json(0u)), afield + ".valueTwo")});
          }
        }
        std::vector<std::string> names;
        if (s.contains("names") && s["names"].is_array())
          for (std::size_t n = 0; n < s["names"].size(); ++n)
            names.push_back(text_of(s["names"][n], field + ".names[" + std::to_string(n) + "]"));
        if (action == default_action) continue;  // nothing to say: the default does it
        for (const auto& name : names) {
          const int nr = seccomp_syscall_resolve_name(name.c_str());
          if (nr == __NR_SCMP_ERROR) {
            out.notes.push_back(field + ": '" + name + "' is unknown to this libseccomp (skipped)");
            continue;
          }
          int r = args.empty() ? seccomp_rule_add(c, action, nr, 0)
                               : seccomp_rule_add_array(c, action, nr, static_cast<unsigned>(args.size()), args.data());
          if (r == -EDOM) continue;  // not on this architecture
          if (r != 0) return Error::from_errno("seccomp: '" + field + "': rule for '" + name + "'", -r);
        }
      }
    }
    int fd = memfd_create("box-oci-seccomp", MFD_CLOEXEC);
    if (fd < 0) return Error::from_errno("seccomp: memfd_create");
    int r = seccomp_export_bpf(c, fd);
    if (r != 0) {
      ::close(fd);
      return Error::from_errno("seccomp: export the filter", -r);
    }
    off_t size = ::lseek(fd, 0, SEEK_END);
    out.program.instructions.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
    ssize_t n = ::pread(fd, out.program.instructions.data(), static_cast<std::size_t>(size), 0);
    ::close(fd);
    if (n != size) return Error("seccomp: short read of the exported filter");
  } catch (const BadField& e) {
    return Error(e.what());
  } catch (const json::exception& e) {
    return Error(std::string("'linux.seccomp': ") + e.what());
  }
  return out;
}

}  // namespace box::oci
