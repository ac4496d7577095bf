#include "core/model/definition.h"

namespace box {

const char* to_string(InitMode m) {
  switch (m) {
    case InitMode::kNone:
      return "none";
    case InitMode::kTiny:
      return "tiny";
    case InitMode::kSystemd:
      return "systemd";
  }
  return "?";
}

const char* to_string(UsernsMode m) {
  switch (m) {
    case UsernsMode::kAuto:
      return "auto";
    case UsernsMode::kSingle:
      return "single";
    case UsernsMode::kKeepId:
      return "keep-id";
  }
  return "?";
}

const char* to_string(NetworkMode m) {
  switch (m) {
    case NetworkMode::kHost:
      return "host";
    case NetworkMode::kNone:
      return "none";
    case NetworkMode::kPrivate:
      return "private";
  }
  return "?";
}

const char* to_string(RootfsWrites m) {
  switch (m) {
    case RootfsWrites::kOverlay:
      return "overlay";
    case RootfsWrites::kPersistent:
      return "persistent";
    case RootfsWrites::kReadonly:
      return "readonly";
    case RootfsWrites::kDirect:
      return "direct";
  }
  return "?";
}

const char* to_string(OverlayDriver m) {
  switch (m) {
    case OverlayDriver::kAuto:
      return "auto";
    case OverlayDriver::kKernel:
      return "kernel";
    case OverlayDriver::kFuse:
      return "fuse";
  }
  return "?";
}

const char* to_string(SeccompMode m) {
  return m == SeccompMode::kDefault ? "default" : "unconfined";
}

const char* to_string(Autostart m) {
  switch (m) {
    case Autostart::kNo:
      return "no";
    case Autostart::kLogin:
      return "login";
    case Autostart::kSession:
      return "session";
  }
  return "?";
}

const char* to_string(RestartPolicy m) {
  switch (m) {
    case RestartPolicy::kNo:
      return "no";
    case RestartPolicy::kOnFailure:
      return "on-failure";
    case RestartPolicy::kOnAbnormal:
      return "on-abnormal";
    case RestartPolicy::kOnAbort:
      return "on-abort";
    case RestartPolicy::kAlways:
      return "always";
  }
  return "?";
}

}  // namespace box
