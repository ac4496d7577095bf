// Load on box-manager: N clients, each with its own session bus connection,
// call ListContainers back to back for a bounded time and number of calls;
// prints calls/s, latency percentiles and the manager's memory. Not a test:
// bench/manager-load/run starts it in the test bed.
//
//   box-manager-load [--clients 50] [--seconds 10] [--max-calls 100000]
#include <sdbus-c++/sdbus-c++.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using Row = sdbus::Struct<std::string, std::string, std::string, std::string, std::string,
                          sdbus::ObjectPath>;

struct Memory {
  long rss_kib = -1;
  long private_kib = -1;  // Private_Clean + Private_Dirty: what this process alone costs
};

Memory memory_of(uint32_t pid) {
  Memory m;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  long value;
  std::string line;
  while (std::getline(status, line))
    if (std::sscanf(line.c_str(), "VmRSS: %ld", &value) == 1) m.rss_kib = value;
  std::ifstream rollup("/proc/" + std::to_string(pid) + "/smaps_rollup");
  long priv = 0;
  bool any = false;
  while (std::getline(rollup, line)) {
    if (std::sscanf(line.c_str(), "Private_Clean: %ld", &value) == 1 ||
        std::sscanf(line.c_str(), "Private_Dirty: %ld", &value) == 1) {
      priv += value;
      any = true;
    }
  }
  if (any) m.private_kib = priv;
  return m;
}

uint32_t pid_of(sdbus::IConnection& bus, const std::string& name) {
  auto dbus = sdbus::createProxy(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus");
  uint32_t pid = 0;
  try {
    dbus->callMethod("GetConnectionUnixProcessID")
        .onInterface("org.freedesktop.DBus")
        .withArguments(name)
        .storeResultsTo(pid);
  } catch (const sdbus::Error&) {
  }
  return pid;
}

// User + system CPU time of a process, in seconds.
double cpu_seconds(uint32_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto paren = text.rfind(')');
  if (pid == 0 || paren == std::string::npos) return 0;
  std::istringstream rest(text.substr(paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::vector<Row> list(sdbus::IProxy& proxy) {
  std::vector<Row> rows;
  proxy.callMethod("ListContainers").onInterface("dev.boxctl.box1.Manager").storeResultsTo(rows);
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  int clients = 50, seconds = 10;
  long max_calls = 100000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--clients") clients = std::atoi(argv[i + 1]);
    else if (a == "--seconds") seconds = std::atoi(argv[i + 1]);
    else if (a == "--max-calls") max_calls = std::atol(argv[i + 1]);
    else {
      std::cerr << "usage: box-manager-load [--clients N] [--seconds S] [--max-calls N]\n";
      return 2;
    }
  }
  clients = std::clamp(clients, 1, 500);
  seconds = std::clamp(seconds, 1, 120);

  auto bus = sdbus::createSessionBusConnection();
  auto proxy = sdbus::createProxy(*bus, "dev.boxctl.box1", "/dev/boxctl/box1");
  // The first call activates the manager if it is not running.
  auto t0 = Clock::now();
  auto rows = list(*proxy);
  auto first_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  const uint32_t pid = pid_of(*bus, "dev.boxctl.box1");
  const uint32_t systemd_pid = pid_of(*bus, "org.freedesktop.systemd1");
  const uint32_t bus_pid = pid_of(*bus, "org.freedesktop.DBus");
  const Memory before = memory_of(pid);
  const double cpu_before[3] = {cpu_seconds(pid), cpu_seconds(systemd_pid), cpu_seconds(bus_pid)};

  std::atomic<long> budget{max_calls};
  std::atomic<long> errors{0};
  std::mutex mu;
  std::vector<double> latencies;  // ms
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      std::vector<double> mine;
      try {
        auto conn = sdbus::createSessionBusConnection();
        auto p = sdbus::createProxy(*conn, "dev.boxctl.box1", "/dev/boxctl/box1");
        while (Clock::now() < deadline && budget.fetch_sub(1) > 0) {
          auto s = Clock::now();
          try {
            list(*p);
            mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
          } catch (const sdbus::Error&) {
            ++errors;
          }
        }
      } catch (const sdbus::Error&) {
        ++errors;
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const Memory after = memory_of(pid);
  const double cpu_after[3] = {cpu_seconds(pid), cpu_seconds(systemd_pid), cpu_seconds(bus_pid)};

  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    if (latencies.empty()) return 0.0;
    return latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(p * latencies.size()))];
  };
  std::printf("definitions          %zu\n", rows.size());
  std::printf("clients              %d\n", clients);
  std::printf("first call           %.1f ms (activation if the manager was not running)\n",
              first_ms);
  std::printf("calls                %zu in %.2f s (%ld errors)\n", latencies.size(), elapsed,
              errors.load());
  std::printf("throughput           %.0f calls/s\n", latencies.size() / elapsed);
  std::printf("latency ms           p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", pct(0.50),
              pct(0.90), pct(0.99), latencies.empty() ? 0.0 : latencies.back());
  std::printf("manager pid %u RSS   %ld KiB before, %ld KiB after (private %ld / %ld KiB)\n", pid,
              before.rss_kib, after.rss_kib, before.private_kib, after.private_kib);
  std::printf("CPU during the load   box-manager %.2f s, systemd --user %.2f s, dbus-daemon %.2f s\n",
              cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1],
              cpu_after[2] - cpu_before[2]);
  return errors.load() == 0 ? 0 : 1;
}
