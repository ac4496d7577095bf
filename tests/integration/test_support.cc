#include "tests/integration/test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace box::testing {

namespace {

// In a forked child: becomes argv (searched in PATH), or exits 127.
[[noreturn]] void exec_or_exit(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  _exit(127);
}

// Reads `fd` into `output` until its end; past `deadline`, kills `pid` and
// says so in the output.
void read_to_end(int fd, pid_t pid, std::chrono::steady_clock::time_point deadline,
                 std::string& output) {
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      output += "\n[killed after timeout]\n";
      return;
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return;
    output.append(buf, static_cast<std::size_t>(n));
  }
}

// A wait status as a shell shows it: the exit code, or 128+N for signal N.
int exit_code_of(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

CommandResult run(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    exec_or_exit(argv);
  }
  close(fds[1]);
  CommandResult r;
  read_to_end(fds[0], pid, std::chrono::steady_clock::now() + timeout, r.output);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = exit_code_of(status);
  return r;
}

PipedProcess::PipedProcess(const std::vector<std::string>& argv) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork");
  if (pid_ == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    exec_or_exit(argv);
  }
  close(in[0]);
  close(out[1]);
  in_ = in[1];
  out_ = out[0];
}

PipedProcess::~PipedProcess() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (in_ >= 0) close(in_);
  if (out_ >= 0) close(out_);
}

bool PipedProcess::wait_for(const std::string& marker, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (!contains(output_, marker)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || out_ < 0) return false;
    pollfd p{out_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t n = read(out_, buf, sizeof buf);
    if (n <= 0) return contains(output_, marker);
    output_.append(buf, static_cast<std::size_t>(n));
  }
  return true;
}

void PipedProcess::close_input() {
  if (in_ >= 0) close(in_);
  in_ = -1;
}

void PipedProcess::write_input(const std::string& data) {
  if (in_ < 0 || write(in_, data.data(), data.size()) != static_cast<ssize_t>(data.size()))
    throw std::runtime_error("write to the background command's stdin");
}

int PipedProcess::wait(std::chrono::seconds timeout) {
  read_to_end(out_, pid_, std::chrono::steady_clock::now() + timeout, output_);
  int status = 0;
  waitpid(pid_, &status, 0);
  reaped_ = true;
  return exit_code_of(status);
}

pid_t first_child(pid_t pid) {
  const std::string p = std::to_string(pid);
  const std::string children = slurp("/proc/" + p + "/task/" + p + "/children");
  if (children.empty()) return -1;
  return static_cast<pid_t>(std::stol(children.substr(0, children.find(' '))));
}

pid_t first_child_once_said(const Background& b, const std::string& marker,
                            std::chrono::milliseconds timeout) {
  pid_t child = -1;
  if (!eventually(
          [&] {
            child = first_child(b.pid());
            return child > 0 && contains(b.output(), marker);
          },
          timeout))
    return -1;
  return child;
}

bool eventually(const std::function<bool()>& ready, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (ready()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string prefix() {
  const char* p = std::getenv("BOX_PREFIX");
  if (!p || !*p) throw std::runtime_error("BOX_PREFIX is not set: run through ctest");
  return p;
}

std::string box_run() { return prefix() + "/libexec/box/box-run"; }

std::string home() {
  const char* h = std::getenv("HOME");
  if (!h) throw std::runtime_error("HOME is not set");
  return h;
}

void make_spec_bundle(const std::string& bundle, const std::string& spec_command) {
  make_busybox_rootfs(bundle + "/rootfs");
  auto made = run({"sh", "-c", "cd '" + bundle + "' && " + spec_command});
  ASSERT_EQ(made.exit_code, 0) << spec_command << ": " << made.output;
}

void edit_json(const std::string& path, const std::string& python) {
  auto r = run({"python3", "-c",
                "import json,sys\np=sys.argv[1]\nc=json.load(open(p))\n" + python +
                    "\njson.dump(c,open(p,'w'),indent=1)",
                path});
  ASSERT_EQ(r.exit_code, 0) << path << ": " << r.output;
}

void make_busybox_rootfs(const std::string& dir) {
  fs::remove_all(dir);
  for (const char* d : {"bin", "proc", "dev", "sys", "tmp", "etc", "root", "run"})
    fs::create_directories(fs::path(dir) / d);
  fs::copy_file("/bin/busybox", fs::path(dir) / "bin/busybox");
  for (const char* applet :
       {"sh",    "echo", "cat",  "ls",       "ps",  "id",      "hostname", "sleep", "true",
        "touch", "wc",   "grep", "kill",     "env", "unshare", "chown",    "stat",  "mount",
        "mkdir", "rm",   "head", "readlink", "df",  "ip",      "nc",       "su",    "cut"})
    fs::create_symlink("busybox", fs::path(dir) / "bin" / applet);
}

void make_host_usr_rootfs(const std::string& dir) {
  fs::remove_all(dir);
  for (const char* d : {"proc", "sys", "dev", "tmp", "usr", "etc", "run"})
    fs::create_directories(fs::path(dir) / d);
  for (const char* l : {"bin", "sbin", "lib", "lib64"})
    fs::create_symlink(std::string("usr/") + l, fs::path(dir) / l);
}

void write_file(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}

uint16_t free_port(int type) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("cannot find a free port");
  close(fd);
  return ntohs(a.sin_port);
}

std::string tcp_talk(uint16_t port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
    char buf[512];
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 2000) <= 0) break;
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  close(fd);
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CommandResult systemctl(std::vector<std::string> args) {
  args.insert(args.begin(), {"systemctl", "--user", "--no-pager"});
  return run(args);
}

