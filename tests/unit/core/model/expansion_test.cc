#include "core/model/expansion.h"

#include <gtest/gtest.h>

namespace box {
namespace {

const ExpansionContext kSession{"/home/u", "/run/user/1000", 1000, ""};
const ExpansionContext kTemplate{"/home/u", "/run/user/1000", 1000, "blue"};
const ExpansionContext kNoSession{"/home/u", "", 1000, ""};

struct Case {
  const char* text;
  const char* expanded;
};

TEST(Expansion, SpecifiersAndVariables) {
  for (const Case& c : {
           Case{"%t/wayland-0", "/run/user/1000/wayland-0"},
           Case{"${XDG_RUNTIME_DIR}/pulse/native", "/run/user/1000/pulse/native"},
           Case{"%h/.config", "/home/u/.config"},
           Case{"${HOME}/.config", "/home/u/.config"},
           Case{"/run/user/%U/bus", "/run/user/1000/bus"},
           Case{"uid %U at %t", "uid 1000 at /run/user/1000"},
           Case{"nothing to do", "nothing to do"},
           Case{"", ""},
       }) {
    auto r = expand(c.text, kSession);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.error().message();
    EXPECT_EQ(*r, c.expanded) << c.text;
  }
  EXPECT_EQ(expand("site-${instance}", kTemplate).value(), "site-blue");
}

TEST(Expansion, LiteralsStayLiteral) {
  for (const Case& c : {
           Case{"100%% sure", "100% sure"},
           Case{"100% sure", "100% sure"},  // '%' before a space is no specifier
           Case{"50%", "50%"},
           Case{"%%t", "%t"},
           Case{"$${HOME}", "${HOME}"},
           Case{"$HOME and $$", "$HOME and $$"},  // the shell's, not ours
           Case{"a $ b", "a $ b"},
       }) {
    auto r = expand(c.text, kSession);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.error().message();
    EXPECT_EQ(*r, c.expanded) << c.text;
  }
}

TEST(Expansion, UnknownAndMalformedAreErrors) {
  struct Bad {
    const char* text;
    const ExpansionContext& ctx;
    const char* message;
  };
  for (const Bad& b : {
           Bad{"date +%s", kSession,
               "unknown specifier '%s' (known: %h, %t, %U (and %% for a literal %))"},
           Bad{"${USER}", kSession,
               "unknown variable '${USER}' (known: ${HOME}, ${XDG_RUNTIME_DIR}, ${instance} (and "
               "$${ for a literal ${))"},
           Bad{"${HOME", kSession, "'${' without a closing '}' (write $${ for a literal ${)"},
           Bad{"${}", kSession,
               "unknown variable '${}' (known: ${HOME}, ${XDG_RUNTIME_DIR}, ${instance} (and "
               "$${ for a literal ${))"},
           Bad{"%t/x", kNoSession,
               "'%t': $XDG_RUNTIME_DIR is not set (there is no user session runtime dir)"},
           Bad{"${XDG_RUNTIME_DIR}/x", kNoSession,
               "'${XDG_RUNTIME_DIR}': $XDG_RUNTIME_DIR is not set (there is no user session "
               "runtime dir)"},
           Bad{"${instance}", kSession,
               "'${instance}' is only available in templates (NAME@.yaml)"},
       }) {
    auto r = expand(b.text, b.ctx);
    ASSERT_FALSE(r.ok()) << b.text << " gave " << *r;
    EXPECT_EQ(r.error().message(), b.message) << b.text;
  }
}

TEST(Expansion, EscapedTextExpandsToItself) {
  for (const char* text : {"100%s", "%t%h%U%%", "${HOME}", "$${x}", "$ {", "a$", "%", "${"}) {
    auto r = expand(escape_expansion(text), kSession);
    ASSERT_TRUE(r.ok()) << text << ": " << r.error().message();
    EXPECT_EQ(*r, text);
  }
}

}  // namespace
}  // namespace box
