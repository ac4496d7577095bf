// Install and Uninstall through D-Bus, as any program would call them: on
// the real session bus and user manager, as the test user. busctl makes the
// calls people would type; gdbus shows the D-Bus error names; dbus-monitor
// is the second process watching the signals.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

constexpr const char* kPath = "/dev/boxctl/box1";
constexpr const char* kInterface = "dev.boxctl.box1.Manager";

std::vector<std::string> busctl_call(const std::string& method,
                                     const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"busctl",          "--user", "--timeout=120", "call",
                                   "dev.boxctl.box1", kPath,    kInterface,      method};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

CommandResult busctl(const std::string& method, const std::vector<std::string>& args) {
  return run(busctl_call(method, args), std::chrono::seconds(150));
}

// gdbus prints the error's name ("GDBus.Error:dev.boxctl.box1.Error.X: ...").
std::vector<std::string> gdbus_call(const std::string& method,
                                    const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"gdbus",
                                   "call",
                                   "--session",
                                   "--dest",
                                   "dev.boxctl.box1",
                                   "--object-path",
                                   kPath,
                                   "--timeout",
                                   "120",
                                   "--method",
                                   std::string(kInterface) + "." + method};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

CommandResult gdbus(const std::string& method, const std::vector<std::string>& args) {
  return run(gdbus_call(method, args), std::chrono::seconds(150));
}

// dbus-monitor watching box-manager's signals, the calls to its Manager
// interface and every method return, in the order the bus routed them, once
// it listens (output in `file`).
std::unique_ptr<Background> watch_calls_and_signals(const std::string& file) {
  auto w = std::make_unique<Background>(
      std::vector<std::string>{
          "dbus-monitor", "--session", "type='signal',path_namespace='/dev/boxctl/box1'",
          "type='method_call',interface='dev.boxctl.box1.Manager'", "type='method_return'"},
      file);
  if (!eventually([&] { return contains(w->output(), "NameAcquired"); }))
    throw std::runtime_error("dbus-monitor did not start listening: " + w->output());
  return w;
}

// The value of `key=` in one dbus-monitor header line.
std::string header_field(const std::string& line, const std::string& key) {
  auto at = line.find(" " + key + "=");
  if (at == std::string::npos) return "";
  at += key.size() + 2;
  return line.substr(at, line.find_first_of(" ;\n", at) - at);
}

// Where, in dbus-monitor's output, the first call of Manager.`member` is and
// where its reply is (npos when not seen).
std::pair<std::size_t, std::size_t> call_and_reply(const std::string& text,
                                                   const std::string& member) {
  const auto npos = std::string::npos;
  auto call = text.find("interface=dev.boxctl.box1.Manager; member=" + member + "\n");
  if (call == npos) return {npos, npos};
  call = text.rfind('\n', call) + 1;
  const std::string line = text.substr(call, text.find('\n', call) - call);
  const std::string caller = header_field(line, "sender"), serial = header_field(line, "serial");
  for (auto at = text.find("\nmethod return ", call); at != npos;
       at = text.find("\nmethod return ", at + 1)) {
    const std::string reply = text.substr(at + 1, text.find('\n', at + 1) - at - 1);
    if (header_field(reply, "destination") == caller &&
        header_field(reply, "reply_serial") == serial)
      return {call, at + 1};
  }
  return {call, npos};
}

class InstallBus : public ::testing::Test {
 protected:
  void SetUp() override {
    image_ = home() + "/etcd-image-bus.tar";
    build_etcd_image(image_);
    images_ = home() + "/.local/share/box/images";
    defs_ = home() + "/.config/box/containers";
  }

  void TearDown() override {
    for (const char* name : {"etcd", "stubborn"}) {
      stop_and_reset(std::string("box@") + name + ".service");
      boxctl({"uninstall", name, "--purge"});
    }
    stop_and_reset("box-manager.service");
    fs::remove(image_);
    run({"chmod", "-R", "u+w", home() + "/stubborn-bundle"});
    fs::remove_all(home() + "/stubborn-bundle");
  }

