#include "generator/report.h"

#include <systemd/sd-journal.h>
#include <unistd.h>

#include <string>

#include "generator/unit_text.h"

namespace box::generator {

namespace {

constexpr const char* kIdentifier = "box-user-generator";

void to_stderr(int priority, const std::string& message) {
  const char* tag = priority <= 3 ? "error: " : priority == 4 ? "warning: " : "";
  std::string line = std::string(kIdentifier) + ": " + tag + message + "\n";
  // One write, so concurrent writers do not interleave within a line.
  ssize_t unused = ::write(STDERR_FILENO, line.data(), line.size());
  (void)unused;
}

// `unit` empty: the message is not about a startable unit.
void emit(int priority, const std::string& message, const Verdict* v, ReportTo to) {
  if (to == ReportTo::kJournal) {
    int r;
    if (v && (v->kind == Verdict::Kind::kContainer || v->kind == Verdict::Kind::kPod)) {
      const std::string unit =
          v->kind == Verdict::Kind::kPod ? pod_unit_name(v->name) : unit_name(v->name);
      r = sd_journal_send("MESSAGE=%s", message.c_str(), "PRIORITY=%d", priority,
                          "SYSLOG_IDENTIFIER=%s", kIdentifier, "BOX_NAME=%s", v->name.c_str(),
                          "BOX_DEFINITION=%s", v->path.c_str(), "USER_UNIT=%s", unit.c_str(),
                          nullptr);
    } else if (v) {
      r = sd_journal_send("MESSAGE=%s", message.c_str(), "PRIORITY=%d", priority,
                          "SYSLOG_IDENTIFIER=%s", kIdentifier, "BOX_NAME=%s", v->name.c_str(),
                          "BOX_DEFINITION=%s", v->path.c_str(), nullptr);
    } else {
      r = sd_journal_send("MESSAGE=%s", message.c_str(), "PRIORITY=%d", priority,
                          "SYSLOG_IDENTIFIER=%s", kIdentifier, nullptr);
    }
    if (r >= 0) return;
  }
  to_stderr(priority, message);
}

std::string subject(const Verdict& v) {
  switch (v.kind) {
    case Verdict::Kind::kContainer: return unit_name(v.name);
    case Verdict::Kind::kTemplate: return "template " + v.name + ".yaml";
    case Verdict::Kind::kMasked: return "'" + v.name + "'";
    case Verdict::Kind::kProblem: return "'" + v.path + "'";
    case Verdict::Kind::kPod: return pod_unit_name(v.name);
    case Verdict::Kind::kMaskedPod: return "pod '" + v.name + "'";
  }
  return v.name;
}

}  // namespace

void report_verdict(const Verdict& v, ReportTo to) {
  if (!v.ok) {
    const std::string what = v.kind == Verdict::Kind::kProblem ? "ignoring " : "skipping ";
    emit(3, what + subject(v) + ": " + v.message, &v, to);
  }
  for (const auto& w : v.warnings) emit(4, subject(v) + ": " + w, &v, to);
  if (v.kind == Verdict::Kind::kMasked || v.kind == Verdict::Kind::kMaskedPod)
    emit(5, subject(v) + " is masked by " + v.path, &v, to);
  for (const auto& o : v.overridden)
    emit(6, subject(v) + ": using " + v.path + ", which overrides " + o, &v, to);
}

void report_error(const std::string& message, ReportTo to) { emit(3, message, nullptr, to); }

}  // namespace box::generator
