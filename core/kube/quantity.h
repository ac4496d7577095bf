// Kubernetes resource quantities (resource.Quantity: "64Mi", "1.5G",
// "500m", "2"), read and written for memory and CPU, and the one rule that
// relates a CPU request to a cgroup CPU weight. Pure.
#pragma once

#include <cstdint>
#include <string>

#include "core/sys/result.h"

namespace box::kube {

// A quantity in whole units, rounded up as Kubernetes rounds a memory
// limit: "64Mi" -> 67108864, "1G" -> 1000000000, "1.5Ki" -> 1536, "100" ->
// 100, "1e3" -> 1000. Errors say what is wrong with the text.
Result<std::uint64_t> parse_quantity(const std::string& text);

// A CPU quantity in millicores: "500m" -> 500, "2" -> 2000, "0.25" -> 250.
Result<std::uint64_t> parse_millicores(const std::string& text);

// Bytes with the largest binary suffix that divides them exactly, as
// podman writes a memory limit: 67108864 -> "64Mi", 1000 -> "1000".
std::string format_bytes(std::uint64_t bytes);

// What a CPU request becomes on a node with cgroup v2: the kubelet makes
// m millicores cpu.shares = m * 1024 / 1000 (2 at least, 262144 at most),
// and runc (before 1.3) writes cpu.weight = 1 + (shares - 2) * 9999 /
// 262142. So 1 CPU is weight 39, and box's default weight 100 is about
// 2.6 CPUs.
std::uint32_t cpu_weight_of_millicores(std::uint64_t millicores);
// The smallest request the kubelet turns into `weight` (1..10000).
std::uint64_t millicores_of_cpu_weight(std::uint32_t weight);
// "500m", "2".
std::string format_millicores(std::uint64_t millicores);

}  // namespace box::kube
