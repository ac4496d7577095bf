#include "core/kube/play.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/kube/generate.h"
#include "tests/unit/core/kube/kube_samples.h"

namespace box::kube {
namespace {

ImageFacts busybox() {
  ImageFacts f;
  f.name = "busybox";
  f.reference = "docker.io/library/busybox:latest";
  f.source = "docker://docker.io/library/busybox:latest";
  f.config_known = true;
  f.cmd = {"sh"};
  f.env = {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}};
  return f;
}

PlayContext context() {
  PlayContext c;
  c.file = "pod.yaml";
  c.data_home = "/home/u/.local/share";
  c.kube_dir = "/home/u/.local/share/box/kube";
  c.images = {busybox()};
  return c;
}

PlayPlan plan_ok(const std::string& yaml, const PlayContext& c = context()) {
  auto p = plan_play(yaml, c);
  if (!p) ADD_FAILURE() << p.error().message();
  return p ? *p : PlayPlan{};
}

std::string plan_error(const std::string& yaml, const PlayContext& c = context()) {
  auto p = plan_play(yaml, c);
  return p ? "(planned)" : p.error().message();
}

std::string read(const std::string& rel) {
  std::ifstream in(std::string(BOX_SOURCE_DIR) + "/tests/unit/core/kube/" + rel);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr const char* kWeb = R"yaml(apiVersion: v1
kind: ConfigMap
metadata:
  name: site
data:
  index.html: "<h1>hello</h1>\n"
  greeting: hello
---
apiVersion: v1
kind: Secret
metadata:
  name: token
data:
  token: czNjcjN0
stringData:
  user: admin
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  restartPolicy: OnFailure
  terminationGracePeriodSeconds: 5
  containers:
  - name: httpd
    image: busybox
    command: [httpd]
    args: [-f, -p, "$(PORT)", -h, /www]
    workingDir: /www
    env:
    - name: PORT
      value: "8080"
    - name: GREETING
      valueFrom:
        configMapKeyRef: {name: site, key: greeting}
    - name: TOKEN
      valueFrom:
        secretKeyRef: {name: token, key: token}
    envFrom:
    - secretRef: {name: token}
      prefix: S_
    ports:
    - containerPort: 8080
      hostPort: 18080
      hostIP: 127.0.0.1
    - containerPort: 9090
    resources:
      limits: {memory: 64Mi}
      requests: {cpu: "1", memory: 32Mi}
    securityContext:
      runAsUser: 1000
      runAsGroup: 1000
      readOnlyRootFilesystem: true
      capabilities: {add: [NET_ADMIN], drop: [ALL]}
      seccompProfile: {type: Unconfined}
    volumeMounts:
    - {name: site, mountPath: /www}
    - {name: token, mountPath: /run/token, readOnly: true}
    - {name: cache, mountPath: /cache}
    - {name: scratch, mountPath: /scratch}
    - {name: data, mountPath: /data}
    - {name: claim, mountPath: /claim}
    - {name: site, mountPath: /etc/greeting, subPath: greeting}
  volumes:
  - name: site
    configMap:
      name: site
      items: [{key: index.html, path: index.html}, {key: greeting, path: greeting, mode: 0600}]
  - name: token
    secret: {secretName: token, defaultMode: 0400}
  - name: cache
    emptyDir: {}
  - name: scratch
    emptyDir: {medium: Memory, sizeLimit: 8Mi}
  - name: data
    hostPath: {path: /home/u/.local/share/web-data, type: DirectoryOrCreate}
  - name: claim
    persistentVolumeClaim: {claimName: web-data}
)yaml";

TEST(KubePlay, APodWithItsConfigMapsSecretsAndVolumes) {
  auto plan = plan_ok(kWeb);
  ASSERT_EQ(plan.pods.size(), 1u);
  const PlayPod& pod = plan.pods[0];
  EXPECT_EQ(pod.name, "web");
  EXPECT_EQ(pod.kind, "Pod");
  EXPECT_TRUE(pod.pod_file.empty());
  ASSERT_EQ(pod.boxes.size(), 1u);
  const PlayBox& box = pod.boxes[0];
  EXPECT_EQ(box.name, "web");
  EXPECT_TRUE(box.secret);
  const auto& d = box.draft;
  EXPECT_EQ(d.image, "busybox");
  EXPECT_EQ(d.command, (std::vector<std::string>{"httpd", "-f", "-p", "8080", "-h", "/www"}));
  EXPECT_EQ(d.workdir, "/www");
  EXPECT_EQ(d.env, (std::vector<std::pair<std::string, std::string>>{
                       {"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"},
                       {"S_token", "s3cr3t"},
                       {"S_user", "admin"},
                       {"PORT", "8080"},
                       {"GREETING", "hello"},
                       {"TOKEN", "s3cr3t"}}));
  EXPECT_EQ(d.ports, std::vector<std::string>{"127.0.0.1:18080:8080/tcp"});
  EXPECT_EQ(d.network, NetworkMode::kPrivate);
  EXPECT_EQ(d.hostname, "web");
  EXPECT_EQ(d.resources.at("memory"), "67108864");
  EXPECT_EQ(d.resources.at("cpu_weight"), "39");
  EXPECT_EQ(d.user, "1000:1000");
  EXPECT_EQ(d.rootfs_writes, RootfsWrites::kReadonly);
  EXPECT_EQ(d.cap_add, std::vector<std::string>{"CAP_NET_ADMIN"});
  EXPECT_EQ(d.cap_drop, std::vector<std::string>{"ALL"});
  EXPECT_EQ(d.seccomp, SeccompMode::kUnconfined);
  EXPECT_EQ(d.restart, RestartPolicy::kOnFailure);
  EXPECT_EQ(d.stop_timeout, "5s");
  const std::string dir = "/home/u/.local/share/box/kube/web";
  ASSERT_EQ(d.mounts.size(), 7u);
  auto bind = [](const std::string& source, const std::string& target, bool readonly) {
    return image::DraftMount{MountType::kBind, source, target, readonly, "", ""};
  };
  EXPECT_EQ(d.mounts[0], bind(dir + "/volumes/site", "/www", true));
  EXPECT_EQ(d.mounts[1], bind(dir + "/volumes/token", "/run/token", true));
  EXPECT_EQ(d.mounts[2], bind(dir + "/volumes/cache", "/cache", false));
  EXPECT_EQ(d.mounts[3], (image::DraftMount{MountType::kTmpfs, "", "/scratch", false, "8388608", ""}));
  EXPECT_EQ(d.mounts[4], bind("/home/u/.local/share/web-data", "/data", false));
  EXPECT_EQ(d.mounts[5], bind("/home/u/.local/share/box/kube/claims/web-data", "/claim", false));
  EXPECT_EQ(d.mounts[6], bind(dir + "/volumes/site/greeting", "/etc/greeting", true));

  ASSERT_EQ(pod.files.size(), 4u);
  EXPECT_EQ(pod.files[0].path, "volumes/site/index.html");
  EXPECT_EQ(pod.files[0].content, "<h1>hello</h1>\n");
  EXPECT_EQ(pod.files[0].mode, 0644u);
  EXPECT_EQ(pod.files[1].path, "volumes/site/greeting");
  EXPECT_EQ(pod.files[1].mode, 0600u);
  EXPECT_EQ(pod.files[2].path, "volumes/token/token");
  EXPECT_EQ(pod.files[2].content, "s3cr3t");
  EXPECT_EQ(pod.files[2].mode, 0400u);
  EXPECT_EQ(pod.files[3].path, "volumes/token/user");
  EXPECT_EQ(pod.dirs, std::vector<std::string>{"volumes/cache"});
  EXPECT_EQ(pod.claims, std::vector<std::string>{"web-data"});
  ASSERT_EQ(pod.host_paths.size(), 1u);
  EXPECT_EQ(pod.host_paths[0].type, "DirectoryOrCreate");
  EXPECT_EQ(pod.host_paths[0].place, "pod.yaml:78:22: spec.volumes[4].hostPath.path");
}

// A Pod of one container, to which a test adds the container's fields.
constexpr const char* kOne = R"(apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: c
    image: busybox
)";

