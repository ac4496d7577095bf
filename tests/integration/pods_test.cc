// Pods as the unprivileged test user, against the real user manager and
// the real pasta (docs/pods.md): busybox boxes in a pod reaching each
// other on 127.0.0.1 and reached from the host through the pod's port;
// box-pod@P starting and stopping its boxes, with nothing of the pod left;
// a member's start bringing the pod up; the shared host name and ipc
// namespace, and neither with `share: []`; a member with `ports` refused at
// its file:line; a member's start while its pod does not run. Ports are
// picked free by the kernel right before use.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;
using std::chrono::seconds;

// An HTTP GET of / on the host's 127.0.0.1:port; "" when nothing answers.
std::string http_get(uint16_t port) { return tcp_talk(port, "GET / HTTP/1.0\r\n\r\n"); }

std::string runtime_dir() {
  const char* dir = getenv("XDG_RUNTIME_DIR");
  return dir ? dir : "/run/user/" + std::to_string(getuid());
}

pid_t main_pid(const std::string& unit) {
  return static_cast<pid_t>(std::stol("0" + show(unit, "MainPID")));
}

// What a pod's box-run runs beside it: the holder and the network helper
// (pasta re-executes itself as passt or passt.avx2).
std::set<pid_t> pod_processes(pid_t box_run) {
  return children_named(box_run, {"box-pod-holder", "pasta", "passt", "passt.avx2"});
}

class Pods : public BoxTest {
 protected:
  void prepare() override {
    for (const char* applet : {"httpd", "wget", "mv"}) {
      std::error_code ec;
      fs::create_symlink("busybox", fs::path(rootfs_) / "bin" / applet, ec);
    }
    out_ = home() + "/pods-out";
    fs::remove_all(out_);
    fs::create_directories(out_);
    pods_ = home() + "/.config/box/pods";
    fs::create_directories(pods_);
  }
  void cleanup() override {
    for (const auto& pod : pod_names_) {
      stop_and_reset("box-pod@" + pod + ".service");
      fs::remove(pods_ + "/" + pod + ".yaml");
    }
    fs::remove_all(out_);
  }

  void define_pod(const std::string& name, const std::string& yaml) {
    write_file(pods_ + "/" + name + ".yaml", yaml);
    pod_names_.push_back(name);
  }

  // A member that writes what it sees of its namespaces to OUT/NAME, then
  // runs `then` (an httpd, a client).
  void define_member(const std::string& name, const std::string& pod, const std::string& then) {
    define(name, "rootfs: ~/rootfs-pods\npod: " + pod +
                     "\nmounts: [{type: bind, source: ~/pods-out, target: /out}]\n"
                     "command: [sh, -c, 'echo $(hostname) $(readlink /proc/self/ns/net) "
                     "$(readlink /proc/self/ns/ipc) $(readlink /proc/self/ns/uts) > /out/" +
                     name + ".ns; " + then + "']\n");
  }
  // The server: busybox httpd on port 8080 of the pod's network.
  void define_server(const std::string& name, const std::string& pod) {
    define_member(name, pod,
                  "mkdir -p /tmp/www && echo hello-from-" + name +
                      " > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www");
  }
  // The client: fetches the server's page on 127.0.0.1 into OUT/NAME.got.
  void define_client(const std::string& name, const std::string& pod) {
    define_member(name, pod,
                  "until wget -q -O /out/" + name +
                      ".part http://127.0.0.1:8080/; do sleep 0.1; done; mv /out/" + name +
                      ".part /out/" + name + ".got; exec sleep 1000");
  }

  bool active(const std::string& unit) { return show(unit, "ActiveState") == "active"; }
  bool inactive(const std::string& unit) {
    const std::string state = show(unit, "ActiveState");
    return state == "inactive" || state == "failed";
  }
  // "HOSTNAME net:[N] ipc:[N] uts:[N]" a member wrote.
  std::vector<std::string> seen_by(const std::string& member) {
    std::vector<std::string> words;
    std::istringstream in(slurp(out_ + "/" + member + ".ns"));
    for (std::string w; in >> w;) words.push_back(w);
    return words;
  }

