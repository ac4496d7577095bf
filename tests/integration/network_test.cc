// Networking as the unprivileged test user: `private` boxes reached from the
// host through published ports (pasta, and slirp4netns), `none` with
// loopback only, `host` sharing the host's, the generated /etc files, and
// the network helper's lifetime (gone after stop, and after the supervisor
// is killed). All traffic goes to 127.0.0.1 or stays inside a box; ports are
// picked free by the kernel (bind to port 0) right before use.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <thread>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// Connects to 127.0.0.1:port and reads until EOF; "" when nothing answers.
std::string tcp_read(uint16_t port) { return tcp_talk(port, ""); }

// A TCP server on the host's 127.0.0.1 that greets each of up to `count`
// clients, on a thread; the destructor stops it.
class HostServer {
 public:
  HostServer(std::string greeting, int count) : greeting_(std::move(greeting)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback(0);
    socklen_t len = sizeof a;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 4) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("host server");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this, count] {
      for (int i = 0; i < count; ++i) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 15000) <= 0) return;
        int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) return;
        ssize_t unused = write(c, greeting_.data(), greeting_.size());
        (void)unused;
        close(c);
      }
    });
  }
  ~HostServer() {
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }
  uint16_t port() const { return port_; }

 private:
  std::string greeting_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

// The network helpers among `pid`'s children (pasta re-executes itself as
// passt or passt.avx2).
std::set<pid_t> helpers_of(pid_t pid) {
  return children_named(pid, {"pasta", "passt", "passt.avx2", "slirp4netns"});
}

// `argv` run with the network helper `helper` (BOX_NETWORK_HELPER).
std::vector<std::string> with_helper(const std::string& helper, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"env", "BOX_NETWORK_HELPER=" + helper});
  return argv;
}

class Network : public BoxTest {
 protected:
  void prepare() override {
    // The host's /usr (bound read-only where needed) gives the box python3
    // for what busybox lacks (a UDP server, the C library's resolver).
    fs::create_directories(rootfs_ + "/usr");
    for (const char* l : {"lib", "lib64"})
      fs::create_symlink(std::string("usr/") + l, rootfs_ + "/" + l);
    // Mount points for the generated files, so a read-only rootfs takes them.
    write_file(rootfs_ + "/etc/resolv.conf", "nameserver 192.0.2.99  # the image's own\n");
    write_file(rootfs_ + "/etc/hosts", "");
    // Names from /etc/hosts only: no lookup may leave the machine.
    write_file(rootfs_ + "/etc/nsswitch.conf", "hosts: files\n");
  }

  // A TCP greeting through a port published by `helper`, read from the host.
  void expect_tcp_published(const std::string& helper, int container_port = 8080) {
    const uint16_t port = free_port(SOCK_STREAM);
    const std::string inside = std::to_string(container_port);
    Background b(
        with_helper(helper, box_argv({"--network", "private", "--publish",
                                      "127.0.0.1:" + std::to_string(port) + ":" + inside},
                                     sh("echo hello-through-" + helper + " | nc -l -p " + inside))),
        home() + "/net-" + helper + ".log");
    std::string got;
    EXPECT_TRUE(eventually(
        [&] {
          got = tcp_read(port);
          return !got.empty();
        },
        seconds(15)))
        << b.output();
    EXPECT_EQ(got, "hello-through-" + helper + "\n") << b.output();
    EXPECT_EQ(b.wait(), 0) << b.output();
  }
};

TEST_F(Network, PrivateBoxServesTcpThroughAPublishedPort) { expect_tcp_published("pasta"); }

TEST_F(Network, Slirp4netnsPublishesTcpToo) { expect_tcp_published("slirp4netns"); }

// Root in the box's user namespace holds CAP_NET_BIND_SERVICE over the
// box's network namespace: port 80 inside needs no privilege on the host.
TEST_F(Network, ContainerPortBelow1024Works) { expect_tcp_published("pasta", 80); }

TEST_F(Network, HostPortBelow1024IsAClearErrorAndStartsNothing) {
  auto r = run(box_argv({"--network", "private", "--publish", "127.0.0.1:80:8080"},
                        {"sh", "-c", "echo started"}),
               seconds(30));
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "host port 80 is privileged")) << r.output;
  EXPECT_FALSE(contains(r.output, "started")) << r.output;
}