TEST(KubePlay, AnUnsupportedFieldIsAnErrorAtItsPlace) {
  EXPECT_EQ(plan_error(std::string(kOne) + "    lifecycle:\n      preStop: {exec: {command: [true]}}\n"),
            "pod.yaml:8:5: spec.containers[0].lifecycle: not supported by box");
}

// Each variable naming the one before twice doubles it: 40 of them would
// be a terabyte (the kube_play fuzz target ran out of memory on this).
TEST(KubePlay, ReferencesThatDoubleAValueStopAtALimit) {
  std::string yaml = std::string(kOne) + "    env:\n    - {name: V0, value: x}\n";
  for (int i = 1; i <= 40; ++i)
    yaml += "    - {name: V" + std::to_string(i) + ", value: \"$(V" + std::to_string(i - 1) +
            ")$(V" + std::to_string(i - 1) + ")\"}\n";
  const std::string error = plan_error(yaml);
  EXPECT_NE(error.find("expands to more than 131072 bytes through $(VAR) references"),
            std::string::npos)
      << error;
  EXPECT_EQ(error.rfind("pod.yaml:", 0), 0u) << error;
  // Below the limit the same references expand.
  auto plan = plan_ok(std::string(kOne) +
                      "    env:\n    - {name: A, value: ab}\n    - {name: B, value: \"$(A)$(A)\"}\n");
  ASSERT_EQ(plan.pods.size(), 1u);
}

