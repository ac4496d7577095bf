// What `boxctl play kube` writes, in a scratch home: the definitions, the
// Pod's files and record, and --down taking exactly that away again.
#include "install/kube_play.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/unit/install/scratch_home.h"
#include "tests/unit/temp_dir.h"

namespace box::install {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 07777;
}

class KubePlayFiles : public ::testing::Test {
 protected:
  KubePlayFiles() : ctx_(testing::scratch_home(dir_.path())) {}

  kube::PlayPlan plan(const std::string& yaml) {
    kube::PlayContext pc;
    pc.file = "web.yaml";
    pc.data_home = ctx_.dirs.data_home;
    pc.kube_dir = kube_dir(ctx_);
    kube::ImageFacts busybox;
    busybox.name = "busybox";
    busybox.config_known = true;
    busybox.cmd = {"sh"};
    pc.images = {busybox};
    auto p = kube::plan_play(yaml, pc);
    if (!p) ADD_FAILURE() << p.error().message();
    return p ? *p : kube::PlayPlan{};
  }

  std::string definition(const std::string& name) {
    return ctx_.dirs.config_home + "/box/containers/" + name + ".yaml";
  }

  box::testing::TempDir dir_;
  InstallContext ctx_;
};

constexpr const char* kPod = R"(apiVersion: v1
kind: Secret
metadata: {name: token}
stringData: {token: s3cr3t}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: httpd
    image: busybox
    env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: token, key: token}}}]
    volumeMounts:
    - {name: token, mountPath: /run/token}
    - {name: cache, mountPath: /cache}
  volumes:
  - {name: token, secret: {secretName: token}}
  - {name: cache, emptyDir: {}}
)";

TEST_F(KubePlayFiles, WritesThePodAndDownRemovesIt) {
  auto written = write_play(ctx_, plan(kPod), "/src/web.yaml", false);
  ASSERT_TRUE(written) << written.error().message();
  ASSERT_EQ(written->size(), 1u);
  const PlayRecord& r = (*written)[0];
  EXPECT_EQ(r.name, "web");
  EXPECT_EQ(r.boxes, std::vector<std::string>{"web"});
  EXPECT_EQ(r.definitions, std::vector<std::string>{definition("web")});

  const std::string text = slurp(definition("web"));
  EXPECT_EQ(text.rfind("# Made by 'boxctl play kube' from /src/web.yaml (Pod web);\n", 0), 0u)
      << text;
  EXPECT_NE(text.find("TOKEN: \"s3cr3t\""), std::string::npos) << text;
  // A Secret's value: only for the user.
  EXPECT_EQ(mode_of(definition("web")), 0600u);
  const std::string pod_dir = kube_dir(ctx_) + "/web";
  EXPECT_EQ(mode_of(kube_dir(ctx_)), 0700u);
  EXPECT_EQ(slurp(pod_dir + "/volumes/token/token"), "s3cr3t");
  EXPECT_EQ(mode_of(pod_dir + "/volumes/token/token"), 0644u);
  EXPECT_EQ(mode_of(pod_dir + "/volumes/cache"), 0777u);

  auto record = read_play_record(ctx_, "web");
  ASSERT_TRUE(record) << record.error().message();
  EXPECT_EQ(record->source, "/src/web.yaml");

  // Played already: refused, unless replaced; from another file: refused.
  auto again = write_play(ctx_, plan(kPod), "/src/web.yaml", false);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message(),
            "Pod 'web' is played already: 'boxctl play kube --replace /src/web.yaml' plays it "
            "again, '--down' removes it");
  auto other = write_play(ctx_, plan(kPod), "/src/other.yaml", true);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().message(),
            "Pod 'web' was played from '/src/web.yaml': 'boxctl play kube --down /src/web.yaml' "
            "removes it first");
  auto replaced = write_play(ctx_, plan(kPod), "/src/web.yaml", true);
  ASSERT_TRUE(replaced) << replaced.error().message();

  auto notes = remove_play(ctx_, *record);
  ASSERT_TRUE(notes) << notes.error().message();
  EXPECT_TRUE(notes->empty());
  EXPECT_FALSE(fs::exists(definition("web")));
  EXPECT_FALSE(fs::exists(pod_dir));
}

