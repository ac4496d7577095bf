# fish completion for boxctl, installed as
# share/fish/vendor_completions.d/boxctl.fish (where Debian's fish loads
# vendor completions from on first use). tests/docs/check-completions checks
# that it offers every command and option `boxctl --help` lists.

# The command: the first word after boxctl that is not an option.
function __boxctl_command
    for w in (commandline -opc)[2..]
        if not string match -q -- '-*' $w
            echo $w
            return 0
        end
    end
    return 1
end

# Whether the command is one of the arguments.
function __boxctl_using
    set -l cmd (__boxctl_command); or return 1
    contains -- $cmd $argv
end

function __boxctl_names
    # Container names from box-manager; nothing when it cannot be reached.
    command -q boxctl; and boxctl list --quiet 2>/dev/null
end

function __boxctl_images
    # Installed images (read from their files: no box-manager needed).
    command -q boxctl; and boxctl images 2>/dev/null | tail -n +2 | string replace -r ' .*' ''
end

# The arguments after the command that are neither options nor their values.
function __boxctl_args
    set -l words (commandline -opc)
    set -e words[1..2]
    set -l n 0
    set -l skip 0
    for w in $words
        if test $skip = 1
            set skip 0
        else if contains -- $w -n --lines --since -s --signal -e --env -w --workdir --set --max-size --allow-bind --allow-host-file --allow-host-namespace
            set skip 1
        else if not string match -q -- '-*' $w
            set n (math $n + 1)
        end
    end
    echo $n
end

function __boxctl_nargs -a count
    test (__boxctl_args) = $count
end

complete -c boxctl -f
complete -c boxctl -n 'not __boxctl_command' -s h -l help -d 'Print help and exit'
complete -c boxctl -n 'not __boxctl_command' -l version -d 'Print the version and exit'
complete -c boxctl -n '__boxctl_command' -s h -l help -d 'Print help and exit'

complete -c boxctl -n 'not __boxctl_command' -a doctor -d 'Check this machine for what box needs'
complete -c boxctl -n 'not __boxctl_command' -a list -d 'List containers and their state'
complete -c boxctl -n 'not __boxctl_command' -a status -d "Show a container's state and last log lines"
complete -c boxctl -n 'not __boxctl_command' -a start -d 'Start containers and wait until they run'
complete -c boxctl -n 'not __boxctl_command' -a stop -d 'Stop containers and wait until they stopped'
complete -c boxctl -n 'not __boxctl_command' -a restart -d 'Restart containers and wait'
complete -c boxctl -n 'not __boxctl_command' -a kill -d "Send a signal to a container's PID 1"
complete -c boxctl -n 'not __boxctl_command' -a enable -d 'Start containers with the user manager'
complete -c boxctl -n 'not __boxctl_command' -a disable -d 'Stop starting containers with the user manager'
complete -c boxctl -n 'not __boxctl_command' -a reload -d 'Reload the user manager and re-read all definitions'
complete -c boxctl -n 'not __boxctl_command' -a logs -d "Show a container's log"
complete -c boxctl -n 'not __boxctl_command' -a enter -d 'Run a command inside a running container'
complete -c boxctl -n 'not __boxctl_command' -a run -d 'Run a command in a root filesystem in the foreground'
complete -c boxctl -n 'not __boxctl_command' -a validate -d 'Check definition files'
complete -c boxctl -n 'not __boxctl_command' -a version -d 'Print the versions of boxctl and box-manager'
complete -c boxctl -n 'not __boxctl_command' -a install -d 'Install a container from an image or bundle'
complete -c boxctl -n 'not __boxctl_command' -a uninstall -d 'Stop and remove an installed container'
complete -c boxctl -n 'not __boxctl_command' -a images -d 'List installed images'

complete -c boxctl -n '__boxctl_using doctor list status logs validate version install images' -l json -d 'Print JSON for scripts'

