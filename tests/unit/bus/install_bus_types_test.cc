#include "bus/install_bus_types.h"

#include <gtest/gtest.h>

namespace box::manager {
namespace {

TEST(InstallBusTypes, OptionsRoundTrip) {
  install::InstallOptions o;
  o.replace = true;
  o.set = {{"A", "1"}, {"B", "two"}};
  o.dry_run = true;
  o.allow_autostart = true;
  o.allow_binds = {"/srv/data", "/"};
  o.allow_host_files = {"/home/u/.local/bin/x"};
  o.allow_host_namespaces = {"pid"};
  auto back = install_options_from(install_options_to(o));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_TRUE(back->replace);
  EXPECT_EQ(back->set, o.set);
  EXPECT_TRUE(back->dry_run);
  EXPECT_TRUE(back->allow_autostart);
  EXPECT_EQ(back->allow_binds, o.allow_binds);
  EXPECT_EQ(back->allow_host_files, o.allow_host_files);
  EXPECT_EQ(back->allow_host_namespaces, o.allow_host_namespaces);
  auto none = install_options_from({});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->replace);
  EXPECT_FALSE(none->dry_run);
  EXPECT_TRUE(none->allow_binds.empty());
  EXPECT_TRUE(none->set.empty());
  EXPECT_EQ(none->max_size, 0u);
  o.max_size = 1 << 30;
  back = install_options_from(install_options_to(o));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->max_size, 1u << 30);
}

TEST(InstallBusTypes, UnknownOptionsAndWrongTypesAreNamed) {
  auto r = install_options_from({{"force", sdbus::Variant(true)}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "unknown option 'force' (known: replace, set, max_size, dry_run, allow_bind, "
            "allow_host_file, allow_host_namespace, allow_autostart)");
  r = install_options_from({{"allow_bind", sdbus::Variant(std::string("/"))}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "option 'allow_bind' must be a list of strings (as), not 's'");
  r = install_options_from({{"dry_run", sdbus::Variant(std::string("yes"))}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "option 'dry_run' must be a boolean (b), not 's'");
  r = install_options_from({{"replace", sdbus::Variant(std::string("yes"))}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "option 'replace' must be a boolean (b), not 's'");
  r = install_options_from({{"set", sdbus::Variant(std::vector<std::string>{"A=1"})}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "option 'set' must be a dictionary of strings (a{ss}), not 'as'");
  r = install_options_from({{"max_size", sdbus::Variant(std::int32_t{5})}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "option 'max_size' must be a number of bytes (t), not 'i'");
  r = install_options_from({{"max_size", sdbus::Variant(std::uint64_t{0})}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "option 'max_size' must be more than 0 bytes");
}

TEST(InstallBusTypes, ImageInfoRoundTrip) {
  install::InstalledImage m;
  m.name = "etcd";
  m.source = "oci-archive:/x.tar";
  m.source_kind = "oci-archive";
  m.digest = "sha256:ab";
  m.installed_at = "2026-01-01T00:00:00Z";
  m.image_dir = "/i";
  m.rootfs = "/i/rootfs";
  m.definition = "/d.yaml";
  m.id_mapping = "0:1000:1";
  m.owners_kept = true;
  m.atomic_exports = true;
  m.data_dirs = {"/data"};
  m.runtime_dirs = {"/run/x"};
  m.host_files = {"/h"};
  m.tmpfiles = "/t.conf";
  m.warnings = {"w"};
  m.labels = {{"a", "b"}};
  m.exposed_ports = {"2379/tcp"};
  m.layers = 2;
  m.bytes_unpacked = 5ull << 32;
  m.devices_skipped = 1;
  m.changes = {{"bind", "/", "read-write to /host (allowed by --allow-bind)"}};
  m.refused = {"r"};
  m.dry_run = true;
  auto info = image_info(m);
  EXPECT_EQ(info.at("changes").peekValueType(), "aa{ss}");
  EXPECT_EQ(info.at("layers").peekValueType(), "t");
  EXPECT_EQ(info.at("labels").peekValueType(), "a{ss}");
  auto back = image_from_info(info);
  EXPECT_EQ(back.name, m.name);
  EXPECT_EQ(back.source, m.source);
  EXPECT_EQ(back.source_kind, m.source_kind);
  EXPECT_EQ(back.digest, m.digest);
  EXPECT_EQ(back.installed_at, m.installed_at);
  EXPECT_EQ(back.image_dir, m.image_dir);
  EXPECT_EQ(back.rootfs, m.rootfs);
  EXPECT_EQ(back.definition, m.definition);
  EXPECT_EQ(back.id_mapping, m.id_mapping);
  EXPECT_TRUE(back.owners_kept);
  EXPECT_TRUE(back.atomic_exports);
  EXPECT_EQ(back.data_dirs, m.data_dirs);
  EXPECT_EQ(back.runtime_dirs, m.runtime_dirs);
  EXPECT_EQ(back.host_files, m.host_files);
  EXPECT_EQ(back.tmpfiles, m.tmpfiles);
  EXPECT_EQ(back.warnings, m.warnings);
  EXPECT_EQ(back.changes, m.changes);
  EXPECT_EQ(back.refused, m.refused);
  EXPECT_TRUE(back.dry_run);
  EXPECT_EQ(back.labels, m.labels);
  EXPECT_EQ(back.exposed_ports, m.exposed_ports);
  EXPECT_EQ(back.layers, 2u);
  EXPECT_EQ(back.bytes_unpacked, 5ull << 32);
  EXPECT_EQ(back.devices_skipped, 1u);
}

}  // namespace
}  // namespace box::manager
