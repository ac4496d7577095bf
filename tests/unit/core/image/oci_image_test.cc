#include "core/image/oci_image.h"

#include <gtest/gtest.h>

#include "core/image/sha256.h"

namespace box::image {
namespace {

const std::string kA = sha256_digest_of("a"), kB = sha256_digest_of("b");

std::string index_json(const std::string& entries) {
  return R"({"schemaVersion":2,"manifests":[)" + entries + "]}";
}
std::string entry(const std::string& digest, const std::string& tag, const std::string& arch = "") {
  std::string s = R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
                  digest + R"(","size":10)";
  if (!tag.empty()) s += R"(,"annotations":{"org.opencontainers.image.ref.name":")" + tag + R"("})";
  if (!arch.empty()) s += R"(,"platform":{"os":"linux","architecture":")" + arch + R"("})";
  return s + "}";
}

TEST(OciImage, SelectsByTagOrTheOnlyOne) {
  auto idx = parse_index(index_json(entry(kA, "v1") + "," + entry(kB, "v2")), "index.json");
  ASSERT_TRUE(idx.ok()) << idx.error().message();
  EXPECT_EQ(select_manifest(*idx, "v2", "x")->digest, kB);
  auto none = select_manifest(*idx, "v3", "layout 'x'");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message(), "layout 'x': no image tagged 'v3' (tags: v1, v2)");
  auto ambiguous = select_manifest(*idx, "", "layout 'x'");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_NE(ambiguous.error().message().find("name one with ':TAG'"), std::string::npos);

  auto one = parse_index(index_json(entry(kA, "")), "index.json");
  EXPECT_EQ(select_manifest(*one, "", "x")->digest, kA);
}

TEST(OciImage, PicksThisArchitectureFromAMultiPlatformIndex) {
  auto idx = parse_index(
      index_json(entry(kA, "", "s390x") + "," + entry(kB, "", host_architecture())), "i");
  ASSERT_TRUE(idx.ok());
  EXPECT_EQ(select_manifest(*idx, "", "x")->digest, kB);
}

TEST(OciImage, RejectsBadDigestsAndTypes) {
  auto bad = parse_index(index_json(R"({"digest":"sha256:../../etc/passwd"})"), "index.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("malformed digest"), std::string::npos);
  auto md5 = parse_index(index_json(R"({"digest":"md5:abc"})"), "index.json");
  EXPECT_FALSE(md5.ok());
  auto m =
      parse_manifest(R"({"config":{"digest":")" + kA +
                         R"("},"layers":[{"mediaType":"text/plain","digest":")" + kB + R"("}]})",
                     "manifest");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message().find("unsupported layer media type 'text/plain'"),
            std::string::npos);
  EXPECT_FALSE(parse_manifest("{not json", "manifest").ok());
}

TEST(OciImage, ParsesTheImageConfig) {
  auto c = parse_image_config(R"({"os":"linux","architecture":"amd64","config":{
      "Entrypoint":["/usr/bin/etcd"],"Cmd":["--help"],"Env":["A=1","PATH=/bin"],
      "WorkingDir":"/var/lib","User":"etcd:etcd","ExposedPorts":{"2379/tcp":{}},
      "Labels":{"org.opencontainers.image.description":"etcd"},"StopSignal":"SIGINT"},
      "rootfs":{"type":"layers","diff_ids":[")" +
                                  kA + R"("]}})",
                              "config");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->entrypoint, std::vector<std::string>{"/usr/bin/etcd"});
  EXPECT_EQ(c->cmd, std::vector<std::string>{"--help"});
  EXPECT_EQ(c->env.size(), 2u);
  EXPECT_EQ(c->working_dir, "/var/lib");
  EXPECT_EQ(c->user, "etcd:etcd");
  EXPECT_EQ(c->exposed_ports, std::vector<std::string>{"2379/tcp"});
  EXPECT_EQ(c->labels.at("org.opencontainers.image.description"), "etcd");
  EXPECT_EQ(c->stop_signal, "SIGINT");
  EXPECT_EQ(c->diff_ids, std::vector<std::string>{kA});

  auto wrong = parse_image_config(R"({"config":{"Cmd":"not a list"}})", "config");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message().find("'Cmd': expected a list of strings"), std::string::npos);
}

TEST(OciImage, DockerArchiveManifest) {
  auto m = parse_docker_archive_manifest(
      R"([{"Config":"c.json","RepoTags":["app:1"],"Layers":["l1/layer.tar","l2/layer.tar"]}])", "",
      "m");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->config_path, "c.json");
  EXPECT_EQ(m->layer_paths.size(), 2u);
  EXPECT_FALSE(parse_docker_archive_manifest(R"([{"Config":"c","Layers":[]}])", "app:2", "m").ok());
  EXPECT_FALSE(parse_docker_archive_manifest("[]", "", "m").ok());
}

TEST(Sha256, KnownVectorsAndValidation) {
  EXPECT_EQ(sha256_digest_of(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_digest_of("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(is_valid_sha256_digest(sha256_digest_of("x")));
  EXPECT_FALSE(is_valid_sha256_digest("sha256:ABC"));
  EXPECT_FALSE(is_valid_sha256_digest("sha512:" + std::string(64, 'a')));
}

}  // namespace
}  // namespace box::image