  std::string out_, pods_;
  std::vector<std::string> pod_names_;
};

TEST_F(Pods, MembersShareTheNetworkAndThePodPublishesTheirPort) {
  const uint16_t port = free_port(SOCK_STREAM);
  define_pod("shop", "description: the shop\nports: ['127.0.0.1:" + std::to_string(port) +
                         ":8080']\n");
  define_server("shop-web", "shop");
  define_client("shop-client", "shop");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);

  auto started = systemctl({"start", "box-pod@shop.service"});
  ASSERT_EQ(started.exit_code, 0) << started.output << journal("box-pod@shop.service");
  // The pod wants its boxes: both come up with it.
  EXPECT_TRUE(eventually([&] { return active("box@shop-web.service"); }, seconds(10)))
      << journal("box@shop-web.service");
  EXPECT_TRUE(eventually([&] { return active("box@shop-client.service"); }, seconds(10)))
      << journal("box@shop-client.service");
  // One box reaches the other on the pod's loopback.
  EXPECT_TRUE(eventually([&] { return fs::exists(out_ + "/shop-client.got"); }, seconds(10)))
      << journal("box@shop-client.service");
  EXPECT_EQ(slurp(out_ + "/shop-client.got"), "hello-from-shop-web\n");
  // The host reaches it through the pod's published port.
  std::string got;
  EXPECT_TRUE(eventually([&] { return contains(got = http_get(port), "hello-from-shop-web"); },
                         seconds(10)))
      << got;
  // One network, ipc and uts namespace, the pod's host name.
  auto web = seen_by("shop-web"), client = seen_by("shop-client");
  ASSERT_EQ(web.size(), 4u) << slurp(out_ + "/shop-web.ns");
  ASSERT_EQ(client.size(), 4u) << slurp(out_ + "/shop-client.ns");
  EXPECT_EQ(web, client);
  EXPECT_EQ(web[0], "shop");

  // boxctl and the manager show them as a pod.
  auto list = boxctl({"list", "--no-pager"});
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_TRUE(contains(list.output, "POD")) << list.output;
  EXPECT_TRUE(contains(list.output, "shop-client,shop-web")) << list.output;
  auto status = boxctl({"status", "shop-web", "-n", "0"});
  EXPECT_TRUE(contains(status.output, "Pod: shop (box-pod@shop.service)")) << status.output;

  // Stopping the pod stops its boxes, then its helper and holder.
  const pid_t pod_pid = main_pid("box-pod@shop.service");
  const auto helpers = pod_processes(pod_pid);
  EXPECT_EQ(helpers.size(), 2u) << "box-run pod " << pod_pid << " should have a holder and pasta";
  auto stopped = systemctl({"stop", "box-pod@shop.service"});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.output;
  EXPECT_EQ(show("box-pod@shop.service", "Result"), "success");
  EXPECT_TRUE(inactive("box@shop-web.service"));
  EXPECT_TRUE(inactive("box@shop-client.service"));
  for (pid_t p : helpers) EXPECT_TRUE(eventually([&] { return dead(p); })) << "pid " << p;
  EXPECT_EQ(http_get(port), "");
  EXPECT_FALSE(fs::exists(runtime_dir() + "/box/pods/shop"));
}

TEST_F(Pods, StartingOneMemberBringsUpThePod) {
  define_pod("cafe", "");
  define_server("cafe-web", "cafe");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  auto started = systemctl({"start", "box@cafe-web.service"});
  ASSERT_EQ(started.exit_code, 0) << started.output << journal("box@cafe-web.service");
  EXPECT_TRUE(active("box-pod@cafe.service"));
  EXPECT_TRUE(eventually([&] { return active("box@cafe-web.service"); }, seconds(10)));
  // Stopping the member leaves the pod; stopping the pod takes the rest.
  ASSERT_EQ(systemctl({"stop", "box@cafe-web.service"}).exit_code, 0);
  EXPECT_TRUE(active("box-pod@cafe.service"));
  ASSERT_EQ(systemctl({"stop", "box-pod@cafe.service"}).exit_code, 0);
}