std::string show(const std::string& unit, const std::string& property) {
  std::string v = systemctl({"show", "--value", "-p", property, unit}).output;
  while (!v.empty() && v.back() == '\n') v.pop_back();
  return v;
}

std::string journal(const std::string& unit) {
  return run({"journalctl", "--user", "--no-pager", "-o", "cat", "-u", unit}).output;
}

void stop_and_reset(const std::string& unit) {
  systemctl({"stop", unit});
  systemctl({"reset-failed", unit});
}

void remove_boxes(const std::string& defs, const std::vector<std::string>& names) {
  for (const auto& name : names) {
    stop_and_reset("box@" + name + ".service");
    fs::remove(defs + "/" + name + ".yaml");
  }
  if (!names.empty()) systemctl({"daemon-reload"});
}

CommandResult boxctl(std::vector<std::string> args, std::chrono::seconds timeout) {
  args.insert(args.begin(), prefix() + "/bin/boxctl");
  return run(args, timeout);
}

Background::Background(const std::vector<std::string>& argv, const std::string& output)
    : output_(output) {
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    exec_or_exit(argv);
  }
}

Background::~Background() { stop(); }

int Background::stop(std::chrono::seconds grace) {
  if (pid_ <= 0) return status_;
  kill(pid_, SIGTERM);
  if (wait(grace) >= 0) return status_;
  kill(pid_, SIGKILL);
  return wait();
}

int Background::wait(std::chrono::seconds timeout) {
  if (pid_ <= 0) return status_;
  int st = 0;
  if (!eventually([&] { return waitpid(pid_, &st, WNOHANG) == pid_; }, timeout)) return -1;
  pid_ = -1;
  status_ = exit_code_of(st);
  return status_;
}

std::unique_ptr<Background> watch_box_signals(const std::string& file) {
  auto w = std::make_unique<Background>(
      std::vector<std::string>{"dbus-monitor", "--session",
                               "type='signal',path_namespace='/dev/boxctl/box1'"},
      file);
  if (!eventually([&] { return contains(w->output(), "NameAcquired"); }))
    throw std::runtime_error("dbus-monitor did not start listening: " + w->output());
  return w;
}

