#include "core/runtime/run_command_line.h"

#include <deque>

namespace box {

RunOptionRows add_run_options(CLI::App& cmd, bool boxctl) {
  RunOptionRows rows;
  for (const auto& o : run_options()) {
    if (o.boxctl_only && !boxctl) continue;
    CLI::Option* opt = nullptr;
    if (o.value.empty()) {
      opt = cmd.add_flag(o.name, o.help);
    } else {
      // Every occurrence counts (-v twice binds twice), applied in
      // command-line order (the last --network wins).
      opt = cmd.add_option(o.name, o.help)
                ->type_name(o.value)
                ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
                ->allow_extra_args(false);
    }
    rows.emplace(opt, &o);
  }
  return rows;
}

namespace {

// The names typed for each option, in order, read from the words before
// the first positional argument (ROOTFS, IMAGE: the rest is the
// command's): "-it" is "-i" then "-t", "-vA:B" is "-v", "--env=X" is "--env".
std::map<const CLI::Option*, std::deque<std::string>> typed_names(
    const CLI::App& cmd, const RunOptionRows& rows, const std::vector<std::string>& args) {
  // Whether an option takes a value: the table says (CLI11 counts a flag's
  // "true" as one); the command's own options (--dry-run) are flags.
  const auto takes_value = [&rows](const CLI::Option* opt) {
    auto row = rows.find(opt);
    return row != rows.end() && !row->second->value.empty();
  };
  std::map<const CLI::Option*, std::deque<std::string>> typed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--" || word.size() < 2 || word[0] != '-') break;
    if (word[1] == '-') {
      const std::string name = word.substr(0, word.find('='));
      const CLI::Option* opt = cmd.get_option_no_throw(name);
      if (!opt) continue;
      typed[opt].push_back(name);
      if (takes_value(opt) && word.find('=') == std::string::npos) ++i;
      continue;
    }
    for (std::size_t c = 1; c < word.size(); ++c) {
      const std::string name = std::string("-") + word[c];
      const CLI::Option* opt = cmd.get_option_no_throw(name);
      if (!opt) break;
      typed[opt].push_back(name);
      if (takes_value(opt)) {
        if (c + 1 == word.size()) ++i;  // its value is the next word
        break;
      }
    }
  }
  return typed;
}

}  // namespace

std::vector<GivenRunOption> given_run_options(const CLI::App& cmd, const RunOptionRows& rows,
                                              const std::vector<std::string>& args) {
  auto typed = typed_names(cmd, rows, args);
  std::vector<GivenRunOption> given;
  std::map<const CLI::Option*, std::size_t> next_value;
  for (const CLI::Option* opt : cmd.parse_order()) {
    auto row = rows.find(opt);
    if (row == rows.end()) continue;  // the command's own options and arguments
    GivenRunOption g;
    g.option = row->second;
    auto& names = typed[opt];
    if (names.empty()) {
      g.typed = opt->get_name(false, true);
      g.typed = g.typed.substr(g.typed.rfind(',') + 1);
    } else {
      g.typed = names.front();
      names.pop_front();
    }
    if (!g.option->value.empty()) g.value = opt->results().at(next_value[opt]++);
    given.push_back(std::move(g));
  }
  return given;
}

}  // namespace box
