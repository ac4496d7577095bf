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
        else if contains -- $w -n --lines --since -s --signal -e --env -w --workdir --set --max-size -f --filename --image --allow-bind --allow-host-file --allow-host-namespace --name --network -p --publish --overlay-driver -v --volume --bind --ro-bind --tmpfs --device -u --user --userns --hostname --init --cap-add --cap-drop --seccomp --share
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
complete -c boxctl -n 'not __boxctl_command' -a validate -d 'Check definitions as start would'
complete -c boxctl -n 'not __boxctl_command' -a version -d 'Print the versions of boxctl and box-manager'
complete -c boxctl -n 'not __boxctl_command' -a install -d 'Install a container from an image or bundle'
complete -c boxctl -n 'not __boxctl_command' -a uninstall -d 'Stop and remove an installed container'
complete -c boxctl -n 'not __boxctl_command' -a images -d 'List installed images'
complete -c boxctl -n 'not __boxctl_command' -a export-desktop -d "Put an installed image's desktop entry and icons in your application menu"
complete -c boxctl -n 'not __boxctl_command' -a export -d "Write a box's image with its persistent writes as a new OCI image"
complete -c boxctl -n 'not __boxctl_command' -a commit -d "Install a box's image with its persistent writes as a new image"
complete -c boxctl -n 'not __boxctl_command' -a pause -d 'Freeze every process of running containers'
complete -c boxctl -n 'not __boxctl_command' -a resume -d 'Thaw paused containers'
complete -c boxctl -n 'not __boxctl_command' -a top -d "List a running container's processes"
complete -c boxctl -n 'not __boxctl_command' -a stats -d "Show running containers' CPU time, memory and processes"
complete -c boxctl -n 'not __boxctl_command' -a events -d "Print a running container's state changes and usage"
complete -c boxctl -n 'not __boxctl_command' -a generate -d 'Write boxes as the YAML of another system (kube)'
complete -c boxctl -n 'not __boxctl_command' -a play -d 'Run the YAML of another system as boxes (kube)'

complete -c boxctl -n '__boxctl_using doctor list status logs validate version install images export-desktop export commit top stats' -l json -d 'Print JSON for scripts'

complete -c boxctl -n '__boxctl_using list' -s q -l quiet -d 'Print only the names'
complete -c boxctl -n '__boxctl_using list images top stats' -l no-legend -d 'No header line'
complete -c boxctl -n '__boxctl_using list images status logs' -l no-pager -d 'Never page'
complete -c boxctl -n '__boxctl_using status' -l no-legend -d 'Accepted, as systemctl status'

complete -c boxctl -n '__boxctl_using status' -s n -l lines -x -d 'Log lines to show (0: none)'
complete -c boxctl -n '__boxctl_using status logs enter top events; and __boxctl_nargs 0' -a '(__boxctl_names)'
complete -c boxctl -n '__boxctl_using events' -l interval -x -d 'Seconds between usage lines'
complete -c boxctl -n '__boxctl_using events' -l stats -d 'Print one usage line and exit'

complete -c boxctl -n '__boxctl_using start stop restart enable disable pause resume stats' -a '(__boxctl_names)'

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

complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -a '(__fish_complete_directories) (__boxctl_images)'
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -s i -l interactive -d "The command reads stdin"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -s t -l tty -d "The command gets a terminal"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l rm -d "Keep nothing of the run"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l name -x -d "The run's name"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l network -x -a 'host none private' -d "The network namespace"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -s p -l publish -x -d "Publish a port"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l writable -d "Writes go to a throw-away overlay"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l overlay-driver -x -a 'auto kernel fuse' -d "Who mounts the overlay"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -s v -l volume -r -F -d "Bind a host path"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l bind -r -F -d "Bind a host path"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l ro-bind -r -F -d "Bind a host path read-only"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l tmpfs -x -d "A fresh tmpfs"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l device -x -a 'dri snd kvm fuse input usb' -d "Bind a host device"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -s e -l env -x -d "Add to the environment"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -s u -l user -x -d "Ids inside"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l userns -x -a 'auto single keep-id' -d "The id mapping"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l keep-groups -d "Keep your supplementary groups"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l hostname -x -d "The host name"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -s w -l workdir -x -d "Working directory inside"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l init -x -a 'none tiny' -d "PID 1"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l cap-add -x -d "Add a capability"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l cap-drop -x -d "Drop a capability"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l seccomp -x -a 'default unconfined' -d "The syscall filter"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l share -x -a 'pid ipc uts cgroup' -d "Use the host's namespace"
complete -c boxctl -n '__boxctl_using run; and __boxctl_nargs 0' -l dry-run -d "Print the plan, start nothing"
complete -c boxctl -n '__boxctl_using run; and not __boxctl_nargs 0' -a '(__fish_complete_subcommand --fcs-skip=3)'

complete -c boxctl -n '__boxctl_using validate' -F -a '(__boxctl_names)'

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
complete -c boxctl -n '__boxctl_using install; and __boxctl_nargs 0' -F -a 'oci: oci-archive: docker-archive: docker://'

complete -c boxctl -n '__boxctl_using uninstall' -l purge -d 'Also remove its data directories'
complete -c boxctl -n '__boxctl_using uninstall' -l user -d 'For the calling user'
complete -c boxctl -n '__boxctl_using uninstall; and __boxctl_nargs 0' -a '(__boxctl_images)'

complete -c boxctl -n '__boxctl_using export-desktop' -l app -x -d "The image's desktop file id"
complete -c boxctl -n '__boxctl_using export-desktop' -l remove -d 'Remove what was exported instead'
complete -c boxctl -n '__boxctl_using export-desktop; and __boxctl_nargs 0' -a '(__boxctl_images)'

complete -c boxctl -n '__boxctl_using export commit; and __boxctl_nargs 0' -a '(__boxctl_names)'
complete -c boxctl -n '__boxctl_using export commit; and __boxctl_nargs 1' -F -a 'oci: oci-archive:'
complete -c boxctl -n '__boxctl_using commit' -l replace -d 'Install over an existing image of that name'
# generate kube, play kube: the format first, then its options.
complete -c boxctl -n '__boxctl_using generate; and __boxctl_nargs 0' -a kube -d 'Kubernetes Pods'
complete -c boxctl -n '__boxctl_using play; and __boxctl_nargs 0' -a kube -d 'Kubernetes YAML'
complete -c boxctl -n '__boxctl_using generate; and not __boxctl_nargs 0' -s f -l filename -r -F -d 'Write the YAML to this file'
complete -c boxctl -n '__boxctl_using generate; and not __boxctl_nargs 0' -l claims -d "Binds of a box's own data as PersistentVolumeClaims"
complete -c boxctl -n '__boxctl_using generate; and not __boxctl_nargs 0' -a '(__boxctl_names)'
complete -c boxctl -n '__boxctl_using play; and not __boxctl_nargs 0' -l down -d 'Stop and remove what playing FILE made'
complete -c boxctl -n '__boxctl_using play; and not __boxctl_nargs 0' -l replace -d 'Play FILE again over its earlier play'
complete -c boxctl -n '__boxctl_using play; and not __boxctl_nargs 0' -l image -x -d 'REF=NAME or REF=SOURCE'
complete -c boxctl -n '__boxctl_using play; and not __boxctl_nargs 0' -l ignore-probes -d 'Play containers with probes without them'
complete -c boxctl -n '__boxctl_using play; and not __boxctl_nargs 0' -l allow-host-namespace -x -a 'pid ipc' -d 'Let a Pod share this namespace with the host'
complete -c boxctl -n '__boxctl_using play; and not __boxctl_nargs 0' -l no-start -d 'Write the boxes, do not start them'
complete -c boxctl -n '__boxctl_using play; and not __boxctl_nargs 0' -l json -d 'Print JSON for scripts'
complete -c boxctl -n '__boxctl_using play; and __boxctl_nargs 1' -F