complete -c boxctl -n '__boxctl_using list' -s q -l quiet -d 'Print only the names'
complete -c boxctl -n '__boxctl_using list images' -l no-legend -d 'No header line'
complete -c boxctl -n '__boxctl_using list images status logs' -l no-pager -d 'Never page'
complete -c boxctl -n '__boxctl_using status' -l no-legend -d 'Accepted, as systemctl status'

complete -c boxctl -n '__boxctl_using status' -s n -l lines -x -d 'Log lines to show (0: none)'
complete -c boxctl -n '__boxctl_using status logs enter; and __boxctl_nargs 0' -a '(__boxctl_names)'

complete -c boxctl -n '__boxctl_using start stop restart enable disable' -a '(__boxctl_names)'

set -l signals TERM KILL HUP INT QUIT USR1 USR2 SIGRTMIN+3 RTMIN+3
complete -c boxctl -n '__boxctl_using kill' -s s -l signal -x -a "$signals" -d 'The signal'
complete -c boxctl -n '__boxctl_using kill; and __boxctl_nargs 0' -a '(__boxctl_names)'
complete -c boxctl -n '__boxctl_using kill; and __boxctl_nargs 1' -a "$signals"

complete -c boxctl -n '__boxctl_using logs' -s f -l follow -d 'Keep printing new lines'
complete -c boxctl -n '__boxctl_using logs' -s n -l lines -x -d 'Show only the last N lines'
complete -c boxctl -n '__boxctl_using logs' -l since -x -d 'Show lines since a time'

complete -c boxctl -n '__boxctl_using enter; and __boxctl_nargs 0' -s t -l tty -d 'Give the command a terminal'
complete -c boxctl -n '__boxctl_using enter; and __boxctl_nargs 0' -s T -l no-tty -d 'Never give the command a terminal'
complete -c boxctl -n '__boxctl_using enter; and __boxctl_nargs 0' -s e -l env -x -d "Set KEY=VALUE in the command's environment"
complete -c boxctl -n '__boxctl_using enter; and __boxctl_nargs 0' -s w -l workdir -x -d 'Working directory inside'
complete -c boxctl -n '__boxctl_using enter; and not __boxctl_nargs 0' -a '(__fish_complete_subcommand --fcs-skip=3)'

complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -a '(__fish_complete_directories)'

complete -c boxctl -n '__boxctl_using validate' -F

complete -c boxctl -n '__boxctl_using install' -l user -d 'Install for the calling user'
complete -c boxctl -n '__boxctl_using install' -l replace -d 'Install over an existing container of that name'
complete -c boxctl -n '__boxctl_using install' -l set -x -d "KEY=VALUE for the image's Atomic templates"
complete -c boxctl -n '__boxctl_using install' -l max-size -x -d 'Most the image may unpack to'
complete -c boxctl -n '__boxctl_using install' -l list -d 'List installed images'
complete -c boxctl -n '__boxctl_using install' -l dry-run -d 'Show what the install would do; change nothing'
complete -c boxctl -n '__boxctl_using install' -l allow-bind -r -F -d 'Let the image bind this host path'
complete -c boxctl -n '__boxctl_using install' -l allow-host-file -r -F -d 'Let the image install this host file'
complete -c boxctl -n '__boxctl_using install' -l allow-host-namespace -x -a 'pid ipc' -d 'Let the container share this namespace'
complete -c boxctl -n '__boxctl_using install' -l allow-autostart -d 'Let the image start the container at every login'
complete -c boxctl -n '__boxctl_using install; and __boxctl_nargs 0' -F -a 'oci: oci-archive: docker-archive:'

complete -c boxctl -n '__boxctl_using uninstall' -l purge -d 'Also remove its data directories'
complete -c boxctl -n '__boxctl_using uninstall' -l user -d 'For the calling user'
complete -c boxctl -n '__boxctl_using uninstall; and __boxctl_nargs 0' -a '(__boxctl_images)'