  // What an install of the names under test may leave: anything in
  // images/ (staging dirs included), their definitions and temporary files
  // in containers/ (other tests' definitions may be there).
  std::vector<std::string> left() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(images_, ec)) out.push_back(e.path().filename());
    for (const auto& e : fs::directory_iterator(defs_, ec)) {
      std::string n = e.path().filename();
      if (n.rfind("etcd", 0) == 0 || n.rfind("stubborn", 0) == 0) out.push_back(n);
    }
    return out;
  }

  // A bundle (busybox, a PID 1 that ignores SIGTERM) installed and running:
  // stopping it takes `stop_timeout`.
  std::string install_and_start_stubborn(const std::string& stop_timeout) {
    const std::string bundle = home() + "/stubborn-bundle";
    make_busybox_rootfs(bundle + "/rootfs");
    write_file(bundle + "/box.yaml",
               "description: ignores SIGTERM\n"
               "command: [sh, -c, 'trap \"\" TERM; echo up; while :; do sleep 1 & wait $!; "
               "done']\n"
               "stop: {timeout: " +
                   stop_timeout + "}\n");
    auto first = boxctl({"install", bundle, "stubborn"});
    EXPECT_EQ(first.exit_code, 0) << first.output;
    EXPECT_EQ(systemctl({"start", "box@stubborn.service"}).exit_code, 0);
    return bundle;
  }

  bool wait_until_stopping() {
    return eventually([] { return show("box@stubborn.service", "ActiveState") == "deactivating"; });
  }

  std::string image_, images_, defs_;
};

TEST_F(InstallBus, InstallAndUninstallAnnounceTheContainer) {
  ASSERT_EQ(boxctl({"list"}).exit_code, 0);  // the manager runs and has scanned
  auto watcher = watch_calls_and_signals(home() + "/monitor-install.txt");
  // Before: only the template's defaults, no drop-in from the generator.
  ASSERT_EQ(show("box@etcd.service", "DropInPaths"), "");

  auto install = busctl("Install", {"ssa{sv}", "oci-archive:" + image_, "etcd", "1", "set", "a{ss}",
                                    "1", "ETCD_CLIENT_PORT", "12479"});
  ASSERT_EQ(install.exit_code, 0) << install.output;
  EXPECT_TRUE(contains(install.output, "\"etcd\" \"/dev/boxctl/box1/container/etcd\""))
      << install.output;
  EXPECT_TRUE(contains(install.output, "\"source_kind\" s \"oci-archive\"")) << install.output;
  EXPECT_TRUE(contains(install.output, "\"digest\" s \"sha256:")) << install.output;

  // The monitor's output once it has the reply to Manager.`method` and the
  // `signal` about etcd (dbus-monitor may print them after busctl is done).
  auto seen = [&](const std::string& method, const std::string& signal) {
    std::string out;
    EXPECT_TRUE(eventually([&] {
      out = watcher->output();
      return call_and_reply(out, method).second != std::string::npos &&
             !signals_at(out, signal, "etcd").empty();
    })) << out;
    return out;
  };
  // In the order the bus routed them: the call, the unpack reported on the
  // way, ContainerNew, then the reply (the user manager was reloaded by then).
  std::string out = seen("Install", "ContainerNew");
  const auto [install_call, install_reply] = call_and_reply(out, "Install");
  ASSERT_NE(install_reply, std::string::npos);
  const auto progress = signals_at(out, "InstallProgress", "etcd");
  const auto added = signals_at(out, "ContainerNew", "etcd");
  ASSERT_FALSE(progress.empty()) << out;
  ASSERT_EQ(added.size(), 1u) << out;
  EXPECT_LT(install_call, progress.front()) << out;
  EXPECT_LT(progress.back(), added.front()) << out;
  EXPECT_LT(added.front(), install_reply) << "ContainerNew after the reply\n" << out;
  EXPECT_TRUE(contains(show("box@etcd.service", "DropInPaths"), "box@etcd.service.d/50-box.conf"));
  auto cat = systemctl({"cat", "box@etcd.service"});
  EXPECT_TRUE(contains(cat.output, "127.0.0.1:12479")) << cat.output;  // --set reached it
  auto list = busctl("ListContainers", {});
  EXPECT_TRUE(contains(list.output, "\"etcd\"")) << list.output;
  auto images = boxctl({"images"});
  EXPECT_TRUE(contains(images.output, "etcd  oci-archive:" + image_)) << images.output;

  auto uninstall = busctl("Uninstall", {"sb", "etcd", "false"});
  ASSERT_EQ(uninstall.exit_code, 0) << uninstall.output;
  // ContainerRemoved between the call and the reply.
  out = seen("Uninstall", "ContainerRemoved");
  const auto [uninstall_call, uninstall_reply] = call_and_reply(out, "Uninstall");
  ASSERT_NE(uninstall_reply, std::string::npos);
  const auto removed = signals_at(out, "ContainerRemoved", "etcd");
  ASSERT_EQ(removed.size(), 1u) << out;
  EXPECT_LT(uninstall_call, removed.front()) << out;
  EXPECT_LT(removed.front(), uninstall_reply) << "ContainerRemoved after the reply\n" << out;
  EXPECT_EQ(show("box@etcd.service", "DropInPaths"), "");
  EXPECT_FALSE(fs::exists(images_ + "/etcd"));
  EXPECT_FALSE(fs::exists(defs_ + "/etcd.yaml"));
  EXPECT_FALSE(fs::exists(home() + "/.local/share/box/state/etcd")) << "keep_data false: purged";
}