TEST(KubePlay, PreciseErrors) {
  const std::string head = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n";
  const std::string one = kOne;
  struct Case {
    std::string yaml, error;
  };
  const Case cases[] = {
      {"apiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
       "pod.yaml:2:7: kind: 'Service' is not supported by box (Pod, Deployment, ConfigMap, "
       "Secret, PersistentVolumeClaim)"},
      {"apiVersion: v2\nkind: Pod\nmetadata: {name: s}\n",
       "pod.yaml:1:13: apiVersion: 'v2': box reads Pod of v1"},
      {"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 3\n",
       "pod.yaml:5:13: spec.replicas: 3: box runs one copy of a Pod (replicas: 1)"},
      {one + "    image2: x\n", "pod.yaml:8:5: spec.containers[0].image2: not supported by box"},
      {one + "    readinessProbe: {tcpSocket: {port: 80}}\n",
       "pod.yaml:8:21: spec.containers[0].readinessProbe: not supported by box (a box is ready "
       "once its command runs); --ignore-probes plays the Pod without its probes"},
      {head + "  containers:\n  - name: c\n    image: nginx\n",
       "pod.yaml:7:12: spec.containers[0].image: image 'nginx' is not installed in box: install "
       "it ('boxctl install docker://nginx'), or give it with --image nginx=oci-archive:FILE (or "
       "=NAME of an installed image)"},
      {one + "    resources: {limits: {cpu: 500m}}\n",
       "pod.yaml:8:31: spec.containers[0].resources.limits.cpu: not supported by box (it has no "
       "CPU quota, only a weight: resources.requests.cpu)"},
      {one + "    env: [{name: A, valueFrom: {configMapKeyRef: {name: cm, key: a}}}]\n",
       "pod.yaml:8:57: spec.containers[0].env[0].valueFrom.configMapKeyRef.name: no ConfigMap "
       "'cm' in pod.yaml (box reads them from the same file)"},
      {head + "  volumes: [{name: v, hostPath: {path: /etc}}]\n" +
           "  containers:\n  - name: c\n    image: busybox\n",
       "pod.yaml:5:40: spec.volumes[0].hostPath.path: '/etc' is outside your data directory "
       "(/home/u/.local/share): a Pod may only use host paths below it; copy or move the data "
       "there, or bind it in the box's definition yourself"},
      {head + "  volumes: [{name: v, nfs: {server: x, path: /}}]\n" +
           "  containers:\n  - name: c\n    image: busybox\n",
       "pod.yaml:5:23: spec.volumes[0].nfs: not supported by box"},
      {one + "    securityContext: {privileged: true}\n",
       "pod.yaml:8:35: spec.containers[0].securityContext.privileged: true is not supported by "
       "box (a box has only what you have)"},
      {one + "    ports: [{containerPort: 80, hostPort: 80}]\n",
       "pod.yaml:8:13: spec.containers[0].ports[0]: host port 80 is privileged (below 1024) and "
       "cannot be bound without root; publish on a port of 1024 or more (the container port may "
       "stay below 1024)"},
      {head + "  containers:\n  - name: a\n    image: busybox\n"
              "    ports: [{containerPort: 80, hostPort: 8080}]\n"
              "  - name: b\n    image: busybox\n"
              "    ports: [{containerPort: 81, hostPort: 8080}]\n",
       "pod.yaml:11:43: spec.containers[1].ports[0].hostPort: 8080/TCP is published twice in "
       "the Pod"},
      {one + "    volumeMounts: [{name: nope, mountPath: /x}]\n",
       "pod.yaml:8:27: spec.containers[0].volumeMounts[0].name: no volume 'nope' in the Pod's "
       "volumes"},
      {"apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [\n",
       "pod.yaml:6:1: end of sequence flow not found"},
      {head + "  hostPID: true\n  containers:\n  - name: c\n    image: busybox\n",
       "pod.yaml:5:12: spec.hostPID: true shares your pid namespace with the Pod, which an image "
       "may not do without your consent either: --allow-host-namespace pid allows it"},
      {"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: \"not base64!\"}\n",
       "pod.yaml:4:11: data.a: not base64 (a Secret's data is; stringData takes text)"},
  };
  for (const auto& c : cases) EXPECT_EQ(plan_error(c.yaml), c.error) << c.yaml;
}

