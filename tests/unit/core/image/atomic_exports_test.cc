#include "core/image/atomic_exports.h"

#include <gtest/gtest.h>

namespace box::image {
namespace {

TEST(AtomicTemplates, SubstitutesLikePythonStringTemplate) {
  TemplateValues v = {{"NAME", "etcd"}, {"PORT", "2379"}};
  auto r = substitute("--name=$NAME --port ${PORT} cost $$5 ${NAME}x", v, "t");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r, "--name=etcd --port 2379 cost $5 etcdx");
}

TEST(AtomicTemplates, AnUnreplacedVariableIsAnErrorNamingIt) {
  auto r = substitute("line one\nExecStart=$EXEC_START --data $DATA_DIR\n", {{"EXEC_START", "x"}},
                      "service.template");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "service.template:2: unreplaced variable $DATA_DIR (give it a value with --set "
            "DATA_DIR=VALUE)");
  EXPECT_FALSE(substitute("${unclosed", {}, "t").ok());
  EXPECT_FALSE(substitute("a $ b", {}, "t").ok());
}

TEST(AtomicTemplates, PrecedenceDefaultsThenSetThenForced) {
  auto v = merge_values({{"PORT", "1"}, {"NAME", "from-manifest"}, {"ONLY", "d"}},
                        {{"PORT", "2"}, {"NAME", "from-set"}}, {{"NAME", "forced"}});
  EXPECT_EQ(v.at("PORT"), "2");
  EXPECT_EQ(v.at("NAME"), "forced");
  EXPECT_EQ(v.at("ONLY"), "d");
}

TEST(AtomicTemplates, Manifest) {
  auto m = parse_atomic_manifest(R"({"version":"1.0","defaultValues":{"PORT":"2379","N":3},
      "renameFiles":{"/usr/bin/tool":"/usr/bin/tool-$NAME"}})",
                                 "manifest.json");
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->default_values.at("PORT"), "2379");
  EXPECT_EQ(m->default_values.at("N"), "3");
  EXPECT_EQ(m->rename_files.at("/usr/bin/tool"), "/usr/bin/tool-$NAME");
  EXPECT_FALSE(parse_atomic_manifest(R"({"defaultValues":{"A":[1]}})", "m").ok());
}

TEST(AtomicTemplates, ServiceTemplateLines) {
  DefinitionDraft d;
  std::vector<std::string> warnings;
  auto r = apply_service_template(
      "[Unit]\nDescription=etcd key-value store\nAfter=network.target\n\n"
      "[Service]\nExecStart=/x/box-run start etcd\nExecStop=STOP\nRestart=on-failure\n"
      "TimeoutStopSec=30\nKillSignal=SIGINT\nEnvironment=A=1 \"B=two words\"\n"
      "WorkingDirectory=/home/u/.local/share/box/images/etcd\nExecStartPre=/bin/true\n"
      "[Install]\nWantedBy=multi-user.target\n",
      "/x/box-run start etcd", "STOP", d, warnings, "service.template");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(d.description, "etcd key-value store");
  EXPECT_EQ(d.restart, RestartPolicy::kOnFailure);
  EXPECT_EQ(d.stop_timeout, "30s");
  EXPECT_EQ(d.stop_signal, "SIGINT");
  ASSERT_EQ(d.env.size(), 2u);
  EXPECT_EQ(d.env[1].second, "two words");
  EXPECT_EQ(d.autostart, Autostart::kLogin);
  ASSERT_EQ(warnings.size(), 2u);  // After=, ExecStartPre=
  EXPECT_NE(warnings[0].find("service.template:3: 'After=network.target'"), std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[1].find("ExecStartPre"), std::string::npos);
}

TEST(AtomicTemplates, Tmpfiles) {
  auto t = parse_tmpfiles("# comment\nd /home/u/state/etcd 0700 - - -\nf /x\n", "tmpfiles");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0].type, "d");
  EXPECT_EQ((*t)[0].mode, "0700");
  EXPECT_EQ((*t)[1].mode, "-");
  EXPECT_EQ((*t)[0].line, 2);
  EXPECT_EQ((*t)[1].line, 3);
  EXPECT_EQ((*t)[0].fields,
            (std::vector<std::string>{"d", "/home/u/state/etcd", "0700", "-", "-", "-"}));
  EXPECT_FALSE(parse_tmpfiles("d\n", "t").ok());
}

TEST(AtomicTemplates, HostfsGoesToPerUserPlaces) {
  UserLocations u{"/home/u", "/home/u/.config/box/etc", "/home/u/.local/share"};
  EXPECT_EQ(*hostfs_destination("usr/local/bin/etcdctl", u), "/home/u/.local/bin/etcdctl");
  EXPECT_EQ(*hostfs_destination("usr/sbin/x", u), "/home/u/.local/bin/x");
  EXPECT_EQ(*hostfs_destination("usr/share/doc/a", u), "/home/u/.local/share/doc/a");
  EXPECT_EQ(*hostfs_destination("etc/etcd/etcd.conf", u), "/home/u/.config/box/etc/etcd/etcd.conf");
  // A renameFiles target "$CONF_DIRECTORY/$NAME/etcd.conf" stays there.
  EXPECT_EQ(*hostfs_destination("home/u/.config/box/etc/db/etcd.conf", u),
            "/home/u/.config/box/etc/db/etcd.conf");
  EXPECT_FALSE(hostfs_destination("home/u/.config/box/etc", u).ok());
  EXPECT_FALSE(hostfs_destination("home/u/.config/box/etcetera/x", u).ok());
  EXPECT_FALSE(hostfs_destination("home/u/.config/box/etc/../../x", u).ok());
  EXPECT_FALSE(hostfs_destination("var/lib/x", u).ok());
  EXPECT_FALSE(hostfs_destination("usr/bin/../../etc/passwd", u).ok());
}

}  // namespace
}  // namespace box::image
