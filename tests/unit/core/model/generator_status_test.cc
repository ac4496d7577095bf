#include "core/model/generator_status.h"

#include <gtest/gtest.h>

namespace box {
namespace {

TEST(GeneratorStatus, WhatIsWrittenReadsBackTheSame) {
  const std::vector<GeneratorStatusEntry> entries = {
      {"bad", "container", false, "box@bad.service", "/c/bad.yaml", {}, {}, "bad.yaml:3:1: unknown key 'x'", {}},
      {"good", "container", true, "box@good.service", "/c/good.yaml", {"/c/good.yaml.d/a.yaml"},
       {"/usr/share/box/containers/good.yaml"}, "", {"after: 'x' is not defined"}},
      {"off", "masked", true, "", "/c/off.yaml", {}, {}, "", {}},
      {"web@", "template", true, "", "/c/web@.yaml", {}, {}, "", {}},
      {"x.yaml.d", "problem", false, "", "/c/x.yaml.d", {}, {}, "drop-ins for nothing", {}}};
  auto parsed = parse_generator_status(format_generator_status(entries));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(*parsed, entries);
  EXPECT_TRUE(parse_generator_status(format_generator_status({}))->empty());
}

TEST(GeneratorStatus, PathIsUnderTheRuntimeDir) {
  EXPECT_EQ(generator_status_path("/run/user/1000"), "/run/user/1000/box/generator-status.json");
  EXPECT_EQ(generator_status_path(""), "");
}

TEST(GeneratorStatus, AnythingElseIsRefusedSayingWhat) {
  auto refused = [](const char* text) {
    auto r = parse_generator_status(text);
    return r ? std::string("accepted") : r.error().message();
  };
  EXPECT_EQ(refused("{not json"), "not valid JSON");
  EXPECT_EQ(refused("[]"), "expected a JSON object");
  EXPECT_EQ(refused(R"({"definitions": []})"), "no \"version\"");
  EXPECT_EQ(refused(R"({"version": 2, "definitions": []})"),
            "version 2, this box reads version 1");
  EXPECT_EQ(refused(R"({"version": 1})"), "no \"definitions\" list");
  EXPECT_EQ(refused(R"({"version": 1, "definitions": [{"kind": "container", "path": "/p", "ok": true}]})"),
            "definitions[0]: no \"name\"");
  EXPECT_EQ(refused(R"({"version": 1, "definitions": [{"name": "a", "kind": "box", "path": "/p", "ok": true}]})"),
            "definitions[0]: unknown kind 'box'");
  EXPECT_EQ(refused(R"({"version": 1, "definitions": [{"name": "a", "kind": "container", "path": "/p"}]})"),
            "definitions[0]: no boolean \"ok\"");
  EXPECT_EQ(refused(R"({"version": 1, "definitions": [{"name": "a", "kind": "container", "path": "/p", "ok": true, "warnings": [1]}]})"),
            "definitions[0]: \"warnings\" holds a non-string");
}

}  // namespace
}  // namespace box
