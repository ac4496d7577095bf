#include "generator_status.h"

#include <gtest/gtest.h>

namespace box::manager {
namespace {

TEST(GeneratorStatus, ListOfEntries) {
  auto v = parse_generator_status(R"({"version": 1, "definitions": [
      {"name": "good", "path": "/x/good.yaml", "ok": true},
      {"name": "bad", "path": "/x/bad.yaml", "ok": false, "error": "bad.yaml:3:1: unknown key 'x'"}]})");
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->size(), 1u);
  EXPECT_EQ(v->at("bad"), "bad.yaml:3:1: unknown key 'x'");
}

TEST(GeneratorStatus, ObjectKeyedByNameAndStatusWords) {
  auto v = parse_generator_status(R"({"a": {"status": "ok"}, "b": {"status": "invalid", "message": "why"},
                                      "c": {"error": "no verdict word, but an error"},
                                      "d": {"valid": false}, "version": 2})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->size(), 3u);
  EXPECT_EQ(v->at("b"), "why");
  EXPECT_EQ(v->at("c"), "no verdict word, but an error");
  EXPECT_EQ(v->at("d"), "rejected by box-user-generator");
}

TEST(GeneratorStatus, BareListAndGarbage) {
  auto v = parse_generator_status(R"([{"name": "x", "state": "failed", "error": "e"}])");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->at("x"), "e");
  EXPECT_FALSE(parse_generator_status("{not json").ok());
  EXPECT_FALSE(parse_generator_status("42").ok());
}

}  // namespace
}  // namespace box::manager