std::vector<std::string> signal_blocks(const std::string& text) {
  std::vector<std::string> blocks;
  std::size_t pos = 0;
  while ((pos = text.find("signal time=", pos)) != std::string::npos) {
    std::size_t next = text.find("\nsignal time=", pos + 1);
    std::size_t call = text.find("\nmethod ", pos + 1);
    std::size_t end = std::min(next, call);
    blocks.push_back(text.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    pos = end == std::string::npos ? text.size() : end + 1;
  }
  return blocks;
}

std::vector<std::size_t> signals_at(const std::string& text, const std::string& member,
                                    const std::string& name) {
  std::vector<std::size_t> out;
  std::size_t at = 0;
  for (const auto& b : signal_blocks(text)) {
    at = text.find(b, at);
    if (contains(b, "member=" + member + "\n") && contains(b, "string \"" + name + "\""))
      out.push_back(at);
  }
  return out;
}

std::string status_field(const std::string& status, const std::string& key) {
  const std::string text = "\n" + status;
  auto at = text.find("\n" + key + ":");
  if (at == std::string::npos) return "";
  auto start = text.find_first_not_of(" \t", at + key.size() + 2);
  return text.substr(start, text.find('\n', start) - start);
}

std::set<pid_t> children_named(pid_t pid, const std::set<std::string>& names) {
  std::set<pid_t> out;
  std::istringstream children(
      slurp("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children"));
  for (pid_t c; children >> c;)
    if (names.count(status_field(slurp("/proc/" + std::to_string(c) + "/status"), "Name")))
      out.insert(c);
  return out;
}

bool dead(pid_t pid) {
  const std::string status = slurp("/proc/" + std::to_string(pid) + "/status");
  return status.empty() || status_field(status, "State").rfind("Z", 0) == 0;
}

void BoxTest::SetUp() {
  ASSERT_NE(getuid(), 0u) << "integration tests must run as the unprivileged test user";
  std::string name = rootfs_name_;
  if (name.empty())
    for (const char* c = ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name();
         *c; ++c)
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
  rootfs_ = home() + "/rootfs-" + name;
  if (kind_ == Rootfs::kHostUsr)
    make_host_usr_rootfs(rootfs_);
  else
    make_busybox_rootfs(rootfs_);
  defs_ = home() + "/.config/box/containers";
  fs::create_directories(defs_);
  prepare();
}

void BoxTest::TearDown() {
  cleanup();
  remove_boxes(defs_, names_);
  fs::remove_all(rootfs_);
}

std::vector<std::string> sh(const std::string& script) { return {"sh", "-c", script}; }

std::vector<std::string> BoxTest::box_argv(const std::vector<std::string>& options,
                                           const std::vector<std::string>& command) const {
  std::vector<std::string> argv = {box_run(), "run"};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back(rootfs_);
  argv.push_back("--");
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

CommandResult BoxTest::box(const std::vector<std::string>& options, const std::string& script,
                           std::chrono::seconds timeout) const {
  return run(box_argv(options, sh(script)), timeout);
}

namespace {

// A one-layer OCI layout at $1 (tag "latest") from the directory $2: the
// layer is `tar | gzip -1`, so a sparse file in $2 becomes real zeros in
// the layer (a bomb compresses 1000:1).
constexpr const char* kMakeLayout = R"sh(set -eu
out=$1 root=$2 extra=${3:-}
rm -rf "$out"; mkdir -p "$out/blobs/sha256"
tar --numeric-owner --owner=0 --group=0 -C "$root" -cf - . | gzip -1 > "$out/layer"
diff=$(gzip -dc "$out/layer" | sha256sum | cut -d' ' -f1)
put() { d=$(sha256sum "$1" | cut -d' ' -f1); s=$(stat -c %s "$1"); mv "$1" "$out/blobs/sha256/$d"; echo "$d $s"; }
set -- $(put "$out/layer"); layer=$1 layer_size=$2
printf '{"architecture":"%s","os":"linux","config":{"Cmd":["/bin/sh"]%s},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
  "$(dpkg --print-architecture)" "$(if [ -n "$extra" ]; then cat "$extra"; fi)" "$diff" > "$out/config"
set -- $(put "$out/config"); config=$1 config_size=$2
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
  "$config" "$config_size" "$layer" "$layer_size" > "$out/manifest"
set -- $(put "$out/manifest"); manifest=$1 manifest_size=$2
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' \
  "$manifest" "$manifest_size" > "$out/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$out/oci-layout"
)sh";

}  // namespace

int rounds(int slice, int full) {
  const char* scale = std::getenv("BOX_TEST_SCALE");
  return scale && std::string(scale) == "full" ? full : slice;
}

void make_oci_layout(const std::string& out, const std::string& root,
                     const std::string& config_extra) {
  auto made =
      run({"sh", "-c", kMakeLayout, "sh", out, root, config_extra}, std::chrono::seconds(300));
  EXPECT_EQ(made.exit_code, 0) << made.output;
}

void build_etcd_image(const std::string& out) {
  auto built =
      run({prefix() + "/share/box/examples/etcd/build-image", out}, std::chrono::seconds(180));
  ASSERT_EQ(built.exit_code, 0) << built.output;
}

void BoxTest::define(const std::string& name, const std::string& yaml) {
  write_file(defs_ + "/" + name + ".yaml", yaml);
  names_.push_back(name);
}

}  // namespace box::testing