TEST_F(KubePlayFiles, APodOfTwoContainersIsAPodFileAndItsMembers) {
  auto written = write_play(ctx_, plan(R"(apiVersion: v1
kind: Pod
metadata: {name: shop}
spec:
  containers:
  - {name: web, image: busybox, ports: [{containerPort: 80, hostPort: 18080}]}
  - {name: check, image: busybox}
)"),
                            "/src/shop.yaml", false);
  ASSERT_TRUE(written) << written.error().message();
  const PlayRecord& r = (*written)[0];
  EXPECT_EQ(r.boxes, (std::vector<std::string>{"shop-web", "shop-check"}));
  const std::string pod_file = ctx_.dirs.config_home + "/box/pods/shop.yaml";
  EXPECT_EQ(r.pod_file, pod_file);
  EXPECT_EQ(slurp(pod_file), "# Made by 'boxctl play kube' from /src/shop.yaml.\n"
                             "description: \"Pod shop (boxctl play kube)\"\n"
                             "ports: [\"18080:80/tcp\"]\n"
                             "hostname: \"shop\"\n");
  EXPECT_NE(slurp(definition("shop-web")).find("pod: \"shop\""), std::string::npos);
  auto notes = remove_play(ctx_, r);
  ASSERT_TRUE(notes) << notes.error().message();
  EXPECT_FALSE(fs::exists(pod_file));
  EXPECT_FALSE(fs::exists(definition("shop-web")));
  EXPECT_FALSE(fs::exists(definition("shop-check")));
}

TEST_F(KubePlayFiles, NeverReplacesABoxOfTheUsers) {
  fs::create_directories(ctx_.dirs.config_home + "/box/containers");
  std::ofstream(definition("web")) << "image: busybox\ncommand: [sh]\n";
  auto written = write_play(ctx_, plan(kPod), "/src/web.yaml", true);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().message(), "a box named 'web' exists already (" + definition("web") +
                                           "): Pod 'web' would replace it");
  EXPECT_EQ(slurp(definition("web")), "image: busybox\ncommand: [sh]\n");
  EXPECT_FALSE(fs::exists(kube_dir(ctx_) + "/web"));
}

TEST_F(KubePlayFiles, DownLeavesWhatTheUserWroteSince) {
  auto written = write_play(ctx_, plan(kPod), "/src/web.yaml", false);
  ASSERT_TRUE(written) << written.error().message();
  std::ofstream(definition("web")) << "image: busybox\ncommand: [sh]\n";
  auto notes = remove_play(ctx_, (*written)[0]);
  ASSERT_TRUE(notes) << notes.error().message();
  EXPECT_EQ(*notes, std::vector<std::string>{"left '" + definition("web") +
                                             "': not written by boxctl play kube"});
  EXPECT_TRUE(fs::exists(definition("web")));
}

TEST_F(KubePlayFiles, HostPathsAreWhatTheirTypeSays) {
  const std::string data = ctx_.dirs.data_home;
  const std::string yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                           "  containers: [{name: c, image: busybox,"
                           " volumeMounts: [{name: d, mountPath: /d}]}]\n"
                           "  volumes: [{name: d, hostPath: {path: " +
                           data + "/web-data, type: ";
  auto missing = write_play(ctx_, plan(yaml + "Directory}}]\n"), "/src/web.yaml", false);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(),
            "web.yaml:6:40: spec.volumes[0].hostPath.path: '" + data +
                "/web-data' does not exist (type Directory)");
  EXPECT_FALSE(fs::exists(definition("web")));
  auto made = write_play(ctx_, plan(yaml + "DirectoryOrCreate}}]\n"), "/src/web.yaml", false);
  ASSERT_TRUE(made) << made.error().message();
  EXPECT_TRUE(fs::is_directory(data + "/web-data"));
  ASSERT_TRUE(remove_play(ctx_, (*made)[0]));
  // Kept: it is the user's data, not the Pod's.
  EXPECT_TRUE(fs::is_directory(data + "/web-data"));

  // A symlink out of the data directory.
  fs::remove(data + "/web-data");
  fs::create_directory_symlink("/etc", data + "/web-data");
  auto out = write_play(ctx_, plan(yaml + "Directory}}]\n"), "/src/web.yaml", false);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message(), "web.yaml:6:40: spec.volumes[0].hostPath.path: '" + data +
                                       "/web-data' leads to '/etc', outside your data directory");

  // Below the data directory, but where programs find code: refused as an
  // image's bind would be.
  const std::string apps = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                           "  containers: [{name: c, image: busybox,"
                           " volumeMounts: [{name: d, mountPath: /d}]}]\n"
                           "  volumes: [{name: d, hostPath: {path: " +
                           data + "/applications}}]\n";
  auto code = write_play(ctx_, plan(apps), "/src/web.yaml", false);
  ASSERT_FALSE(code);
  EXPECT_NE(code.error().message().find("/applications' is where programs find code or settings"),
            std::string::npos)
      << code.error().message();
  EXPECT_FALSE(fs::exists(data + "/applications"));
}

}  // namespace
}  // namespace box::install
