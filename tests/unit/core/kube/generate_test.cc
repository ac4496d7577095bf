#include "core/kube/generate.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "tests/unit/core/kube/kube_samples.h"

namespace box::kube {
namespace {

using testing::box;
using testing::kWeb;

std::vector<YAML::Node> documents(const std::string& text) { return YAML::LoadAll(text); }

std::string generate_one(const GenerateBox& b, bool claims = false) {
  GenerateOptions o;
  o.claims = claims;
  return generate_kube({b}, nullptr, o);
}

TEST(KubeGenerate, EveryKeyIsTranslatedOrNamedInAComment) {
  std::set<Key> covered;
  for (const auto& r : generate_rules()) EXPECT_TRUE(covered.insert(r.key).second) << key_name(r.key);
  for (const auto& spec : definition_keys())
    EXPECT_TRUE(covered.count(spec.key)) << spec.name << " has no rule in generate_rules()";
  EXPECT_EQ(covered.size(), definition_keys().size());
}

TEST(KubeGenerate, AWebServer) {
  const std::string text = generate_one(box("web", kWeb));
  auto docs = documents(text);
  ASSERT_EQ(docs.size(), 2u) << text;
  const YAML::Node pod = docs[0];
  EXPECT_EQ(pod["apiVersion"].as<std::string>(), "v1");
  EXPECT_EQ(pod["kind"].as<std::string>(), "Pod");
  EXPECT_EQ(pod["metadata"]["name"].as<std::string>(), "web");
  const YAML::Node spec = pod["spec"];
  EXPECT_EQ(spec["restartPolicy"].as<std::string>(), "OnFailure");
  EXPECT_EQ(spec["hostname"].as<std::string>(), "web");
  EXPECT_EQ(spec["terminationGracePeriodSeconds"].as<int>(), 30);
  EXPECT_EQ(spec["dnsPolicy"].as<std::string>(), "None");
  EXPECT_EQ(spec["dnsConfig"]["nameservers"][0].as<std::string>(), "192.0.2.53");
  EXPECT_EQ(spec["securityContext"]["supplementalGroups"][0].as<int>(), 27);
  ASSERT_EQ(spec["containers"].size(), 1u);
  const YAML::Node c = spec["containers"][0];
  EXPECT_EQ(c["name"].as<std::string>(), "web");
  EXPECT_EQ(c["image"].as<std::string>(), "docker.io/library/busybox:latest");
  EXPECT_EQ(c["command"].as<std::vector<std::string>>(),
            (std::vector<std::string>{"httpd", "-f", "-p", "8080", "-h", "/www"}));
  // "8080" stays a string: the Kubernetes schema wants strings there.
  EXPECT_NE(text.find("- \"8080\""), std::string::npos) << text;
  // box's PATH first: the definition sets none.
  EXPECT_EQ(c["env"][0]["name"].as<std::string>(), "PATH");
  EXPECT_EQ(c["env"][0]["value"].as<std::string>(), kDefaultPath);
  EXPECT_EQ(c["env"][1]["name"].as<std::string>(), "GREETING");
  EXPECT_EQ(c["env"][1]["value"].as<std::string>(), "hello world");
  EXPECT_EQ(c["workingDir"].as<std::string>(), "/www");
  ASSERT_EQ(c["ports"].size(), 2u);
  EXPECT_EQ(c["ports"][0]["containerPort"].as<int>(), 8080);
  EXPECT_EQ(c["ports"][0]["hostPort"].as<int>(), 18080);
  EXPECT_EQ(c["ports"][0]["hostIP"].as<std::string>(), "127.0.0.1");
  EXPECT_EQ(c["ports"][0]["protocol"].as<std::string>(), "TCP");
  EXPECT_EQ(c["ports"][1]["protocol"].as<std::string>(), "UDP");
  EXPECT_EQ(c["resources"]["limits"]["memory"].as<std::string>(), "64Mi");
  EXPECT_EQ(c["resources"]["requests"]["cpu"].as<std::string>(), "2538m");
  const YAML::Node sc = c["securityContext"];
  EXPECT_FALSE(sc["allowPrivilegeEscalation"].as<bool>());
  EXPECT_TRUE(sc["readOnlyRootFilesystem"].as<bool>());
  EXPECT_EQ(sc["runAsUser"].as<int>(), 1000);
  EXPECT_EQ(sc["runAsGroup"].as<int>(), 1000);
  EXPECT_EQ(sc["seccompProfile"]["type"].as<std::string>(), "Unconfined");
  EXPECT_EQ(sc["capabilities"]["drop"].as<std::vector<std::string>>(),
            std::vector<std::string>{"ALL"});
  // box's default set (podman's), less CHOWN, with NET_ADMIN.
  EXPECT_EQ(sc["capabilities"]["add"].as<std::vector<std::string>>(),
            (std::vector<std::string>{"DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
                                      "NET_ADMIN", "NET_BIND_SERVICE", "SETFCAP", "SETGID",
                                      "SETPCAP", "SETUID", "SYS_CHROOT"}));
  ASSERT_EQ(c["volumeMounts"].size(), 4u);
  EXPECT_EQ(c["volumeMounts"][0]["mountPath"].as<std::string>(), "/www");
  EXPECT_TRUE(c["volumeMounts"][0]["readOnly"].as<bool>());
  EXPECT_EQ(c["volumeMounts"][3]["subPath"].as<std::string>(), "web.conf");
  const YAML::Node volumes = spec["volumes"];
  ASSERT_EQ(volumes.size(), 4u);
  EXPECT_EQ(volumes[0]["name"].as<std::string>(), "www");
  EXPECT_EQ(volumes[0]["hostPath"]["path"].as<std::string>(), "/home/u/site");
  EXPECT_EQ(volumes[1]["hostPath"]["path"].as<std::string>(),
            "/home/u/.local/share/box/state/web");
  EXPECT_EQ(volumes[2]["emptyDir"]["medium"].as<std::string>(), "Memory");
  EXPECT_EQ(volumes[2]["emptyDir"]["sizeLimit"].as<std::string>(), "16Mi");
  EXPECT_EQ(volumes[3]["configMap"]["name"].as<std::string>(), "web-files");
  EXPECT_EQ(volumes[3]["configMap"]["items"][0]["mode"].as<int>(), 0640);

  const YAML::Node files = docs[1];
  EXPECT_EQ(files["kind"].as<std::string>(), "ConfigMap");
  EXPECT_EQ(files["metadata"]["name"].as<std::string>(), "web-files");
  EXPECT_EQ(files["data"]["web.conf"].as<std::string>(), "port = 8080\n");

  // What has no field is named, never dropped.
  for (const char* note :
       {"#   box web: umask: 0077: no Kubernetes equivalent",
        "#   box web: resources: pids 64: no Kubernetes equivalent",
        "#   box web: description 'a web server': no Kubernetes field (kept here)"})
    EXPECT_NE(text.find(note), std::string::npos) << note << "\n" << text;
}

TEST(KubeGenerate, DataOfTheBoxAsClaims) {
  const std::string text = generate_one(box("web", kWeb), true);
  auto docs = documents(text);
  ASSERT_EQ(docs.size(), 3u) << text;
  EXPECT_EQ(docs[0]["spec"]["volumes"][1]["persistentVolumeClaim"]["claimName"].as<std::string>(),
            "web-var-lib-web");
  // Not the user's own directory: still a hostPath.
  EXPECT_EQ(docs[0]["spec"]["volumes"][0]["hostPath"]["path"].as<std::string>(), "/home/u/site");
  EXPECT_EQ(docs[2]["kind"].as<std::string>(), "PersistentVolumeClaim");
  EXPECT_EQ(docs[2]["metadata"]["name"].as<std::string>(), "web-var-lib-web");
  EXPECT_EQ(docs[2]["spec"]["accessModes"][0].as<std::string>(), "ReadWriteOnce");
}

TEST(KubeGenerate, TheSmallestBox) {
  const std::string text = generate_one(box("hello", "image: busybox\ncommand: [echo, hi]\n"));
  EXPECT_EQ(text,
            "# Made by 'boxctl generate kube' from box hello.\n"
            "apiVersion: v1\n"
            "kind: Pod\n"
            "metadata:\n"
            "  name: hello\n"
            "spec:\n"
            "  containers:\n"
            "    - name: hello\n"
            "      image: docker.io/library/busybox:latest\n"
            "      command:\n"
            "        - echo\n"
            "        - hi\n"
            "      env:\n"
            "        - name: PATH\n"
            "          value: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
            "      securityContext:\n"
            "        allowPrivilegeEscalation: false\n"
            "        capabilities:\n"
            "          add:\n"
            "            - CHOWN\n"
            "            - DAC_OVERRIDE\n"
            "            - FOWNER\n"
            "            - FSETID\n"
            "            - KILL\n"
            "            - NET_BIND_SERVICE\n"
            "            - SETFCAP\n"
            "            - SETGID\n"
            "            - SETPCAP\n"
            "            - SETUID\n"
            "            - SYS_CHROOT\n"
            "          drop:\n"
            "            - ALL\n"
            "        runAsGroup: 0\n"
            "        runAsUser: 0\n"
            "        seccompProfile:\n"
            "          type: RuntimeDefault\n"
            "  hostNetwork: true\n"
            "  hostname: hello\n"
            "  restartPolicy: Never\n"
            "  terminationGracePeriodSeconds: 10\n");
}

TEST(KubeGenerate, WhatHasNoEquivalentIsNamed) {
  const std::string text = generate_one(box("desk", R"(image: busybox
command: [sh]
init: tiny
keep_groups: true
userns: keep-id
network: none
namespaces: {ipc: host, uts: host, cgroup: host}
rootfs_writes: persistent
overlay_driver: fuse
mounts:
  - {type: dir, target: /data}
  - {type: symlink, target: /x, link: /data}
  - {type: bind, source: /home/u/maybe, target: /maybe, optional: true}
  - {type: tmpfs, target: /run, mode: "0700"}
devices: [kvm]
notify: true
restart: on-abort
stop: {signal: SIGINT, timeout: infinity}
autostart: login
after: [db]
requires: [db]
network_online: true
rlimits: {nofile: 1024}
session: {wayland: true}
session_bus: {talk: [org.freedesktop.Notifications]}
system_bus: {}
app_id: org.example.Desk
)"));
  for (const char* note : {
           "init: tiny: no Kubernetes equivalent",
           "keep_groups: true: no Kubernetes equivalent",
           "userns: keep-id: no Kubernetes equivalent",
           "network: none: no Kubernetes equivalent",
           "namespaces: uts: host: no Kubernetes equivalent",
           "namespaces: cgroup: host: no Kubernetes equivalent",
           "rootfs_writes: persistent: no Kubernetes equivalent",
           "overlay_driver: fuse: no Kubernetes equivalent",
           "mounts: dir /data: no Kubernetes equivalent",
           "mounts: symlink /x -> /data: no Kubernetes equivalent",
           "mounts /maybe: optional",
           "mounts /run: tmpfs mode 0700",
           "devices: /dev/kvm: no Kubernetes equivalent",
           "notify: true: no Kubernetes equivalent",
           "restart: on-abort: written as OnFailure",
           "stop: signal SIGINT: no Kubernetes equivalent",
           "stop: timeout infinity: no Kubernetes equivalent",
           "autostart: login: no Kubernetes equivalent",
           "after: db: no Kubernetes equivalent",
           "requires: db: no Kubernetes equivalent",
           "network_online: true: no Kubernetes equivalent",
           "rlimits: nofile: no Kubernetes equivalent",
           "session: wayland: no Kubernetes equivalent",
           "session_bus: (filtered session bus): no Kubernetes equivalent",
           "system_bus: (filtered system bus): no Kubernetes equivalent",
           "app_id: org.example.Desk: no Kubernetes equivalent",
       })
    EXPECT_NE(text.find("#   box desk: " + std::string(note)), std::string::npos)
        << note << "\n" << text;
  auto docs = documents(text);
  EXPECT_TRUE(docs[0]["spec"]["hostIPC"].as<bool>());
  EXPECT_FALSE(docs[0]["spec"]["hostPID"]);
  EXPECT_TRUE(documents(generate_one(box("p", "image: busybox\ncommand: [sh]\n"
                                              "namespaces: {pid: host}\n")))[0]["spec"]["hostPID"]
                  .as<bool>());
}

TEST(KubeGenerate, NamesBecomeDnsLabels) {
  EXPECT_EQ(kube_name("My_DB"), "my-db");
  EXPECT_EQ(kube_name("web@blue"), "web-blue");
  const std::string text = generate_one(box("My_DB", "image: busybox\ncommand: [sh]\n"));
  EXPECT_NE(text.find("#   box My_DB: named 'my-db' (Kubernetes names are DNS labels)"),
            std::string::npos)
      << text;
  EXPECT_EQ(documents(text)[0]["metadata"]["name"].as<std::string>(), "my-db");
}

TEST(KubeGenerate, SeveralBoxesArePodsOfTheirOwn) {
  const std::string text = generate_kube({box("a", "image: busybox\ncommand: [sh]\n"),
                                          box("b", "image: busybox\ncommand: [sh]\n")},
                                         nullptr, {});
  auto docs = documents(text);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0]["metadata"]["name"].as<std::string>(), "a");
  EXPECT_EQ(docs[1]["metadata"]["name"].as<std::string>(), "b");
}

TEST(KubeGenerate, ABoxPodIsOnePodOfItsMembers) {
  PodDefinition pod;
  pod.name = "web";
  pod.ports = {PortMapping{"127.0.0.1", 18080, 8080, "tcp"}};
  pod.dns = {"192.0.2.53"};
  pod.share_uts = false;
  const std::string text = generate_kube(
      {box("web-httpd", "image: busybox\ncommand: [httpd, -f]\nrestart: always\npod: web\n"),
       box("web-client", "image: busybox\ncommand: [sh]\nrestart: always\npod: web\n")},
      &pod, {});
  auto docs = documents(text);
  ASSERT_EQ(docs.size(), 1u) << text;
  const YAML::Node spec = docs[0]["spec"];
  EXPECT_EQ(docs[0]["metadata"]["name"].as<std::string>(), "web");
  ASSERT_EQ(spec["containers"].size(), 2u);
  EXPECT_EQ(spec["containers"][0]["name"].as<std::string>(), "web-httpd");
  EXPECT_EQ(spec["containers"][0]["ports"][0]["hostPort"].as<int>(), 18080);
  EXPECT_FALSE(spec["containers"][1]["ports"]);
  EXPECT_EQ(spec["hostname"].as<std::string>(), "web");
  EXPECT_EQ(spec["restartPolicy"].as<std::string>(), "Always");
  EXPECT_FALSE(spec["hostNetwork"]);
  EXPECT_NE(text.find("#   pod web: share: without uts: no Kubernetes equivalent"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace box::kube