TEST(KubePlay, BinaryDataAndEnvFromAConfigMap) {
  auto plan = plan_ok(R"(apiVersion: v1
kind: ConfigMap
metadata: {name: blobs}
data: {MODE: fast}
binaryData: {logo.png: iVBORw0K}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: c
    image: busybox
    envFrom: [{configMapRef: {name: blobs}}]
    volumeMounts: [{name: b, mountPath: /b}]
  volumes: [{name: b, configMap: {name: blobs, items: [{key: logo.png, path: img/logo.png}]}}]
)");
  ASSERT_EQ(plan.pods.size(), 1u);
  const auto& pod = plan.pods[0];
  ASSERT_EQ(pod.files.size(), 1u);
  EXPECT_EQ(pod.files[0].path, "volumes/b/img/logo.png");
  EXPECT_EQ(pod.files[0].content, "\x89PNG\r\n");
  EXPECT_FALSE(pod.boxes[0].secret);
  EXPECT_EQ(pod.boxes[0].draft.env.back(), (std::pair<std::string, std::string>{"MODE", "fast"}));
}

TEST(KubePlay, HostNamespacesWithConsent) {
  auto ctx = context();
  ctx.allow_host_namespaces = {"pid", "ipc"};
  auto plan = plan_ok("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                      "  hostPID: true\n  hostIPC: true\n"
                      "  containers: [{name: c, image: busybox}]\n",
                      ctx);
  ASSERT_EQ(plan.pods.size(), 1u);
  EXPECT_EQ(plan.pods[0].boxes[0].draft.namespaces,
            (std::map<std::string, std::string>{{"ipc", "host"}, {"pid", "host"}}));
}

