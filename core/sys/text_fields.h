// Cutting the line-and-field text box reads (/proc files, /etc/subuid,
// /proc/self/cgroup, paths) into pieces, and reading numbers from them.
// Pure; the views point into the text given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace box {

// The non-empty pieces of `text` between any of `separators`: the fields
// of a /proc line (" \t"), the components of a path ("/").
std::vector<std::string_view> split_nonempty(std::string_view text, std::string_view separators);
// The views would point into a string that dies at the end of the
// statement, before a range-for's body runs: keep the text in a variable.
template <typename Text>
  requires std::is_same_v<Text, std::string>
std::vector<std::string_view> split_nonempty(Text&& text, std::string_view separators) = delete;

// The lines of `text` without their '\n'; empty lines are skipped.
std::vector<std::string_view> text_lines(std::string_view text);
template <typename Text>  // as above
  requires std::is_same_v<Text, std::string>
std::vector<std::string_view> text_lines(Text&& text) = delete;

// `line` cut at its first `count - 1` occurrences of `separator` into
// `count` fields, the last keeping any further separator ("0::/a:b" with
// ':' and 3: "0", "", "/a:b"); nothing when there are fewer.
std::optional<std::vector<std::string_view>> split_fields(std::string_view line, char separator,
                                                          std::size_t count);
template <typename Text>  // as above
  requires std::is_same_v<Text, std::string>
std::optional<std::vector<std::string_view>> split_fields(Text&& line, char separator,
                                                          std::size_t count) = delete;

// `text` as an unsigned number in `base` (10 or 16), digits only, no sign,
// prefix or space; nothing when it is not one or does not fit 64 bits.
std::optional<std::uint64_t> parse_unsigned(std::string_view text, int base = 10);

}  // namespace box
