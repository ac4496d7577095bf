// An OCI container's cgroup, as pure translation: where `linux.cgroupsPath`
// puts it (runc's reading of the path, for root and for a rootless caller)
// and which files `linux.resources` writes, for cgroup v1, v2 and hybrid
// hosts. The writing is core/runtime/oci_cgroup.*.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/sys/result.h"

namespace box {

// One mounted hierarchy and the caller's place in it. `controllers` is the
// key of /proc/self/cgroup: "" for cgroup2, "memory", "cpu,cpuacct",
// "name=systemd" for v1.
struct CgroupHierarchy {
  std::string controllers;
  std::string mount;     // "/sys/fs/cgroup/memory", "/sys/fs/cgroup/unified"
  std::string own_path;  // the caller's cgroup in it, "/" for the root
};

// The hierarchies of /proc/self/mountinfo joined with /proc/self/cgroup
// (only those both name). Pure.
std::vector<CgroupHierarchy> parse_cgroup_hierarchies(std::string_view mountinfo,
                                                      std::string_view proc_self_cgroup);

struct CgroupPlacementInput {
  std::string cgroups_path;  // linux.cgroupsPath, may be empty
  std::string id;            // the container id
  bool systemd = false;      // --systemd-cgroup: "slice:prefix:name"
  bool rootless = false;     // the caller is not root: only its own delegated cgroup2 subtree
  uid_t uid = 0;
};

// Where the container's cgroup is: hierarchy key -> directory. As root, every
// hierarchy (v1 controllers, name=systemd, cgroup2); rootless, the cgroup2
// one only. runc's rules: an absolute path is taken from each hierarchy's
// root; a relative one (and the id when there is no path) from the caller's
// own cgroup in it (on a pure cgroup2 host, from its parent, which holds no
// processes, so controllers can be enabled); systemd's
// "slice:prefix:name" is "/<expanded slice>/<prefix>-<name>.scope" from the
// root (from the user manager's cgroup, rootless). Pure.
Result<std::map<std::string, std::string>> place_oci_cgroup(
    const std::vector<CgroupHierarchy>& hierarchies, const CgroupPlacementInput& in);

// systemd's slice name to its path: "a-b.slice" -> "/a.slice/a-b.slice". Pure.
Result<std::string> expand_systemd_slice(const std::string& slice);

// One write of a control file: in the v1 hierarchy that carries
// `controller`, or (v2) in the cgroup2 directory, where `controller` must be
// enabled in the parents' cgroup.subtree_control ("" for core files).
struct CgroupWrite {
  std::string controller;
  bool v2 = false;
  std::string file;
  std::string value;
  bool operator==(const CgroupWrite&) const = default;
};

// Which controllers the host has on which side.
struct CgroupControllers {
  std::set<std::string> v1;  // mounted v1 controllers
  std::set<std::string> v2;  // cgroup.controllers where the container's cgroup2 dir will be
};

struct CgroupResourcePlan {
  std::vector<CgroupWrite> writes;  // in the order to write them
  std::vector<std::string> warnings;  // fields given but not applied, each naming its JSON path
};

// `linux.resources` (JSON text) to control-file writes. A controller on v1
// wins over the same on v2 (a hybrid host). Fields whose controller the host
// lacks are warnings, not errors (runc fails on some; box-oci says which).
// `with_defaults` adds the allow rules for the standard /dev nodes after the
// device rules (the container's own /dev must keep working), and
// `node_rules` ("c 10:200 rwm": the config's own linux.devices, as runc
// allows them) after those. Errors name the JSON path.
Result<CgroupResourcePlan> plan_oci_resources(std::string_view resources_json,
                                              const CgroupControllers& controllers,
                                              bool with_device_defaults = true,
                                              const std::vector<std::string>& node_rules = {});

// runc's conversions for cgroup v2.
unsigned long long cpu_shares_to_weight(unsigned long long shares);
unsigned long long blkio_weight_to_io_weight(unsigned long long weight);

// "512m", "1G", "1048576" -> bytes (runc's --memory flags); "-1" -> -1.
Result<long long> parse_memory_size(const std::string& text);

}  // namespace box
