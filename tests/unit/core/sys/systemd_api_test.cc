#include "core/sys/systemd_api.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace box::systemd_api {
namespace {

TEST(JournalEntry, PlainFieldsAreKeyEqualsValueLines) {
  EXPECT_EQ(journal_entry("box started", 6, "box-run", "web", "box@web.service"),
            "MESSAGE=box started\nPRIORITY=6\nSYSLOG_IDENTIFIER=box-run\nBOX_NAME=web\n"
            "USER_UNIT=box@web.service\n");
}

TEST(JournalEntry, AValueWithANewlineIsSizedLittleEndian) {
  const std::string e = journal_entry("two\nlines", 3, "box-run", "web", "box@web.service");
  const std::string expected_start = std::string("MESSAGE\n") + std::string("\x09\0\0\0\0\0\0\0", 8) +
                                     "two\nlines\nPRIORITY=3\n";
  EXPECT_EQ(e.substr(0, expected_start.size()), expected_start);
}

// A receiver standing in for the service manager: a datagram socket.
class NotifyTest : public ::testing::Test {
 protected:
  void bind_at(const std::string& name, bool abstract) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd_, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path + (abstract ? 1 : 0), name.data(), name.size());
    const socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + 1);
    ASSERT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), len), 0) << std::strerror(errno);
  }
  std::string receive() {
    char buf[256];
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
  }
  void TearDown() override {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  int fd_ = -1;
  std::string path_;
};

TEST_F(NotifyTest, SendsTheStateToAPathSocket) {
  path_ = "/tmp/box-notify-test-" + std::to_string(::getpid());
  bind_at(path_, false);
  EXPECT_GT(notify(path_, "READY=1\nSTATUS=up"), 0);
  EXPECT_EQ(receive(), "READY=1\nSTATUS=up");
}

TEST_F(NotifyTest, SendsToAnAbstractSocketSpelledWithAt) {
  const std::string name = "box-notify-test-" + std::to_string(::getpid());
  bind_at(name, true);
  EXPECT_GT(notify("@" + name, "STOPPING=1"), 0);
  EXPECT_EQ(receive(), "STOPPING=1");
}

TEST_F(NotifyTest, NothingWithoutASocketAndAnErrorForABadOne) {
  EXPECT_EQ(notify("", "READY=1"), 0);
  EXPECT_EQ(notify("/nonexistent/notify", "READY=1"), -ENOENT);
  EXPECT_EQ(notify("relative", "READY=1"), -EINVAL);
}

}  // namespace
}  // namespace box::systemd_api