TEST_F(InstallBus, BadInputGetsANamedErrorAndChangesNothing) {
  const std::string bus_error = "GDBus.Error:dev.boxctl.box1.Error.";
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::string cut = home() + "/cut.tar";
  fs::copy_file(image_, cut, fs::copy_options::overwrite_existing);
  fs::resize_file(cut, fs::file_size(image_) / 2);
  const std::vector<Case> cases = {
      {{"oci-archive:etcd-image-bus.tar", "etcd", "{}"},
       "InvalidArgument: source 'oci-archive:etcd-image-bus.tar': the path 'etcd-image-bus.tar' "
       "must be absolute"},
      {{"docker://quay.io/coreos/etcd", "etcd", "{}"}, "InvalidArgument: source "},
      {{"oci-archive:" + home() + "/none.tar", "etcd", "{}"}, "InvalidArgument: source "},
      {{"oci-archive:" + image_, "../etcd", "{}"},
       "InvalidArgument: install name '../etcd' starts with '.'"},
      {{"oci-archive:" + image_, "etcd", "{'force': <true>}"},
       "InvalidArgument: unknown option 'force' (known: replace, set, max_size, dry_run, "
       "allow_bind, allow_host_file, allow_host_namespace, allow_autostart)"},
      {{"oci-archive:" + image_, "etcd", "{'replace': <'yes'>}"},
       "InvalidArgument: option 'replace' must be a boolean (b), not 's'"},
      {{"oci-archive:" + image_, "etcd", "{'set': <{'1X': 'v'}>}"},
       "InvalidArgument: --set '1X': not a variable name"},
      {{"oci-archive:" + cut, "etcd", "{}"}, "InstallFailed: install 'etcd' from 'oci-archive:"},
  };
  for (const auto& c : cases) {
    auto r = gdbus("Install", c.args);
    EXPECT_NE(r.exit_code, 0) << c.args[0];
    EXPECT_TRUE(contains(r.output, bus_error + c.error)) << r.output;
    EXPECT_TRUE(left().empty()) << c.args[0] << ": " << left().front();
  }
  fs::remove(cut);

  auto missing = gdbus("Uninstall", {"etcd", "true"});
  EXPECT_TRUE(
      contains(missing.output, bus_error + "NoSuchContainer: no installed image named 'etcd'"))
      << missing.output;

  // A name that is taken needs replace.
  ASSERT_EQ(busctl("Install", {"ssa{sv}", "oci-archive:" + image_, "etcd", "0"}).exit_code, 0);
  auto again = gdbus("Install", {"oci-archive:" + image_, "etcd", "{}"});
  EXPECT_TRUE(contains(again.output, bus_error + "AlreadyExists: 'etcd' is already installed"))
      << again.output;
  auto replaced = gdbus("Install", {"oci-archive:" + image_, "etcd", "{'replace': <true>}"});
  EXPECT_EQ(replaced.exit_code, 0) << replaced.output;
  EXPECT_EQ(left(), (std::vector<std::string>{"etcd", "etcd.yaml"}));
}

