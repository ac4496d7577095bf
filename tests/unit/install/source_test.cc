#include "install/source.h"

#include <gtest/gtest.h>

namespace box::install {
namespace {

TEST(InstallSource, ParsesTransportsLikeSkopeo) {
  struct Case {
    const char* text;
    const char* cwd;
    SourceKind kind;
    const char* path;
    const char* tag;
  };
  const Case cases[] = {
      {"oci:images/etcd:3.4", "/home/u", SourceKind::kOciLayout, "/home/u/images/etcd", "3.4"},
      {"oci-archive:/tmp/etcd.tar", "/", SourceKind::kOciArchive, "/tmp/etcd.tar", ""},
      {"docker-archive:app.tar:example/app:latest", "/w", SourceKind::kDockerArchive, "/w/app.tar",
       "example/app:latest"},
      {"./bundle", "/w", SourceKind::kDirectory, "/w/./bundle", ""},
  };
  for (const auto& c : cases) {
    auto s = parse_source(c.text, c.cwd);
    ASSERT_TRUE(s.ok()) << c.text << ": " << s.error().message();
    EXPECT_EQ(s->kind, c.kind) << c.text;
    EXPECT_EQ(s->path, c.path) << c.text;
    EXPECT_EQ(s->tag, c.tag) << c.text;
  }
}

TEST(InstallSource, RefusesRegistriesAndEmptyParts) {
  auto r = parse_source("docker://quay.io/coreos/etcd", "/");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("skopeo copy"), std::string::npos);
  EXPECT_FALSE(parse_source("oci:", "/").ok());
  EXPECT_FALSE(parse_source("oci:dir:", "/").ok());
  EXPECT_FALSE(parse_source("", "/").ok());
}

TEST(InstallSource, WithoutADirectoryPathsMustBeAbsolute) {
  auto r = parse_source("oci-archive:etcd.tar:3.4", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "source 'oci-archive:etcd.tar:3.4': the path 'etcd.tar' must be absolute");
  EXPECT_FALSE(parse_source("bundle", "").ok());
  EXPECT_TRUE(parse_source("/x/bundle", "").ok());
}

TEST(InstallSource, AsTextWithAnAbsolutePath) {
  EXPECT_EQ(to_text(*parse_source("oci:images/etcd:3.4", "/home/u")),
            "oci:/home/u/images/etcd:3.4");
  EXPECT_EQ(to_text(*parse_source("oci-archive:e.tar", "/w")), "oci-archive:/w/e.tar");
  EXPECT_EQ(to_text(*parse_source("docker-archive:a.tar:ex/app:1", "/w")),
            "docker-archive:/w/a.tar:ex/app:1");
  EXPECT_EQ(to_text(*parse_source("bundle", "/w")), "/w/bundle");
}

TEST(InstallSource, DefaultNames) {
  EXPECT_EQ(default_name(*parse_source("oci-archive:/x/etcd.oci.tar", "/")), "etcd");
  EXPECT_EQ(default_name(*parse_source("docker-archive:/x/app.tar.gz", "/")), "app");
  EXPECT_EQ(default_name(*parse_source("oci:/x/images/web/:v1", "/")), "web");
  EXPECT_EQ(default_name(*parse_source("/x/bad name", "/")), "");
  // An '@' would make the name a template instance: never an image's name.
  EXPECT_EQ(default_name(*parse_source("oci-archive:/x/web@blue.tar", "/")), "");
}

}  // namespace
}  // namespace box::install