TEST(KubePlay, ProbesCanBeLeftOutWhenAsked) {
  auto ctx = context();
  ctx.ignore_probes = true;
  auto plan = plan_ok(std::string(kOne) + "    livenessProbe: {exec: {command: [true]}}\n", ctx);
  ASSERT_EQ(plan.pods.size(), 1u);
  EXPECT_EQ(plan.pods[0].notes,
            std::vector<std::string>{
                "pod.yaml:8:20: spec.containers[0].livenessProbe left out (--ignore-probes)"});
  // No command: the image's Entrypoint and Cmd.
  EXPECT_EQ(plan.pods[0].boxes[0].draft.command, std::vector<std::string>{"sh"});
}

TEST(KubePlay, ADeploymentOfOneReplica) {
  auto plan = plan_ok(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: docker.io/library/busybox
        args: [echo, hi]
)");
  ASSERT_EQ(plan.pods.size(), 1u);
  EXPECT_EQ(plan.pods[0].name, "api");
  EXPECT_EQ(plan.pods[0].kind, "Deployment");
  EXPECT_EQ(plan.pods[0].boxes[0].draft.restart, RestartPolicy::kAlways);
  EXPECT_EQ(plan.pods[0].boxes[0].draft.command, (std::vector<std::string>{"echo", "hi"}));
}

TEST(KubePlay, ImagesByReferenceByNameAndByOption) {
  auto ctx = context();
  ImageFacts local = busybox();
  local.name = "mybb";
  local.reference = "localhost/bb:test";
  ctx.images.push_back(local);
  const std::string pod =
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n"
      "    image: ";
  EXPECT_EQ(plan_ok(pod + "localhost/bb:test\n", ctx).pods[0].boxes[0].draft.image, "mybb");
  // By name: said in a note.
  auto by_name = plan_ok(pod + "quay.io/someone/busybox:1.36\n", ctx);
  EXPECT_EQ(by_name.pods[0].boxes[0].draft.image, "busybox");
  ASSERT_EQ(by_name.pods[0].notes.size(), 1u);
  EXPECT_NE(by_name.pods[0].notes[0].find("by its name"), std::string::npos);
  ctx.image_names["quay.io/x/y:1"] = "mybb";
  EXPECT_EQ(plan_ok(pod + "quay.io/x/y:1\n", ctx).pods[0].boxes[0].draft.image, "mybb");
}

TEST(KubePlay, TheNamesOfWhatAFilePlays) {
  auto names = played_names(kWeb, "pod.yaml");
  ASSERT_TRUE(names) << names.error().message();
  EXPECT_EQ(*names, std::vector<std::string>{"web"});
}

// What podman 4.3.1 wrote (tests/unit/core/kube/podman/): precise errors
// for what box cannot play of it.
TEST(KubePlay, PodmansYaml) {
  auto ctx = context();
  ctx.file = "container.yaml";
  EXPECT_EQ(plan_error(read("podman/container.yaml"), ctx),
            "container.yaml:65:13: spec.volumes[0].hostPath.path: 'tmpfs' must be an absolute "
            "path without '.' or '..'");
  ctx.file = "container-with-service.yaml";
  EXPECT_EQ(plan_error(read("podman/container-with-service.yaml"), ctx),
            "container-with-service.yaml:11:7: kind: 'Service' is not supported by box (Pod, "
            "Deployment, ConfigMap, Secret, PersistentVolumeClaim)");
}

