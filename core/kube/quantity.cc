#include "core/kube/quantity.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace box::kube {
namespace {

struct Suffix {
  const char* text;
  std::uint64_t multiplier;
};

// Binary suffixes first: "Mi" must not be read as "M" followed by "i".
constexpr Suffix kSuffixes[] = {
    {"Ki", 1ULL << 10}, {"Mi", 1ULL << 20}, {"Gi", 1ULL << 30},
    {"Ti", 1ULL << 40}, {"Pi", 1ULL << 50}, {"Ei", 1ULL << 60},
    {"k", 1000ULL},     {"M", 1000000ULL},  {"G", 1000000000ULL},
    {"T", 1000000000000ULL}, {"P", 1000000000000000ULL}, {"E", 1000000000000000000ULL},
};

// A quantity's digits, the multiplier of its suffix, or "m" (thousandths).
struct Parsed {
  std::string integer, fraction;  // digits
  std::uint64_t multiplier = 1;
  int exponent = 0;               // "1e3"
  bool milli = false;
};

Result<Parsed> split(const std::string& text) {
  const std::string what = "'" + text + "' is not a quantity";
  Parsed p;
  std::size_t i = 0;
  if (i < text.size() && text[i] == '+') ++i;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) p.integer += text[i++];
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
      p.fraction += text[i++];
  }
  if (p.integer.empty() && p.fraction.empty())
    return Error(what + " (a number with an optional suffix: 64Mi, 1G, 500m)");
  const std::string rest = text.substr(i);
  if (rest.empty()) return p;
  if (rest == "m") {
    p.milli = true;
    return p;
  }
  for (const auto& s : kSuffixes)
    if (rest == s.text) {
      p.multiplier = s.multiplier;
      return p;
    }
  if ((rest[0] == 'e' || rest[0] == 'E') && rest.size() > 1 && rest.size() <= 3) {
    std::string digits = rest.substr(1);
    if (std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      p.exponent = std::stoi(digits);
      return p;
    }
  }
  return Error(what + ": unknown suffix '" + rest +
               "' (Ki, Mi, Gi, Ti, Pi, Ei, k, M, G, T, P, E or m)");
}

// GCC's 128-bit integer: exact arithmetic on a quantity's decimals.
__extension__ typedef unsigned __int128 Wide;

// The value times `scale`, rounded up, or an error past 64 bits.
Result<std::uint64_t> scaled(const Parsed& p, std::uint64_t scale, const std::string& text) {
  // Exact: (integer.fraction) * multiplier * 10^exponent * scale.
  Wide numerator = 0, denominator = 1;
  const Wide limit = static_cast<Wide>(1) << 100;
  for (char c : p.integer + p.fraction) {
    numerator = numerator * 10 + static_cast<unsigned>(c - '0');
    if (numerator > limit) return Error("'" + text + "' is too large");
  }
  for (std::size_t i = 0; i < p.fraction.size(); ++i) {
    denominator *= 10;
    if (denominator > limit) return Error("'" + text + "' has too many decimals");
  }
  numerator *= p.multiplier;
  if (numerator > limit) return Error("'" + text + "' is too large");
  for (int i = 0; i < p.exponent; ++i) {
    numerator *= 10;
    if (numerator > limit) return Error("'" + text + "' is too large");
  }
  numerator *= scale;
  if (p.milli) denominator *= 1000;
  const Wide value = (numerator + denominator - 1) / denominator;
  if (value > std::numeric_limits<std::uint64_t>::max()) return Error("'" + text + "' is too large");
  return static_cast<std::uint64_t>(value);
}

}  // namespace

Result<std::uint64_t> parse_quantity(const std::string& text) {
  auto p = split(text);
  if (!p) return p.error();
  return scaled(*p, 1, text);
}

Result<std::uint64_t> parse_millicores(const std::string& text) {
  auto p = split(text);
  if (!p) return p.error();
  return scaled(*p, 1000, text);
}

std::string format_bytes(std::uint64_t bytes) {
  static constexpr const char* kBinary[] = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
  for (int i = 0; i < 6; ++i) {
    const std::uint64_t unit = 1ULL << (10 * (6 - i));
    if (bytes != 0 && bytes % unit == 0) return std::to_string(bytes / unit) + kBinary[i];
  }
  return std::to_string(bytes);
}

std::uint32_t cpu_weight_of_millicores(std::uint64_t millicores) {
  std::uint64_t shares = std::clamp<std::uint64_t>(millicores * 1024 / 1000, 2, 262144);
  return static_cast<std::uint32_t>(1 + (shares - 2) * 9999 / 262142);
}

std::uint64_t millicores_of_cpu_weight(std::uint32_t weight) {
  // The weight grows with the request: the smallest request that reaches it.
  std::uint64_t low = 1, high = 262144 * 1000 / 1024 + 1;
  while (low < high) {
    std::uint64_t mid = low + (high - low) / 2;
    if (cpu_weight_of_millicores(mid) >= weight)
      high = mid;
    else
      low = mid + 1;
  }
  return low;
}

std::string format_millicores(std::uint64_t millicores) {
  if (millicores % 1000 == 0) return std::to_string(millicores / 1000);
  return std::to_string(millicores) + "m";
}

}  // namespace box::kube
