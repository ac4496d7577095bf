#include "core/model/names.h"

#include <gtest/gtest.h>

namespace box {
namespace {

std::string container_error(const std::string& name) {
  auto r = check_container_name(name);
  return r ? "ok" : r.error().message();
}

std::string image_error(const std::string& name) {
  auto r = check_plain_name(name, "image name");
  return r ? "ok" : r.error().message();
}

TEST(ContainerName, SaysPreciselyWhatIsWrong) {
  EXPECT_EQ(container_error("web@blue"), "ok");
  EXPECT_EQ(container_error(""), "container name is empty");
  EXPECT_EQ(container_error("-web"),
            "container name '-web' starts with '-': start with a letter or digit");
  EXPECT_EQ(container_error("web blue"),
            "container name 'web blue' contains ' ': use letters, digits, '-', '_' and '.'");
  EXPECT_EQ(container_error("web\nx"),
            "container name 'web\\x0ax' contains \\x0a: use letters, digits, '-', '_' and '.'");
  EXPECT_EQ(container_error(std::string(65, 'a')),
            "container name '" + std::string(65, 'a') + "' is 65 characters long (at most 64)");
  EXPECT_EQ(container_error("a@b@c"),
            "container name 'a@b@c' has more than one '@' (an instance of a template is "
            "NAME@INSTANCE)");
  EXPECT_EQ(container_error("@blue"),
            "container name '@blue' has nothing before '@' (an instance of a template is "
            "NAME@INSTANCE)");
  EXPECT_EQ(container_error("web@"),
            "container name 'web@' names a template, not a container: give an instance, as in "
            "'web@INSTANCE'");
  EXPECT_EQ(container_error("web@-x"),
            "container name 'web@-x': the instance '-x' starts with '-': start with a letter or "
            "digit");
  EXPECT_EQ(container_error("w/b@x"),
            "container name 'w/b@x': the template name 'w/b' contains '/': use letters, digits, "
            "'-', '_' and '.'");
}

TEST(PlainName, RefusesTheAtOfInstances) {
  EXPECT_EQ(image_error("etcd-3.5_x"), "ok");
  EXPECT_EQ(image_error("web@blue"),
            "image name 'web@blue' cannot contain '@' (NAME@INSTANCE names an instance of a "
            "container template, nothing else)");
  EXPECT_EQ(image_error("web@"),
            "image name 'web@' cannot contain '@' (NAME@INSTANCE names an instance of a "
            "container template, nothing else)");
  EXPECT_EQ(image_error(""), "image name is empty");
  EXPECT_EQ(image_error(".hidden"),
            "image name '.hidden' starts with '.': start with a letter or digit");
  EXPECT_TRUE(is_valid_plain_name("etcd"));
  EXPECT_FALSE(is_valid_plain_name("web@blue"));
  EXPECT_TRUE(is_valid_container_name("web@blue"));
}

TEST(Hostname, DefaultIsOneValidLabel) {
  EXPECT_EQ(default_hostname("etcd"), "etcd");
  EXPECT_EQ(default_hostname("web@blue"), "web-blue");
  EXPECT_EQ(default_hostname("my_db.v2@eu-1"), "my-db-v2-eu-1");
  EXPECT_EQ(default_hostname("a_@b"), "a--b");
  EXPECT_EQ(default_hostname("web_"), "web");
  // 64 + 1 + 64 characters at most in a name; 63 in a DNS label.
  const std::string longest = std::string(64, 'a') + "@" + std::string(64, 'b');
  EXPECT_EQ(default_hostname(longest), std::string(63, 'a'));
  EXPECT_EQ(default_hostname(std::string(62, 'a') + "_@b"), std::string(62, 'a'));
  for (const std::string& name :
       {std::string("etcd"), std::string("web@blue"), std::string("x.-y@z"), longest})
    EXPECT_TRUE(is_valid_hostname(default_hostname(name))) << name;
}

TEST(Hostname, WhatTheHostnameKeyAccepts) {
  EXPECT_TRUE(is_valid_hostname("web-blue.example"));
  EXPECT_TRUE(is_valid_hostname(std::string(64, 'h')));
  for (const std::string& bad :
       {std::string(""), std::string(65, 'h'), std::string("-web"), std::string(".web"),
        std::string("web@blue"), std::string("web_blue"), std::string("web blue")})
    EXPECT_FALSE(is_valid_hostname(bad)) << bad;
}

}  // namespace
}  // namespace box

namespace box {
namespace {

TEST(UnitNames, InAndOut) {
  EXPECT_EQ(unit_name("etcd"), "box@etcd.service");
  EXPECT_EQ(unit_name("web@blue"), "box@web@blue.service");
  EXPECT_EQ(container_of_unit("box@web@blue.service"), "web@blue");
  EXPECT_EQ(container_of_unit(unit_name("etcd")), "etcd");
  EXPECT_EQ(container_of_unit("box@.service"), std::nullopt);
  EXPECT_EQ(container_of_unit("box-manager.service"), std::nullopt);
  EXPECT_EQ(container_of_unit("box@etcd.socket"), std::nullopt);
}

}  // namespace
}  // namespace box
