#include "install/install_worker_protocol.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/unit/install/samples.h"

namespace box::manager {
namespace {

TEST(InstallWorkerProtocol, ArgumentsRoundTrip) {
  WorkerRequest r;
  r.source = "oci-archive:/home/u/-odd name.tar:v1";
  r.name = "-etcd";  // an operand, even when it looks like an option
  r.options = install::testing::sample_options();
  auto back = parse_worker_arguments(worker_arguments(r));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->op, WorkerRequest::Op::kInstall);
  EXPECT_EQ(back->source, r.source);
  EXPECT_EQ(back->name, r.name);
  install::InstallOptions expected = r.options;
  expected.name = "-etcd";
  EXPECT_EQ(install_options_of(*back), expected);
  // No --max-size: the install's default.
  r.options.max_size = 0;
  back = parse_worker_arguments(worker_arguments(r));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->options.max_size, 0u);

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

  const install::InstalledImage image = install::testing::sample_image();
  line = installed_line(image);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  m = parse_worker_line(line);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->kind, WorkerMessage::Kind::kInstalled);
  EXPECT_EQ(m->image, image);

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

TEST(InstallWorkerProtocol, EveryPhaseHasANameOfItsOwn) {
  using Phase = install::Progress::Phase;
  std::set<std::string> names;
  for (Phase p : {Phase::kReading, Phase::kUnpacking, Phase::kCopying, Phase::kFinishing}) {
    names.insert(phase_name(p));
    Phase back = Phase::kReading;
    ASSERT_TRUE(phase_from_name(phase_name(p), back)) << phase_name(p);
    EXPECT_EQ(back, p) << phase_name(p);
  }
  EXPECT_EQ(names.size(), 4u);
  Phase unchanged = Phase::kCopying;
  EXPECT_FALSE(phase_from_name("dancing", unchanged));
  EXPECT_EQ(unchanged, Phase::kCopying);
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