TEST_F(Network, PrivateBoxReceivesUdpThroughAPublishedPort) {
  const uint16_t port = free_port(SOCK_DGRAM);
  // One datagram in, printed; the box then exits.
  Background b(box_argv({"--network", "private", "--ro-bind", "/usr:/usr", "--publish",
                         "127.0.0.1:" + std::to_string(port) + ":8081/udp"},
                        {"/usr/bin/python3", "-c",
                         "import socket\n"
                         "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                         "s.bind(('0.0.0.0', 8081))\n"
                         "print('ready', flush=True)\n"
                         "print('got', s.recv(64).decode(), flush=True)\n"}),
               home() + "/net-udp.log");
  ASSERT_TRUE(eventually([&] { return contains(b.output(), "ready"); }, seconds(15))) << b.output();
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = loopback(port);
  // Datagrams may be lost: resend until the box has one (bounded).
  int code = -1;
  for (int i = 0; i < 50 && code < 0; ++i) {
    const char msg[] = "datagram-from-host";
    sendto(fd, msg, sizeof msg - 1, 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
    code = b.wait(seconds(1));
  }
  close(fd);
  EXPECT_EQ(code, 0) << b.output();
  EXPECT_TRUE(contains(b.output(), "got datagram-from-host")) << b.output();
}

TEST_F(Network, PrivateBoxHasItsOwnInterfaceAndGeneratedFiles) {
  HostServer host("host-only\n", 1);
  auto r = box({"--network", "private", "--hostname", "web-1", "--ro-bind", "/usr:/usr"},
               "echo interfaces: $(ls /sys/class/net); cat /etc/resolv.conf /etc/hosts; "
               "/usr/bin/python3 -c 'import socket; print(\"resolves\", "
               "socket.gethostbyname(socket.gethostname()))'; "
               "nc 127.0.0.1 " +
                   std::to_string(host.port()) + " </dev/null || echo own-loopback-only");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // lo and one interface of the helper's (named after the host's).
  std::istringstream names(status_field(r.output, "interfaces"));
  std::set<std::string> interfaces{std::istream_iterator<std::string>(names), {}};
  EXPECT_EQ(interfaces.size(), 2u) << r.output;
  EXPECT_EQ(interfaces.count("lo"), 1u) << r.output;
  EXPECT_TRUE(contains(r.output, "nameserver 10.0.2.3\n")) << r.output;
  EXPECT_FALSE(contains(r.output, "192.0.2.99")) << r.output;
  EXPECT_TRUE(contains(r.output, "127.0.1.1\tweb-1\n")) << r.output;
  EXPECT_TRUE(contains(r.output, "resolves 127.0.1.1")) << r.output;
  // 127.0.0.1 is the box's own loopback: the host's server is not there.
  EXPECT_TRUE(contains(r.output, "own-loopback-only")) << r.output;
  EXPECT_FALSE(contains(r.output, "host-only")) << r.output;
}

TEST_F(Network, Slirp4netnsKeepsTheHostsLoopbackOut) {
  // slirp4netns's gateway 10.0.2.2 would lead to the host's 127.0.0.1;
  // --disable-host-loopback closes that (slirp4netns refuses locally).
  HostServer host("host-only\n", 1);
  auto r =
      run(with_helper("slirp4netns", box_argv({"--network", "private"},
                                              sh("nc -w 3 10.0.2.2 " + std::to_string(host.port()) +
                                                 " </dev/null || echo refused"))),
          seconds(30));
  EXPECT_TRUE(contains(r.output, "refused")) << r.output;
  EXPECT_FALSE(contains(r.output, "host-only")) << r.output;
}

TEST_F(Network, DnsFromTheDefinition) {
  write_file(defs_ + "/netdns.yaml",
             "rootfs: ~/rootfs-network\nnetwork: private\ndns: [192.0.2.53, 2001:db8::53]\n"
             "command: [cat, /etc/resolv.conf]\n");
  auto r = run({box_run(), "start", "netdns"}, seconds(30));
  fs::remove(defs_ + "/netdns.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "nameserver 192.0.2.53\nnameserver 2001:db8::53\n")) << r.output;
  EXPECT_FALSE(contains(r.output, "10.0.2.3")) << r.output;
}

TEST_F(Network, NoneReachesNothingButItsLoopback) {
  HostServer host("host-only\n", 1);
  auto r = box({"--network", "none"},
               "echo links: $(ip -o link | wc -l); echo routes: $(ip route | wc -l); "
               "cat /etc/resolv.conf; "
               "(echo pong | nc -l -p 7777 &); sleep 0.3; nc 127.0.0.1 7777 </dev/null; "
               "nc 127.0.0.1 " +
                   std::to_string(host.port()) +
                   " </dev/null || echo no-host; "
                   "nc -w 2 10.0.2.2 80 </dev/null || echo unreachable");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(status_field(r.output, "links"), "1") << r.output;  // lo only
  EXPECT_EQ(status_field(r.output, "routes"), "0") << r.output;
  EXPECT_FALSE(contains(r.output, "nameserver")) << r.output;
  EXPECT_TRUE(contains(r.output, "pong")) << r.output;
  EXPECT_TRUE(contains(r.output, "no-host")) << r.output;
  EXPECT_FALSE(contains(r.output, "host-only")) << r.output;
  EXPECT_TRUE(contains(r.output, "unreachable")) << r.output;
}

TEST_F(Network, HostSharesTheHostsNetwork) {
  HostServer host("hello-from-the-host\n", 1);
  auto r = box({}, "nc 127.0.0.1 " + std::to_string(host.port()) +
                       " </dev/null; "
                       "cat /etc/resolv.conf /etc/hosts");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "hello-from-the-host\n")) << r.output;
  // The host's resolver configuration, bound as is.
  const std::string resolv = slurp("/etc/resolv.conf");
  ASSERT_FALSE(resolv.empty()) << "the test machine has no /etc/resolv.conf";
  EXPECT_TRUE(contains(r.output, resolv)) << r.output;
  // Its own hostname (a uts namespace of its own) resolves.
  EXPECT_TRUE(contains(r.output, "127.0.1.1\trun\n")) << r.output;
}

