#include "core/image/config_from_definition.h"

#include <gtest/gtest.h>

#include "core/model/definition_loader.h"

namespace box::image {
namespace {

Definition load(const std::string& yaml) {
  auto def = parse_definition(yaml, "web.yaml", "web", "/home/u");
  EXPECT_TRUE(def.ok()) << def.error().message();
  return def.ok() ? *def : Definition{};
}

TEST(ConfigFromDefinition, WhatTheBoxRunsIsWhatTheImageRuns) {
  const Definition def = load(
      "rootfs: /srv/root\n"
      "command: [/bin/httpd, -f, -p, '8080']\n"
      "env: {MODE: prod, PATH: '/usr/bin:/bin'}\n"
      "workdir: /www\n"
      "user: '1000:100'\n"
      "stop: {signal: SIGQUIT}\n"
      "network: private\n"
      "ports: ['18080:8080', '127.0.0.1:5353:53/udp']\n");
  auto c = config_from_definition(def, {{"org.opencontainers.image.title", "web"}},
                                  {"8080/tcp", "9090/tcp"}, "/bin");
  EXPECT_EQ(c.config.os, "linux");
  EXPECT_EQ(c.config.architecture, host_architecture());
  EXPECT_TRUE(c.config.entrypoint.empty());
  EXPECT_EQ(c.config.cmd, (std::vector<std::string>{"/bin/httpd", "-f", "-p", "8080"}));
  EXPECT_EQ(c.config.env, (std::vector<std::string>{"MODE=prod", "PATH=/usr/bin:/bin"}));
  EXPECT_EQ(c.config.working_dir, "/www");
  EXPECT_EQ(c.config.user, "1000:100");
  EXPECT_EQ(c.config.stop_signal, "SIGQUIT");
  EXPECT_EQ(c.config.labels.at("org.opencontainers.image.title"), "web");
  // The image's own, then the box's container ports not among them.
  EXPECT_EQ(c.config.exposed_ports,
            (std::vector<std::string>{"8080/tcp", "9090/tcp", "53/udp"}));
  EXPECT_TRUE(c.config.diff_ids.empty());
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_EQ(c.notes[0],
            "ports: exposed only; publishing is the runner's (podman run -p HOST:CONTAINER)");
}

TEST(ConfigFromDefinition, WhatAnImageCannotCarryIsNamed) {
  const Definition plain = load("rootfs: /r\ncommand: [/bin/sh]\n");
  auto c = config_from_definition(plain, {}, {}, "/usr/bin:/bin");
  EXPECT_TRUE(c.notes.empty());
  // What box-run gives a box without PATH in its env.
  EXPECT_EQ(c.config.env, std::vector<std::string>{"PATH=/usr/bin:/bin"});
  EXPECT_EQ(c.config.user, "0:0");
  EXPECT_EQ(c.config.working_dir, "/");
  EXPECT_EQ(c.config.stop_signal, "SIGTERM");

  const Definition rich = load(
      "rootfs: /r\ncommand: [/bin/sh]\ninit: tiny\n"
      "mounts: [{type: tmpfs, target: /run}, {type: bind, source: /tmp, target: /t}]\n"
      "capabilities: {add: [NET_ADMIN]}\nresources: {memory: 64M}\n"
      "rlimits: {nofile: '1024:2048'}\nnetwork: none\nhostname: h\n");
  auto r = config_from_definition(rich, {}, {}, "/bin");
  const std::vector<std::string> expected = {
      "mounts: 2 (an image holds no mounts: podman run -v, --tmpfs)",
      "network: none (podman run --network none)",
      "init: tiny (podman run --init)",
      "capabilities (podman run --cap-add, --cap-drop)",
      "resources (podman run --memory, --pids-limit, --cpu-shares)",
      "rlimits (podman run --ulimit)",
      "hostname (podman run --hostname)",
  };
  EXPECT_EQ(r.notes, expected);

  // An inner systemd stops on its own signal.
  const Definition systemd = load("rootfs: /r\ncommand: [/sbin/init]\ninit: systemd\n");
  EXPECT_EQ(config_from_definition(systemd, {}, {}, "/bin").config.stop_signal, "SIGRTMIN+3");
}

}  // namespace
}  // namespace box::image
