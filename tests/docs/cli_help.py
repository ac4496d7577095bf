"""What box's programs say they take, read from their own --help, so that
the man pages and completions are checked against the programs as built
(tests/docs/check-manuals, tests/docs/check-completions).

boxctl's help is CLI11's: sections "Options:", "Positionals:" and
"Subcommands:", one entry a line, indented two spaces. box-run's may be
CLI11's too or its earlier hand-written usage; both are read."""
import re
import subprocess
from dataclasses import dataclass, field


@dataclass
class Command:
    """One program or subcommand: its options (each a list of spellings,
    ["-n", "--lines"]), its positional arguments and its subcommands."""
    options: list = field(default_factory=list)
    positionals: list = field(default_factory=list)
    subcommands: list = field(default_factory=list)

    def option_names(self):
        return {name for spellings in self.options for name in spellings}


def help_text(argv):
    """The output of `argv` (a --help), which must exit 0."""
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=30)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)}: exit {done.returncode}\n{done.stdout}{done.stderr}")
    return done.stdout


def is_cli11(text):
    return re.search(r"^(Options|Subcommands):$", text, re.M) is not None


def parse_cli11(text):
    """CLI11's help: an entry is a line indented exactly two spaces; a
    longer indent continues the description of the entry above."""
    command = Command()
    section = None
    expanded = False
    for line in text.splitlines():
        heading = re.fullmatch(r"(Options|Positionals|Subcommands):", line)
        if heading:
            section = heading.group(1)
            continue
        if section == "Subcommands" and re.match(r"\S", line):
            # An expanded listing (box-run's): each subcommand's name alone
            # at the margin, its description and options indented below;
            # any other text at the margin (a footer) ends the listing.
            if re.fullmatch(r"[a-z][a-z-]*", line):
                command.subcommands.append(line)
                expanded = True
            else:
                section = None
                expanded = False
            continue
        if not line.strip():
            if not expanded:
                section = None
            continue
        if expanded:
            continue
        entry = re.match(r"  (\S+)", line)
        if not entry or section is None:
            continue
        name = entry.group(1)
        if section == "Options":
            command.options.append(name.split(","))
        elif section == "Positionals":
            command.positionals.append(name)
        else:
            command.subcommands.append(name)
    return command


def cli11_program(program):
    """The program's top level and each subcommand's help, parsed:
    (top, {subcommand: Command})."""
    top = parse_cli11(help_text([program, "--help"]))
    subs = {name: parse_cli11(help_text([program, name, "--help"])) for name in top.subcommands}
    return top, subs


def cli11_nested(program, subs):
    """The commands under a command ("generate kube"), each parsed from its
    own --help: {"generate kube": Command}."""
    return {f"{name} {nested}": parse_cli11(help_text([program, name, nested, "--help"]))
            for name, command in subs.items() for nested in command.subcommands}


def usage_options(text, program):
    """The --options a hand-written usage text offers: those on its usage
    lines ("Usage: PROGRAM [--dry-run] ...") and those that start a line
    (a table of options). Not one that a sentence mentions
    ("'systemctl --user daemon-reload'")."""
    found = set()
    for line in text.splitlines():
        if re.match(rf"(Usage:)?\s+{re.escape(program)} ", line):
            found.update(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", line))
        elif re.match(r"\s*--[a-z]", line):
            found.add(re.match(r"\s*(--[a-z][a-z-]*)", line).group(1))
    return sorted(found)


def box_run_program(box_run):
    """box-run's commands and options, from CLI11's help or, before box-run
    used CLI11, from its usage text: there every "box-run COMMAND" line
    names a command and every --option it offers is one of some command
    (the subcommands' own --help then did not exist). Returns (top, subs,
    loose): loose, the options when options could not be told
    apart by command: a list of them, else []."""
    text = help_text([box_run, "--help"])
    if is_cli11(text):
        top, subs = cli11_program(box_run)
        return top, subs, []
    top = Command()
    names = re.findall(r"^(?:Usage:)?\s+box-run ([a-z][a-z-]*)", text, re.M)
    top.subcommands = list(dict.fromkeys(names))
    return top, {name: Command() for name in top.subcommands}, usage_options(text, "box-run")
