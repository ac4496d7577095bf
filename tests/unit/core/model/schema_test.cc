#include "core/model/schema.h"

#include <gtest/gtest.h>

#include <set>

#include "core/model/definition.h"
#include "core/model/definition_loader.h"

namespace box {
namespace {

constexpr std::size_t kKeyCount = static_cast<std::size_t>(Key::kAppId) + 1;  // the last

TEST(Schema, EveryKeyStandsAtItsOwnIndexOnce) {
  ASSERT_EQ(definition_keys().size(), kKeyCount);
  std::set<std::string> names;
  for (std::size_t i = 0; i < kKeyCount; ++i) {
    const Key key = static_cast<Key>(i);
    EXPECT_EQ(definition_keys()[i].key, key) << i;
    EXPECT_EQ(&key_spec(key), &definition_keys()[i]);
    EXPECT_TRUE(names.insert(key_name(key)).second) << key_name(key) << " twice";
    EXPECT_EQ(find_key(key_name(key)), key);
    EXPECT_FALSE(definition_keys()[i].holds.empty()) << key_name(key);
  }
  EXPECT_EQ(find_key("restart_policy"), std::nullopt);
  EXPECT_EQ(find_key(""), std::nullopt);
}

// Each name of a key's table reads back to its value, every value of the
// enum (they count from 0) has one name, and the key holds those names.
TEST(Schema, EveryNamedKeyHasOneNameAValue) {
  int named_keys = 0;
  for_each_named_field([&](Key key, auto field) {
    using E = std::remove_cvref_t<decltype(std::declval<Definition&>().*field)>;
    std::vector<std::string> names;
    std::set<E> values;
    for (const auto& c : choices<E>()) {
      EXPECT_EQ(parse_choice<E>(c.name).value(), c.value) << c.name;
      EXPECT_STREQ(to_string(c.value), c.name);
      EXPECT_TRUE(values.insert(c.value).second) << c.name << ": a value named twice";
      names.push_back(c.name);
    }
    for (std::size_t i = 0; i < names.size(); ++i) EXPECT_TRUE(values.count(static_cast<E>(i)));
    EXPECT_STREQ(to_string(static_cast<E>(names.size())), "?");
    EXPECT_EQ(key_spec(key).names, names) << key_name(key);
    EXPECT_EQ(key_spec(key).holds, choice_names<E>());
    ++named_keys;
  });
  int keys_with_names = 0;
  for (const auto& spec : definition_keys()) keys_with_names += !spec.names.empty();
  EXPECT_EQ(keys_with_names, named_keys);
  EXPECT_EQ(named_keys, 8);
}

TEST(Schema, ABadNameListsTheTable) {
  auto v = parse_choice<NetworkMode>("lan");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message(), "expected one of host, none, private, found 'lan'");
  EXPECT_FALSE(parse_choice<RestartPolicy>("On-Failure").ok());  // names are exact
  EXPECT_EQ(choice_names<MountType>(", ", " or "), "bind, tmpfs, dir, symlink or file");
  EXPECT_EQ(choice_names<SeccompMode>("|"), "default|unconfined");
}

TEST(Schema, NamespaceKindsAndStates) {
  NamespaceChoice ns;
  for (const auto& kind : namespace_kinds()) {
    auto member = parse_choice(namespace_kinds(), kind.name);
    ASSERT_TRUE(member.ok());
    ns.*(*member) = parse_choice(namespace_states(), "host").value();
  }
  EXPECT_FALSE(ns.pid || ns.ipc || ns.uts || ns.cgroup);
  EXPECT_EQ(choice_names(namespace_kinds()), "pid, ipc, uts, cgroup");
  EXPECT_TRUE(parse_choice(namespace_states(), "private").value());
  EXPECT_STREQ(choice_name(namespace_states(), false), "host");
}

// The loader dispatches every key of the schema to a handler: a bad value
// of any key is that key's error, never "unknown key".
TEST(Schema, TheLoaderKnowsEveryKey) {
  for (const auto& spec : definition_keys()) {
    auto d = parse_definition(spec.name + ": [[[x]]]\n", "t.yaml", "t", "/home/u");
    ASSERT_FALSE(d.ok()) << spec.name;
    EXPECT_EQ(d.error().message().find("unknown key"), std::string::npos) << d.error().message();
    EXPECT_NE(d.error().message().find("'" + spec.name), std::string::npos) << d.error().message();
  }
  auto d = parse_definition("rootfs: /r\ncommand: [x]\nrestart_policy: no\n", "t.yaml", "t", "/h");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("unknown key 'restart_policy'"), std::string::npos);
}

// Each key that takes a name loads every name of its table into its field.
TEST(Schema, TheLoaderTakesEveryName) {
  for_each_named_field([&](Key key, auto field) {
    using E = std::remove_cvref_t<decltype(std::declval<Definition&>().*field)>;
    for (const auto& c : choices<E>()) {
      auto d = parse_definition("rootfs: /r\ncommand: [x]\n" + key_name(key) + ": " + c.name + "\n",
                                "t.yaml", "t", "/home/u");
      ASSERT_TRUE(d.ok()) << d.error().message();
      EXPECT_EQ((*d).*field, c.value) << key_name(key) << ": " << c.name;
    }
  });
  for (const auto& kind : namespace_kinds()) {
    auto d = parse_definition(
        "rootfs: /r\ncommand: [x]\nnamespaces: {" + std::string(kind.name) + ": host}\n", "t.yaml",
        "t", "/home/u");
    ASSERT_TRUE(d.ok()) << d.error().message();
    EXPECT_FALSE(d->namespaces.*kind.value) << kind.name;
  }
}

}  // namespace
}  // namespace box