TEST_F(Network, ReadOnlyRootfsWithoutTheFilesStillStarts) {
  fs::remove(rootfs_ + "/etc/resolv.conf");
  fs::remove(rootfs_ + "/etc/hosts");
  auto r = box({"--network", "private"}, "ls /etc; echo started");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "started")) << r.output;
  EXPECT_FALSE(contains(r.output, "resolv.conf")) << r.output;
  EXPECT_FALSE(fs::exists(rootfs_ + "/etc/resolv.conf"));
  // A writable (overlay) root gets them, and the image stays untouched.
  auto w = box({"--network", "private", "--writable"}, "cat /etc/resolv.conf");
  EXPECT_TRUE(contains(w.output, "nameserver 10.0.2.3")) << w.output;
  EXPECT_FALSE(fs::exists(rootfs_ + "/etc/resolv.conf"));
}

TEST_F(Network, MissingHelperIsAClearError) {
  auto r = run({"env", "PATH=/nonexistent", box_run(), "run", "--network", "private", rootfs_, "--",
                "true"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_TRUE(contains(r.output, "passt")) << r.output;
  EXPECT_TRUE(contains(r.output, "slirp4netns")) << r.output;
}

TEST_F(Network, NoHelperLeftAfterStopOrAfterTheSupervisorIsKilled) {
  const uint16_t port = free_port(SOCK_STREAM);
  define("netsrv",
         "rootfs: ~/rootfs-network\nnetwork: private\n"
         "ports: ['127.0.0.1:" +
             std::to_string(port) +
             ":8080']\n"
             // PID 1 gets only the signals it handles: exit 0 on SIGTERM.
             "command: [sh, -c, 'trap \"exit 0\" TERM; "
             "while :; do echo served | nc -l -p 8080 & wait $!; done']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);

  auto start_and_find_helper = [&]() -> std::set<pid_t> {
    auto start = systemctl({"start", "box@netsrv.service"});
    EXPECT_EQ(start.exit_code, 0) << start.output;
    EXPECT_TRUE(eventually([&] { return tcp_read(port) == "served\n"; }, seconds(15)));
    const pid_t main_pid =
        static_cast<pid_t>(std::stol("0" + show("box@netsrv.service", "MainPID")));
    auto helpers = helpers_of(main_pid);
    EXPECT_EQ(helpers.size(), 1u) << "box-run " << main_pid << " should have one network helper";
    return helpers;
  };

  // 1. A clean stop: box-run stops and reaps its helper.
  auto helpers = start_and_find_helper();
  ASSERT_EQ(systemctl({"stop", "box@netsrv.service"}).exit_code, 0);
  EXPECT_EQ(show("box@netsrv.service", "Result"), "success");
  for (pid_t h : helpers) EXPECT_TRUE(eventually([&] { return dead(h); })) << "helper " << h;
  EXPECT_EQ(tcp_read(port), "");

  // 2. box-run killed outright: the parent-death signal (and systemd's
  // cgroup kill) take the helper too.
  helpers = start_and_find_helper();
  const std::string main_pid = show("box@netsrv.service", "MainPID");
  ASSERT_EQ(kill(static_cast<pid_t>(std::stol(main_pid)), SIGKILL), 0);
  for (pid_t h : helpers) EXPECT_TRUE(eventually([&] { return dead(h); })) << "helper " << h;
  EXPECT_TRUE(eventually([&] { return tcp_read(port).empty(); }));
  systemctl({"stop", "box@netsrv.service"});

  // 3. The same without systemd (box-run run from a shell, no cgroup of its
  // own): only the parent-death signal is left to do it.
  for (const std::string helper : {"pasta", "slirp4netns"}) {
    const uint16_t p = free_port(SOCK_STREAM);
    Background b(with_helper(helper, box_argv({"--network", "private", "--publish",
                                               "127.0.0.1:" + std::to_string(p) + ":8080"},
                                              sh("while :; do echo served | nc -l -p 8080; done"))),
                 home() + "/net-kill.log");
    ASSERT_TRUE(eventually([&] { return tcp_read(p) == "served\n"; }, seconds(15))) << b.output();
    // `env` exec'd box-run: the background PID is box-run's.
    auto found = helpers_of(b.pid());
    ASSERT_EQ(found.size(), 1u) << helper << ": " << b.output();
    kill(b.pid(), SIGKILL);
    EXPECT_TRUE(eventually([&] { return dead(*found.begin()); })) << helper << " outlived box-run";
    EXPECT_TRUE(eventually([&] { return tcp_read(p).empty(); })) << helper;
  }
}

}  // namespace
}  // namespace box::testing
