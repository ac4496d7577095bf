// Every kind of file `boxctl generate kube` writes is valid against the
// Kubernetes API's definitions (tests/unit/core/kube/openapi/), read
// strictly as the API server reads with strict field validation; and so is
// what podman wrote, which shows that the check itself takes real YAML.
// Debian's python3-jsonschema does the validating.
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <fstream>

#include "core/kube/generate.h"
#include "tests/unit/core/kube/kube_samples.h"
#include "tests/unit/temp_dir.h"

namespace box::kube {
namespace {

const std::string kDir = std::string(BOX_SOURCE_DIR) + "/tests/unit/core/kube";

struct Run {
  int status = -1;
  std::string output;
};

// validate-kube over `files`, its stdout and stderr.
Run validate(const std::vector<std::string>& files) {
  std::string command = "/usr/bin/python3 " + kDir + "/openapi/validate-kube " + kDir +
                        "/openapi/kubernetes-1.28.0-definitions.json";
  for (const auto& f : files) command += " '" + f + "'";
  command += " 2>&1";
  Run r;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return r;
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, p)) r.output.append(buffer, n);
  const int status = ::pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string write(const box::testing::TempDir& dir, const std::string& name,
                  const std::string& text) {
  const std::string path = dir / name;
  std::ofstream(path) << text;
  return path;
}

TEST(KubeSchema, WhatBoxGeneratesIsValid) {
  box::testing::TempDir dir;
  using testing::box;
  std::vector<std::string> files;
  GenerateOptions claims;
  claims.claims = true;
  files.push_back(write(dir, "web.yaml", generate_kube({box("web", testing::kWeb)}, nullptr, {})));
  files.push_back(
      write(dir, "web-claims.yaml", generate_kube({box("web", testing::kWeb)}, nullptr, claims)));
  files.push_back(write(
      dir, "hello.yaml",
      generate_kube({box("hello", "image: busybox\ncommand: [echo, hi]\n"),
                     box("all", "image: busybox\ncommand: [sh]\n"
                                "capabilities: {add: [ALL], drop: [NET_RAW]}\n")},
                    nullptr, {})));
  files.push_back(write(
      dir, "systemd.yaml",
      generate_kube({box("sd", "image: debian\ninit: systemd\nnetwork: host\n"
                               "namespaces: {ipc: host}\n")},
                    nullptr, {})));
  // A pod of two members with volumes of each kind.
  PodDefinition pod;
  pod.name = "shop";
  pod.ports = {PortMapping{"", 18080, 8080, "tcp"}};
  pod.dns = {"192.0.2.53"};
  files.push_back(write(
      dir, "pod.yaml",
      generate_kube({box("shop-web", testing::kWeb),
                     box("shop-db",
                         "image: postgres\ncommand: [postgres]\n"
                         "mounts:\n"
                         "  - {type: bind, source: /home/u/.local/share/box/state/shop-db, "
                         "target: /var/lib/postgresql/data}\n"
                         "  - {type: file, target: /etc/web.conf, content: \"x\"}\n",
                         "docker.io/library/postgres:16")},
                    &pod, claims)));
  auto r = validate(files);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("11 objects checked, 0 errors"), std::string::npos) << r.output;
}

TEST(KubeSchema, WhatPodmanWritesIsValid) {
  auto r = validate({kDir + "/podman/pod-two-containers.yaml", kDir + "/podman/container.yaml",
                     kDir + "/podman/container-with-service.yaml"});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("4 objects checked, 0 errors"), std::string::npos) << r.output;
}

// The check is strict: an unknown field or a wrong type fails it.
TEST(KubeSchema, AnUnknownFieldIsAnError) {
  box::testing::TempDir dir;
  const std::string text = "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n"
                           "  containers:\n  - name: x\n    image: busybox\n    bogus: 1\n"
                           "    ports: [{containerPort: \"80\"}]\n";
  auto r = validate({write(dir, "bad.yaml", text)});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("spec.containers.0: Additional properties are not allowed ('bogus' "
                          "was unexpected)"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("spec.containers.0.ports.0.containerPort: '80' is not of type "
                          "'integer'"),
            std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace box::kube
