#include "boxctl/suggest.h"

#include <gtest/gtest.h>

namespace box::manager {
namespace {

// boxctl's commands, in the order of its table.
const std::vector<std::string> kCommands = {
    "doctor", "list", "status", "start", "stop",     "restart", "enable",  "disable",   "kill",
    "reload", "logs", "enter",  "run",   "validate", "version", "install", "uninstall", "images"};

TEST(EditDistance, CountsEachEditOnce) {
  EXPECT_EQ(edit_distance("list", "list"), 0u);
  EXPECT_EQ(edit_distance("lsit", "list"), 1u);   // a swap
  EXPECT_EQ(edit_distance("lst", "list"), 1u);    // an insertion
  EXPECT_EQ(edit_distance("lists", "list"), 1u);  // a deletion
  EXPECT_EQ(edit_distance("lust", "list"), 1u);   // a substitution
  EXPECT_EQ(edit_distance("", "list"), 4u);
  EXPECT_EQ(edit_distance("list", ""), 4u);
  EXPECT_EQ(edit_distance("stat", "status"), 2u);
  EXPECT_EQ(edit_distance("ca", "abc"), 3u);  // optimal alignment: no edit of a swapped pair
}

TEST(NearestWords, TyposOfBoxctlsCommands) {
  using V = std::vector<std::string>;
  EXPECT_EQ(nearest_words("lsit", kCommands), V{"list"});
  EXPECT_EQ(nearest_words("stauts", kCommands), V{"status"});
  EXPECT_EQ(nearest_words("enble", kCommands), V{"enable"});
  EXPECT_EQ(nearest_words("imgaes", kCommands), V{"images"});
  EXPECT_EQ(nearest_words("uninstal", kCommands), V{"uninstall"});
  // Nearest first; a word that begins commands suggests them too.
  EXPECT_EQ(nearest_words("stat", kCommands), (V{"start", "status"}));
  EXPECT_EQ(nearest_words("ins", kCommands), V{"install"});
  // Nothing near: no guess.
  EXPECT_EQ(nearest_words("remove", kCommands), V{});
  EXPECT_EQ(nearest_words("x", kCommands), V{});
  EXPECT_EQ(nearest_words("", kCommands), V{});
}

TEST(DidYouMean, SaysTheWords) {
  EXPECT_EQ(did_you_mean("lsit", kCommands), " (did you mean 'list'?)");
  EXPECT_EQ(did_you_mean("stat", kCommands), " (did you mean 'start' or 'status'?)");
  EXPECT_EQ(did_you_mean("st", kCommands), " (did you mean 'stop', 'start' or 'status'?)");
  EXPECT_EQ(did_you_mean("remove", kCommands), "");
}

}  // namespace
}  // namespace box::manager