// podman's pod of two containers: a box pod, its members POD-CONTAINER.
TEST(KubePlay, PodmansPodOfTwoContainersIsABoxPod) {
  auto ctx = context();
  ctx.file = "pod-two-containers.yaml";
  ctx.data_home = "/tmp";  // where podman's bind came from
  ImageFacts bb = busybox();
  bb.name = "bb";
  bb.reference = "localhost/bb:test";
  ctx.images.push_back(bb);
  auto plan = plan_ok(read("podman/pod-two-containers.yaml"), ctx);
  ASSERT_EQ(plan.pods.size(), 1u);
  const PlayPod& pod = plan.pods[0];
  EXPECT_EQ(pod.name, "web");
  EXPECT_EQ(pod.pod_file,
            "description: \"Pod web (boxctl play kube)\"\n"
            "ports: [\"127.0.0.1:18080:8080/tcp\"]\n"
            "hostname: \"web\"\n");
  ASSERT_EQ(pod.boxes.size(), 2u);
  EXPECT_EQ(pod.boxes[0].name, "web-httpd");
  EXPECT_EQ(pod.boxes[1].name, "web-client");
  for (const auto& b : pod.boxes) {
    EXPECT_EQ(b.draft.pod, "web");
    EXPECT_EQ(b.draft.image, "bb");
    EXPECT_FALSE(b.draft.network);
    EXPECT_TRUE(b.draft.ports.empty());
    EXPECT_TRUE(b.draft.hostname.empty());
    EXPECT_EQ(b.draft.restart, RestartPolicy::kNo);
    EXPECT_EQ(b.draft.cap_drop,
              (std::vector<std::string>{"CAP_MKNOD", "CAP_NET_RAW", "CAP_AUDIT_WRITE"}));
  }
  EXPECT_EQ(pod.boxes[0].draft.command,
            (std::vector<std::string>{"httpd", "-f", "-p", "8080", "-h", "/www"}));
  const std::vector<image::DraftMount> data = {
      {MountType::kBind, "/tmp/kpod/data", "/data", true, "", ""}};
  EXPECT_EQ(pod.boxes[0].draft.mounts, data);
  EXPECT_EQ(pod.boxes[1].draft.resources.at("memory"), std::to_string(64 << 20));
}

// What box generates plays back as the same box.
TEST(KubePlay, GeneratedYamlPlaysBack) {
  auto original = testing::box("web", testing::kWeb);
  original.definition.mounts.erase(original.definition.mounts.begin(),
                                   original.definition.mounts.begin() + 2);  // host paths
  const std::string yaml = generate_kube({original}, nullptr, {});
  auto plan = plan_ok(yaml);
  ASSERT_EQ(plan.pods.size(), 1u) << yaml;
  const auto& d = plan.pods[0].boxes[0].draft;
  const Definition& def = original.definition;
  EXPECT_EQ(d.image, "busybox");
  EXPECT_EQ(d.command, def.command);
  EXPECT_EQ(d.user, "1000:1000");
  EXPECT_EQ(d.groups, std::vector<std::string>{"27"});
  EXPECT_EQ(d.workdir, def.workdir);
  EXPECT_EQ(d.ports, (std::vector<std::string>{"127.0.0.1:18080:8080/tcp", "18081:8081/udp"}));
  EXPECT_EQ(d.rootfs_writes, RootfsWrites::kReadonly);
  EXPECT_EQ(d.seccomp, SeccompMode::kUnconfined);
  EXPECT_EQ(d.restart, RestartPolicy::kOnFailure);
  EXPECT_EQ(d.stop_timeout, "30s");
  EXPECT_EQ(d.resources.at("memory"), std::to_string(64 << 20));
  EXPECT_EQ(d.resources.at("cpu_weight"), "100");
  EXPECT_EQ(d.cap_drop, std::vector<std::string>{"ALL"});
  EXPECT_EQ(d.hostname, "web");
  // The image's PATH, then the box's own.
  EXPECT_EQ(d.env[1], (std::pair<std::string, std::string>{"GREETING", "hello world"}));
  ASSERT_EQ(d.mounts.size(), 2u);
  EXPECT_EQ(d.mounts[0].type, MountType::kTmpfs);
  EXPECT_EQ(d.mounts[0].size, std::to_string(16 << 20));
  EXPECT_EQ(d.mounts[1].target, "/etc/web.conf");
  ASSERT_EQ(plan.pods[0].files.size(), 1u);
  EXPECT_EQ(plan.pods[0].files[0].content, "port = 8080\n");
  EXPECT_EQ(plan.pods[0].files[0].mode, 0640u);
}

}  // namespace
}  // namespace box::kube
