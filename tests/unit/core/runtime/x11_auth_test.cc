// The cookie file with Debian's real xauth (a build and test dependency,
// build-aux/install-deps): what is copied of an Xauthority and how.
#include "core/runtime/x11_auth.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>

#include "core/sys/find_program.h"
#include "tests/unit/temp_dir.h"

namespace box {
namespace {

using testing::TempDir;

std::string output_of(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  std::array<char, 512> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

std::string xauth() { return find_program("xauth", "/usr/bin:/bin"); }

X11Cookie cookie_for(const TempDir& t, const std::string& display) {
  X11Cookie c;
  c.display = display;
  c.source = t / "home/.Xauthority";
  c.dir = t / "run/box/x11/xclock";
  c.file = c.dir + "/Xauthority";
  c.inside = "/run/user/1000/Xauthority";
  c.xauth = xauth();
  return c;
}

TEST(X11Auth, FamilyWildLinesFromXauthsNumericForm) {
  EXPECT_EQ(wildcard_xauth_entries(
                "0100 0002 766d 0002 3537 0012 4d49542d4d414749432d434f4f4b49452d31 0010 "
                "dbcfdb3bc0454ae9a578104ad09c0e9e\n"
                "0000 0004 7f000001 0001 30 0012 4d49542d4d414749432d434f4f4b49452d31 0002 abcd\n"),
            "ffff 0002 766d 0002 3537 0012 4d49542d4d414749432d434f4f4b49452d31 0010 "
            "dbcfdb3bc0454ae9a578104ad09c0e9e\n"
            "ffff 0004 7f000001 0001 30 0012 4d49542d4d414749432d434f4f4b49452d31 0002 abcd\n");
  EXPECT_EQ(wildcard_xauth_entries(""), "");
  EXPECT_EQ(wildcard_xauth_entries("xauth: nonsense\n"), "");
}

TEST(X11Auth, OnlyTheDisplaysCookieAsFamilyWildReadableInTheBox) {
  ASSERT_FALSE(xauth().empty()) << "xauth is not installed (build-aux/install-deps)";
  TempDir t({"home", "run"});
  const X11Cookie c = cookie_for(t, ":57");
  // The user's file: a cookie for the box's display and one for another.
  ASSERT_EQ(std::system(("xauth -q -f " + c.source +
                         " add :57 MIT-MAGIC-COOKIE-1 0123456789abcdef0123456789abcdef && "
                         "xauth -q -f " + c.source +
                         " add :58 MIT-MAGIC-COOKIE-1 fedcba9876543210fedcba9876543210")
                            .c_str()),
            0);
  std::string notice;
  {
    auto written = X11AuthFile::write(c, notice);
    ASSERT_TRUE(written.ok()) << written.error().message();
    EXPECT_EQ(notice, "");
    const std::string entries = output_of("xauth -f " + c.file + " nlist");
    // One entry, family 0xffff, display number "57", the cookie.
    EXPECT_EQ(entries.substr(0, 4), "ffff") << entries;
    EXPECT_NE(entries.find(" 0002 3537 "), std::string::npos) << entries;
    EXPECT_NE(entries.find("0123456789abcdef0123456789abcdef"), std::string::npos) << entries;
    EXPECT_EQ(entries.find("fedcba98"), std::string::npos) << entries;
    EXPECT_EQ(std::count(entries.begin(), entries.end(), '\n'), 1) << entries;
    struct stat st {};
    ASSERT_EQ(::stat(c.file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0644u);
    ASSERT_EQ(::stat(c.dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    // Nothing else is left beside it (xauth's temporary files, the entries).
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(c.dir), {}), 1);
  }
  // Gone with the object, as at the box's stop.
  EXPECT_FALSE(std::filesystem::exists(c.dir));
  EXPECT_TRUE(std::filesystem::exists(t / "run/box/x11"));
}

TEST(X11Auth, WithoutACookieTheFileIsEmptyAndTheNoticeSaysSo) {
  ASSERT_FALSE(xauth().empty()) << "xauth is not installed (build-aux/install-deps)";
  TempDir t({"home", "run"});
  X11Cookie c = cookie_for(t, ":59");
  std::string notice;
  {
    auto written = X11AuthFile::write(c, notice);
    ASSERT_TRUE(written.ok()) << written.error().message();
    EXPECT_EQ(notice, "session: x11: no Xauthority at '" + c.source +
                          "': the box connects only to an X server that lets clients in "
                          "without a cookie");
    EXPECT_EQ(std::filesystem::file_size(c.file), 0u);
  }
  ASSERT_EQ(std::system(("xauth -q -f " + c.source +
                         " add :58 MIT-MAGIC-COOKIE-1 fedcba9876543210fedcba9876543210")
                            .c_str()),
            0);
  notice.clear();
  {
    auto written = X11AuthFile::write(c, notice);
    ASSERT_TRUE(written.ok()) << written.error().message();
    EXPECT_EQ(notice, "session: x11: '" + c.source +
                          "' holds no cookie for :59: the box connects only to an X server that "
                          "lets clients in without a cookie");
    EXPECT_EQ(std::filesystem::file_size(c.file), 0u);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(c.dir), {}), 1);
  }
  // An Xauthority that is there but cannot be read without xauth.
  c.xauth.clear();
  auto refused = X11AuthFile::write(c, notice);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(),
            "session: x11: xauth is not installed (Debian's package xauth): box needs it to copy "
            "the cookie of :59 from '" + c.source + "'");
  EXPECT_FALSE(std::filesystem::exists(c.dir));
}

}  // namespace
}  // namespace box
