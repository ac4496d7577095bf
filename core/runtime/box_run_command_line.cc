#include "core/runtime/box_run_command_line.h"

#include <CLI/CLI.hpp>
#include <map>

#include "core/runtime/run_command_line.h"

namespace box {
namespace {

// The help's first column: wide enough for "--userns auto|single|keep-id"
// and its like; a longer option gets its help on the next line.
constexpr std::size_t kHelpColumn = 38;

// The app and what its parse fills in; built anew for each parse.
struct BoxRunApp {
  CLI::App app{"box-run: box's namespace runtime, the process box@NAME.service runs.", "box-run"};
  CLI::App* start = nullptr;
  CLI::App* run = nullptr;
  CLI::App* validate = nullptr;
  CLI::App* pod = nullptr;
  BoxRunCommandLine out;
  std::string rootfs;
  std::vector<std::string> command;
  // run's options, and the row of the table each stands for.
  RunOptionRows run_table;
};

void add_run_command(BoxRunApp& a) {
  a.run = a.app.add_subcommand(
      "run", "Run COMMAND in the root filesystem ROOTFS, in the foreground (no systemd)");
  // After ROOTFS everything is the command's, its options included.
  a.run->positionals_at_end();
  a.run->add_flag("--dry-run", a.out.dry_run,
                  "Print the plan that would run, with the host facts it was made from, and "
                  "start nothing");
  a.run_table = add_run_options(*a.run, false);
  a.run->add_option("ROOTFS", a.rootfs, "The root filesystem: a directory")
      ->required()
      ->type_name("");
  a.run->add_option("COMMAND", a.command, "The command and its arguments (after an optional --)")
      ->required()
      ->type_name("");
  a.run->footer(
      "After ROOTFS every argument is the command's, options included (a '--' may separate "
      "them).\nDefaults favour start-up speed: userns single, a read-only rootfs, the host's "
      "network.");
}

void build(BoxRunApp& a) {
  a.app.require_subcommand(1);
  a.app.set_version_flag("--version", "box-run " BOX_VERSION);
  a.app.get_formatter()->column_width(kHelpColumn);

  a.start = a.app.add_subcommand(
      "start", "Run the container defined by NAME.yaml (what box@NAME.service runs)");
  a.start->add_flag("--dry-run", a.out.dry_run,
                    "Print the plan that would run, with the host facts it was made from, and "
                    "start nothing");
  a.start->add_option("NAME", a.out.name, "The container's name (its definition file's)")
      ->required()
      ->type_name("");

  a.validate = a.app.add_subcommand(
      "validate", "Check definitions without starting anything: every error, and what start "
                  "would refuse");
  a.validate
      ->add_option("DEFINITION", a.out.targets,
                   "A FILE (with the drop-ins in FILE.d/ beside it), a DIR (every definition "
                   "in it) or a NAME as 'start' would load it")
      ->required()
      ->type_name("");

  add_run_command(a);

  a.pod = a.app.add_subcommand(
      "pod", "Keep the namespaces of the pod defined by pods/NAME.yaml, with its network "
             "helper, until stopped (what box-pod@NAME.service runs)");
  a.pod->add_option("NAME", a.out.name, "The pod's name (its file's)")->required()->type_name("");

  // After the commands, which would inherit it.
  a.app.footer(
      "Usage: box-run start [--dry-run] NAME\n"
      "       box-run validate FILE|DIR|NAME...\n"
      "       box-run run [OPTIONS] ROOTFS [--] COMMAND [ARG...]\n"
      "       box-run pod NAME\n"
      "Exit codes: the command's, 128+N when it was killed by signal N, 125 when the container "
      "could not be set up, 126/127 when the command cannot be run or is not found, 2 for a bad "
      "command line.");
}

// `run`: the options in the order given, then ROOTFS and COMMAND. `args`:
// run's words.
Result<void> make_run_definition(BoxRunApp& a, const std::vector<std::string>& args) {
  RunRequest request;
  request.def = run_defaults();
  if (auto r = apply_run_options(request, given_run_options(*a.run, a.run_table, args)); !r)
    return r;
  Definition def = std::move(request.def);
  if (!request.name.empty()) def.name = request.name;
  def.rootfs = a.rootfs;
  // After ROOTFS every word is the command's: the first "--" only marks
  // where box-run's part ends.
  auto command = a.command.begin();
  if (command != a.command.end() && *command == "--") ++command;
  if (command == a.command.end()) return Error("'run' needs a COMMAND after ROOTFS");
  def.command.assign(command, a.command.end());
  a.out.def = std::move(def);
  return {};
}

}  // namespace

Result<BoxRunCommandLine> parse_box_run_command_line(const std::vector<std::string>& args) {
  BoxRunApp a;
  build(a);
  // CLI11 would call these "A subcommand is required".
  const auto is_command = [&a](const std::string& word) {
    for (const CLI::App* command : {a.start, a.run, a.validate, a.pod})
      if (command->check_name(word)) return true;
    return false;
  };
  if (!args.empty() && args[0] != "-h" && args[0] != "--help" && args[0] != "--version" &&
      !is_command(args[0])) {
    return Error((args[0].starts_with("-") ? "unknown option '" : "unknown command '") + args[0] +
                 "' (the commands are start, run, validate and pod)");
  }
  try {
    // CLI11 takes the arguments last first.
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    a.app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    // box-run's own help lists every command's options; a command's, its own.
    a.out.command = BoxRunCommandLine::Command::kPrint;
    a.out.print =
        a.app.get_subcommands().empty() ? a.app.help("", CLI::AppFormatMode::All) : a.app.help();
    return std::move(a.out);
  } catch (const CLI::CallForVersion& e) {
    a.out.command = BoxRunCommandLine::Command::kPrint;
    a.out.print = std::string(e.what()) + "\n";
    return std::move(a.out);
  } catch (const CLI::ParseError& e) {
    return Error(e.what());
  }
  if (*a.start) {
    a.out.command = BoxRunCommandLine::Command::kStart;
  } else if (*a.validate) {
    a.out.command = BoxRunCommandLine::Command::kValidate;
  } else if (*a.pod) {
    a.out.command = BoxRunCommandLine::Command::kPod;
  } else {
    a.out.command = BoxRunCommandLine::Command::kRun;
    if (auto r = make_run_definition(a, {args.begin() + 1, args.end()}); !r) return r.error();
  }
  return std::move(a.out);
}

Result<RunArgs> parse_run_args(const std::vector<std::string>& args) {
  std::vector<std::string> line = {"run"};
  line.insert(line.end(), args.begin(), args.end());
  auto parsed = parse_box_run_command_line(line);
  if (!parsed) return parsed.error();
  if (parsed->command != BoxRunCommandLine::Command::kRun) return Error("not a 'run' command line");
  RunArgs out;
  out.def = std::move(parsed->def);
  out.dry_run = parsed->dry_run;
  return out;
}

std::string run_help() {
  auto parsed = parse_box_run_command_line({"run", "--help"});
  return parsed ? parsed->print : parsed.error().message();
}

}  // namespace box