TEST_F(Pods, ShareNothingKeepsIpcAndUtsApart) {
  define_pod("apart", "share: []\n");
  define_member("apart-a", "apart", "exec sleep 1000");
  define_member("apart-b", "apart", "exec sleep 1000");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  ASSERT_EQ(systemctl({"start", "box-pod@apart.service"}).exit_code, 0)
      << journal("box-pod@apart.service");
  ASSERT_TRUE(eventually([&] {
    return seen_by("apart-a").size() == 4 && seen_by("apart-b").size() == 4;
  })) << journal("box@apart-a.service");
  auto a = seen_by("apart-a"), b = seen_by("apart-b");
  EXPECT_EQ(a[1], b[1]);  // the network, always
  EXPECT_NE(a[2], b[2]);  // ipc
  EXPECT_NE(a[3], b[3]);  // uts
  EXPECT_EQ(a[0], "apart-a");
  EXPECT_EQ(b[0], "apart-b");
  ASSERT_EQ(systemctl({"stop", "box-pod@apart.service"}).exit_code, 0);
}

TEST_F(Pods, AMemberThatSetsPortsIsRefusedAtItsLine) {
  define_pod("strict", "");
  define("strict-web", "rootfs: ~/rootfs-pods\ncommand: [true]\npod: strict\nports: ['8080:80']\n");
  auto r = run({box_run(), "validate", "strict-web"}, seconds(30));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, defs_ + "/strict-web.yaml:4:1: 'ports': set by the pod 'strict' "
                                          "for all its members"))
      << r.output;
  // A start says the same, and starts nothing.
  auto start = run({box_run(), "start", "strict-web"}, seconds(30));
  EXPECT_EQ(start.exit_code, 125) << start.output;
  EXPECT_TRUE(contains(start.output, "strict-web.yaml:4:1: 'ports'")) << start.output;
}

TEST_F(Pods, AMembersStartWithoutItsPodRunningSaysWhy) {
  define_pod("idle", "");
  define("idle-web", "rootfs: ~/rootfs-pods\ncommand: [true]\npod: idle\n");
  const std::string record = runtime_dir() + "/box/pods/idle";
  // No record at all.
  auto r = run({box_run(), "start", "idle-web"}, seconds(30));
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_TRUE(contains(r.output, "idle-web.yaml:3:1: 'pod': pod 'idle' is not running (there is "
                                 "no record '" + record + "')"))
      << r.output;
  EXPECT_TRUE(contains(r.output, "systemctl --user start box-pod@idle.service")) << r.output;

  // A record no box-run holds: left by a killed one.
  const std::string stale = "box-pod-record 1\npid 1\nholder " + std::to_string(getpid()) +
                            " 1\nnamespaces user net ipc uts\n";
  write_file(record, stale);
  r = run({box_run(), "start", "idle-web"}, seconds(30));
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_TRUE(contains(r.output, "was left by a box-run that is gone")) << r.output;

  // Held, but its holder's pid names another process (ours, started at
  // another time than the record says): never joined.
  Background lock({"flock", "-x", record, "sleep", "30"}, home() + "/pods-lock.log");
  ASSERT_TRUE(eventually([&] {
    return run({"flock", "-n", "-x", record, "true"}).exit_code != 0;
  })) << lock.output();
  r = run({box_run(), "start", "idle-web"}, seconds(30));
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_TRUE(contains(r.output, "its holder (pid " + std::to_string(getpid()) +
                                     ") is gone; the pid names another process now"))
      << r.output;
  lock.stop();
  fs::remove(record);
}

}  // namespace
}  // namespace box::testing
