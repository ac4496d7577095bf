// "Did you mean": the words of a table nearest to a mistyped one, for the
// error about an unknown command. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace box::manager {

// The edit distance between `a` and `b`: insertions, deletions,
// substitutions and swaps of two neighbouring characters ("lsit" is one
// swap from "list"), each counting one.
std::size_t edit_distance(const std::string& a, const std::string& b);

// The candidates `word` is most likely a typo of, nearest first (then in
// the candidates' order): those at the smallest edit distance within a
// third of the word's length (at least 1), and those the word begins
// (a prefix of two or more characters). Empty when none is near.
std::vector<std::string> nearest_words(const std::string& word,
                                       const std::vector<std::string>& candidates);

// " (did you mean 'start' or 'status'?)" for nearest_words(); "" for none.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace box::manager