// An install runs in a worker process: the manager keeps answering. The
// replace below stops the running container first, which ignores SIGTERM:
// the install waits out its stop timeout, and ListContainers answers
// meanwhile.
TEST_F(InstallBus, ListContainersAnswersWhileAnInstallRuns) {
  const std::string bundle = install_and_start_stubborn("8s");
  Background install(
      busctl_call("Install", {"ssa{sv}", bundle, "stubborn", "1", "replace", "b", "true"}),
      home() + "/install-stubborn.txt");
  ASSERT_TRUE(wait_until_stopping());
  auto started = std::chrono::steady_clock::now();
  auto list = busctl("ListContainers", {});
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_TRUE(contains(list.output, "\"stubborn\"")) << list.output;
  // Still stopping: the install had not ended when the list came back.
  EXPECT_EQ(show("box@stubborn.service", "ActiveState"), "deactivating");
  std::cout << "ListContainers during the install: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";

  EXPECT_EQ(install.wait(), 0) << install.output();
  EXPECT_TRUE(contains(install.output(), "/dev/boxctl/box1/container/stubborn"))
      << install.output();
  EXPECT_TRUE(contains(install.output(), "was stopped (if it was running) to replace"))
      << install.output();
  EXPECT_NE(show("box@stubborn.service", "ActiveState"), "active");
}

// CancelInstall, or the caller leaving the bus, cancels an install; the
// replace's stop gives the time to do either while it runs. The wait for
// that stop is one of the worker's blocking points: a cancel ends it at
// once (systemd's stop job goes on), not when the container's 6 s stop
// timeout is over. The old install stays as it was.
TEST_F(InstallBus, CancelInstallOrTheCallerLeavingCancels) {
  const std::string bundle = install_and_start_stubborn("6s");
  const std::string metadata = images_ + "/stubborn/image.json";
  const std::string before = slurp(metadata);
  ASSERT_FALSE(before.empty());

  Background cancelled(gdbus_call("Install", {bundle, "stubborn", "{'replace': <true>}"}),
                       home() + "/install-cancelled.txt");
  ASSERT_TRUE(wait_until_stopping());
  auto started = std::chrono::steady_clock::now();
  auto cancel = busctl("CancelInstall", {"s", "stubborn"});
  EXPECT_EQ(cancel.output, "b true\n");
  EXPECT_NE(cancelled.wait(), 0);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
  std::cout << "CancelInstall to the answer while the old container stops: " << took << " ms\n";
  EXPECT_LT(took, 3000);
  EXPECT_TRUE(contains(cancelled.output(),
                       "GDBus.Error:dev.boxctl.box1.Error.Cancelled: install 'stubborn' from '" +
                           bundle +
                           "': cancelled (box@stubborn.service was stopped; its image "
                           "is unchanged)"))
      << cancelled.output();
  EXPECT_EQ(slurp(metadata), before);
  EXPECT_EQ(left(), (std::vector<std::string>{"stubborn", "stubborn.yaml"}));
  EXPECT_EQ(busctl("CancelInstall", {"s", "stubborn"}).output, "b false\n");

  ASSERT_EQ(systemctl({"start", "box@stubborn.service"}).exit_code, 0);
  Background leaving(
      busctl_call("Install", {"ssa{sv}", bundle, "stubborn", "1", "replace", "b", "true"}),
      home() + "/install-leaving.txt");
  ASSERT_TRUE(wait_until_stopping());
  leaving.stop();  // busctl leaves the bus before the answer
  // The worker ends (comm is cut to 15 characters).
  ASSERT_TRUE(eventually(
      [] {
        return run({"pgrep", "-U", std::to_string(getuid()), "-x", "box-install-wor"}).exit_code ==
               1;
      },
      std::chrono::seconds(60)));
  EXPECT_EQ(slurp(metadata), before);
  EXPECT_EQ(left(), (std::vector<std::string>{"stubborn", "stubborn.yaml"}));
}

}  // namespace
}  // namespace box::testing
