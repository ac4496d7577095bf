// What box writes is what box (and the spec) reads: each document goes back
// through oci_image.h's parsers.
#include "core/image/oci_write.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/image/sha256.h"

namespace box::image {
namespace {

using nlohmann::json;

ImageConfig sample() {
  ImageConfig c;
  c.os = "linux";
  c.architecture = "amd64";
  c.cmd = {"/bin/httpd", "-f", "-p", "8080"};
  c.env = {"PATH=/usr/bin:/bin", "MODE=prod"};
  c.working_dir = "/srv";
  c.user = "42:43";
  c.exposed_ports = {"8080/tcp", "53/udp"};
  c.labels = {{"org.opencontainers.image.title", "web"}};
  c.stop_signal = "SIGQUIT";
  c.diff_ids = {sha256_digest_of("layer")};
  return c;
}

TEST(OciWrite, TheConfigReadsBackAsWritten) {
  const ImageConfig c = sample();
  const std::string text =
      image_config_json(c, "2026-12-07T18:00:00Z", {{"2026-12-07T18:00:00Z", "boxctl export web", "box web"}});
  auto back = parse_image_config(text, "config");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->os, "linux");
  EXPECT_EQ(back->architecture, "amd64");
  EXPECT_TRUE(back->entrypoint.empty());
  EXPECT_EQ(back->cmd, c.cmd);
  EXPECT_EQ(back->env, c.env);
  EXPECT_EQ(back->working_dir, "/srv");
  EXPECT_EQ(back->user, "42:43");
  EXPECT_EQ(back->labels, c.labels);
  EXPECT_EQ(back->stop_signal, "SIGQUIT");
  EXPECT_EQ(back->diff_ids, c.diff_ids);
  EXPECT_EQ(back->exposed_ports, (std::vector<std::string>{"53/udp", "8080/tcp"}));

  // The spec's own names, and nothing empty written out.
  const json j = json::parse(text);
  EXPECT_EQ(j["created"], "2026-12-07T18:00:00Z");
  EXPECT_EQ(j["rootfs"]["type"], "layers");
  EXPECT_EQ(j["config"]["ExposedPorts"]["8080/tcp"], json::object());
  EXPECT_FALSE(j["config"].contains("Entrypoint"));
  ASSERT_EQ(j["history"].size(), 1u);
  EXPECT_EQ(j["history"][0]["created_by"], "boxctl export web");
  EXPECT_EQ(j["history"][0]["comment"], "box web");

  const json bare = json::parse(image_config_json(ImageConfig{}, "", {}));
  EXPECT_EQ(bare["config"], json::object());
  EXPECT_FALSE(bare.contains("history"));
  EXPECT_FALSE(bare.contains("created"));
}

TEST(OciWrite, ManifestAndIndexNameTheirBlobsByDigest) {
  const std::string config = image_config_json(sample(), "", {});
  const Descriptor config_d = descriptor_of(kMediaTypeImageConfig, config);
  EXPECT_EQ(config_d.digest, sha256_digest_of(config));
  EXPECT_EQ(config_d.size, static_cast<std::int64_t>(config.size()));
  Descriptor layer = descriptor_of(kMediaTypeLayerTar, "layer");

  const std::string manifest = manifest_json(config_d, {layer});
  auto m = parse_manifest(manifest, "manifest");
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->config.digest, config_d.digest);
  EXPECT_EQ(m->config.media_type, kMediaTypeImageConfig);
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].digest, layer.digest);
  EXPECT_EQ(m->layers[0].size, 5);
  EXPECT_EQ(json::parse(manifest)["schemaVersion"], 2);
  EXPECT_EQ(json::parse(manifest)["mediaType"], kMediaTypeImageManifest);

  const Descriptor manifest_d = descriptor_of(kMediaTypeImageManifest, manifest);
  auto index = parse_index(index_json(manifest_d, "web"), "index.json");
  ASSERT_TRUE(index.ok()) << index.error().message();
  auto chosen = select_manifest(*index, "web", "index.json");
  ASSERT_TRUE(chosen.ok()) << chosen.error().message();
  EXPECT_EQ(chosen->digest, manifest_d.digest);
  EXPECT_EQ(chosen->ref_name(), "web");
  auto untagged = parse_index(index_json(manifest_d, ""), "index.json");
  ASSERT_TRUE(untagged.ok());
  EXPECT_EQ((*untagged)[0].ref_name(), "");
}

TEST(OciWrite, AddingToALayoutReplacesOnlyTheSameTag) {
  const Descriptor one = descriptor_of(kMediaTypeImageManifest, "one");
  const Descriptor two = descriptor_of(kMediaTypeImageManifest, "two");
  const Descriptor three = descriptor_of(kMediaTypeImageManifest, "three");
  std::string text = index_json(one, "a");
  auto added = index_with(text, two, "b", "index.json");
  ASSERT_TRUE(added.ok()) << added.error().message();
  auto replaced = index_with(*added, three, "a", "index.json");
  ASSERT_TRUE(replaced.ok()) << replaced.error().message();
  auto index = parse_index(*replaced, "index.json");
  ASSERT_TRUE(index.ok()) << index.error().message();
  ASSERT_EQ(index->size(), 2u);
  EXPECT_EQ((*index)[0].digest, two.digest);
  EXPECT_EQ((*index)[1].digest, three.digest);
  EXPECT_EQ((*index)[1].ref_name(), "a");
  // Fields of the index box does not know stay.
  auto kept = index_with(R"({"schemaVersion":2,"annotations":{"x":"y"},"manifests":[]})", one, "a",
                         "index.json");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(json::parse(*kept)["annotations"]["x"], "y");

  auto bad = index_with("{", one, "a", "/l/index.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message().rfind("/l/index.json: invalid JSON", 0), 0u)
      << bad.error().message();
  auto not_list = index_with(R"({"manifests":{}})", one, "a", "/l/index.json");
  ASSERT_FALSE(not_list.ok());
  EXPECT_EQ(not_list.error().message(), "/l/index.json: 'manifests': expected a list");
}

TEST(OciWrite, RefNames) {
  for (const char* good : {"web", "v1.2", "localhost/web:1", "a--b", "my_box", "x@y+z", "1"})
    EXPECT_TRUE(check_ref_name(good).ok()) << good;
  for (const char* bad : {"", "-a", "a-", "a/", "/a", "a b", "a__b", "a//b", "é"})
    EXPECT_FALSE(check_ref_name(bad).ok()) << bad;
  EXPECT_EQ(check_ref_name("a b").error().message(),
            "tag 'a b': expected letters and digits, joined by one of - . _ : @ + (or --), in "
            "parts separated by / (the image layout's ref name)");
}

}  // namespace
}  // namespace box::image
