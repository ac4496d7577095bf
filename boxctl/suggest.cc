#include "boxctl/suggest.h"

#include <algorithm>

namespace box::manager {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  // The optimal string alignment distance, row by row (three rows kept:
  // a swap looks two rows back).
  const std::size_t n = b.size();
  std::vector<std::size_t> before(n + 1), previous(n + 1), current(n + 1);
  for (std::size_t j = 0; j <= n; ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= n; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        current[j] = std::min(current[j], before[j - 2] + 1);
    }
    before.swap(previous);
    previous.swap(current);
  }
  return previous[n];
}

std::vector<std::string> nearest_words(const std::string& word,
                                       const std::vector<std::string>& candidates) {
  if (word.empty()) return {};
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  struct Near {
    std::size_t distance;
    std::size_t order;
  };
  std::vector<Near> near;
  std::size_t best = limit;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const std::size_t d = edit_distance(word, candidates[i]);
    if (d <= limit) best = std::min(best, d);
    near.push_back({d, i});
  }
  std::vector<Near> chosen;
  for (const auto& c : near) {
    const std::string& candidate = candidates[c.order];
    const bool prefix = word.size() >= 2 && candidate.size() > word.size() &&
                        candidate.compare(0, word.size(), word) == 0;
    if (c.distance == best || prefix) chosen.push_back(c);
  }
  std::stable_sort(chosen.begin(), chosen.end(),
                   [](const Near& x, const Near& y) { return x.distance < y.distance; });
  std::vector<std::string> out;
  for (const auto& c : chosen) out.push_back(candidates[c.order]);
  return out;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const auto words = nearest_words(word, candidates);
  if (words.empty()) return "";
  std::string out = " (did you mean ";
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += "'" + words[i] + "'";
  }
  return out + "?)";
}

}  // namespace box::manager
