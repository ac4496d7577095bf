#include "install/install_worker_protocol.h"

#include <gtest/gtest.h>

namespace box::manager {
namespace {

TEST(InstallWorkerProtocol, ArgumentsRoundTrip) {
  WorkerRequest r;
  r.source = "oci-archive:/home/u/-odd name.tar:v1";
  r.name = "-etcd";  // an operand, even when it looks like an option
  install::InstallOptions& o = r.options;
  o.replace = true;
  o.set = {{"PORT", "2379"}, {"EMPTY", ""}, {"EQ", "a=b"}};
  o.dry_run = true;
  o.allow_autostart = true;
  o.allow_binds = {"/", "--odd"};
  o.allow_host_files = {"/home/u/.local/bin/x"};
  o.allow_host_namespaces = {"pid", "ipc"};
  auto args = worker_arguments(r);
  auto back = parse_worker_arguments(args);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->op, WorkerRequest::Op::kInstall);
  EXPECT_EQ(back->source, r.source);
  EXPECT_EQ(back->name, r.name);
  auto b = install_options_of(*back);
  EXPECT_EQ(b.name, "-etcd");
  EXPECT_TRUE(b.replace);
  EXPECT_EQ(b.set, o.set);
  EXPECT_TRUE(b.dry_run);
  EXPECT_TRUE(b.allow_autostart);
  EXPECT_EQ(b.allow_binds, o.allow_binds);
  EXPECT_EQ(b.allow_host_files, o.allow_host_files);
  EXPECT_EQ(b.allow_host_namespaces, o.allow_host_namespaces);
  EXPECT_EQ(b.max_size, 0u);
  r.options.max_size = 64ull << 30;
  back = parse_worker_arguments(worker_arguments(r));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->options.max_size, 64ull << 30);

  WorkerRequest u;
  u.op = WorkerRequest::Op::kUninstall;
  u.name = "etcd";
  u.purge = true;
  back = parse_worker_arguments(worker_arguments(u));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->op, WorkerRequest::Op::kUninstall);
  EXPECT_EQ(back->name, "etcd");
  EXPECT_TRUE(back->purge);
}

TEST(InstallWorkerProtocol, BadArgumentsAreRefused) {
  EXPECT_FALSE(parse_worker_arguments({}).ok());
  EXPECT_FALSE(parse_worker_arguments({"format"}).ok());
  EXPECT_FALSE(parse_worker_arguments({"install", "--", "src"}).ok());
  EXPECT_FALSE(parse_worker_arguments({"install", "--force", "--", "src", "n"}).ok());
  EXPECT_FALSE(parse_worker_arguments({"install", "--set", "novalue", "--", "s", "n"}).ok());
  EXPECT_FALSE(parse_worker_arguments({"install", "--max-size", "12G", "--", "s", "n"}).ok());
  EXPECT_FALSE(parse_worker_arguments({"uninstall"}).ok());
  EXPECT_FALSE(parse_worker_arguments({"uninstall", "a", "--keep"}).ok());
}

TEST(InstallWorkerProtocol, MessagesAreOneLineEach) {
  install::Progress p;
  p.phase = install::Progress::Phase::kUnpacking;
  p.layer = 2;
  p.layers = 3;
  p.bytes = 1ull << 33;
  p.total_bytes = 1ull << 34;
  std::string line = progress_line(p);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto m = parse_worker_line(line);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->kind, WorkerMessage::Kind::kProgress);
  EXPECT_EQ(m->progress.phase, install::Progress::Phase::kUnpacking);
  EXPECT_EQ(m->progress.layer, 2);
  EXPECT_EQ(m->progress.layers, 3);
  EXPECT_EQ(m->progress.bytes, 1ull << 33);
  EXPECT_EQ(m->progress.total_bytes, 1ull << 34);

  install::InstalledImage image;
  image.name = "etcd";
  image.source = "oci-archive:/x/etcd.tar";
  image.digest = "sha256:00";
  image.warnings = {"first\nsecond"};
  image.labels = {{"k", "v"}};
  image.layers = 3;
  line = installed_line(image);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  m = parse_worker_line(line);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->kind, WorkerMessage::Kind::kInstalled);
  EXPECT_EQ(m->image.name, "etcd");
  EXPECT_EQ(m->image.source, image.source);
  EXPECT_EQ(m->image.warnings, image.warnings);
  EXPECT_EQ(m->image.labels, image.labels);
  EXPECT_EQ(m->image.layers, 3u);

  // A message may hold any bytes of a path.
  line = failure_line("open '/x/\xff\n': No such file", true);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  m = parse_worker_line(line);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->kind, WorkerMessage::Kind::kFailed);
  EXPECT_TRUE(m->cancelled);
  EXPECT_NE(m->error.find("No such file"), std::string::npos);

  m = parse_worker_line(uninstalled_line());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->kind, WorkerMessage::Kind::kUninstalled);
}

TEST(InstallWorkerProtocol, GarbageIsAnError) {
  EXPECT_FALSE(parse_worker_line("").ok());
  EXPECT_FALSE(parse_worker_line("{").ok());
  EXPECT_FALSE(parse_worker_line("[1]").ok());
  EXPECT_FALSE(parse_worker_line(R"({"what": 1})").ok());
  EXPECT_FALSE(parse_worker_line(R"({"progress": {"phase": "dancing"}})").ok());
  EXPECT_FALSE(parse_worker_line(R"({"installed": {"source": "x"}})").ok());  // no name
}

}  // namespace
}  // namespace box::manager
