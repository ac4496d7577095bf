#!/usr/bin/env python3
"""The measuring half of bench/lifecycle/run, run as the test bed's user.

Prints Markdown tables: start/stop latency of a box and of a plain unit
running the same program (interleaved), supervisor memory for N idle boxes,
box-manager's memory and ListContainers latency with many definitions.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import time

HOME = os.path.expanduser("~")
ROOTFS = os.path.join(HOME, "bench-rootfs")
DEFS = os.path.join(HOME, ".config/box/containers")
UNITS = os.path.join(HOME, ".config/systemd/user")
PROGRAM = ["sleep", "100000"]


def systemctl(*args, check=True):
    r = subprocess.run(["systemctl", "--user", "--no-pager", *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"systemctl {' '.join(args)}: {r.stdout}{r.stderr}")
    return r


def show(unit, prop):
    return systemctl("show", "-p", prop, "--value", unit).stdout.strip()


def make_rootfs():
    shutil.rmtree(ROOTFS, ignore_errors=True)
    for d in ("bin", "proc", "dev", "sys", "tmp", "etc"):
        os.makedirs(os.path.join(ROOTFS, d))
    shutil.copy("/bin/busybox", os.path.join(ROOTFS, "bin/busybox"))
    for applet in ("sh", "sleep"):
        os.symlink("busybox", os.path.join(ROOTFS, "bin", applet))


def define(name):
    with open(os.path.join(DEFS, name + ".yaml"), "w") as f:
        f.write(f"rootfs: {ROOTFS}\ncommand: [{PROGRAM[0]}, '{PROGRAM[1]}']\n")


def timed(*args):
    t0 = time.perf_counter()
    systemctl(*args)
    return (time.perf_counter() - t0) * 1000.0


def p95(values):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def latency(cycles):
    define("bench")
    with open(os.path.join(UNITS, "bench-plain.service"), "w") as f:
        # Ready once the program has been exec'd, as box@ says READY=1.
        f.write("[Service]\nType=exec\nExecStart=/bin/busybox " + " ".join(PROGRAM) + "\n")
    systemctl("daemon-reload")
    units = {"box@bench.service": "box", "bench-plain.service": "plain"}
    start = {k: [] for k in units.values()}
    stop = {k: [] for k in units.values()}
    for i in range(cycles + 3):
        for unit, key in units.items():
            s = timed("start", unit)
            t = timed("stop", unit)
            if i >= 3:  # warm-up
                start[key].append(s)
                stop[key].append(t)
    print(f"\n### systemctl --user start/stop, {cycles} interleaved cycles (ms)\n")
    print("| unit | start median | start p95 | stop median | stop p95 |")
    print("| --- | --- | --- | --- | --- |")
    for key, label in (("box", "box@bench (box-run, busybox sleep)"),
                       ("plain", "plain unit (Type=exec, busybox sleep)")):
        print(f"| {label} | {statistics.median(start[key]):.2f} | {p95(start[key]):.2f} | "
              f"{statistics.median(stop[key]):.2f} | {p95(stop[key]):.2f} |")
    print(f"| difference (box - plain) | "
          f"{statistics.median(start['box']) - statistics.median(start['plain']):+.2f} | | "
          f"{statistics.median(stop['box']) - statistics.median(stop['plain']):+.2f} | |")
    os.remove(os.path.join(UNITS, "bench-plain.service"))
    os.remove(os.path.join(DEFS, "bench.yaml"))


def rollup(pid):
    """(private KiB, Pss KiB) of a process, from smaps_rollup."""
    private = pss = 0
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("Private_Clean", "Private_Dirty"):
                private += int(rest.split()[0])
            elif key == "Pss":
                pss = int(rest.split()[0])
    return private, pss


def memory(counts):
    print("\n### Supervisor (box-run) memory, N idle boxes (KiB)\n")
    print("| N | first box private | further boxes private (mean) | Pss per box (mean) |")
    print("| --- | --- | --- | --- |")
    for n in counts:
        names = [f"mem{i}" for i in range(n)]
        for name in names:
            define(name)
        systemctl("daemon-reload")
        units = [f"box@{name}.service" for name in names]
        systemctl("start", *units)
        time.sleep(0.5)
        stats = [rollup(int(show(u, "MainPID"))) for u in units]
        first = stats[0][0]
        further = statistics.mean(s[0] for s in stats[1:]) if n > 1 else float("nan")
        pss = statistics.mean(s[1] for s in stats)
        print(f"| {n} | {first} | {further:.0f} | {pss:.0f} |")
        systemctl("stop", *units)
        for name in names:
            os.remove(os.path.join(DEFS, name + ".yaml"))
    systemctl("daemon-reload")


def manager(definitions, running):
    names = [f"def{i:04d}" for i in range(definitions)]
    for name in names:
        define(name)
    systemctl("daemon-reload")
    units = [f"box@{name}.service" for name in names[:running]]
    systemctl("start", *units)
    call = ["busctl", "--user", "call", "dev.boxctl.box1", "/dev/boxctl/box1",
            "dev.boxctl.box1.Manager", "ListContainers"]
    subprocess.run(call, capture_output=True, check=True)  # activates it
    times = []
    for _ in range(30):
        t0 = time.perf_counter()
        subprocess.run(call, capture_output=True, check=True)
        times.append((time.perf_counter() - t0) * 1000.0)
    pid = show("box-manager.service", "MainPID")
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    print(f"\n### box-manager with {definitions} definitions, {running} running\n")
    print("| RSS (KiB) | ListContainers median (ms) | p95 (ms) |")
    print("| --- | --- | --- |")
    print(f"| {rss} | {statistics.median(times):.2f} | {p95(times):.2f} |")
    systemctl("stop", *units)
    for name in names:
        os.remove(os.path.join(DEFS, name + ".yaml"))
    systemctl("daemon-reload")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cycles", type=int, default=50)
    ap.add_argument("--boxes", default="1 10 100")
    ap.add_argument("--definitions", type=int, default=1000)
    ap.add_argument("--running", type=int, default=100)
    a = ap.parse_args()
    os.makedirs(DEFS, exist_ok=True)
    os.makedirs(UNITS, exist_ok=True)
    make_rootfs()
    print(f"bench/lifecycle on {os.uname().release}, {os.cpu_count()} cores")
    latency(a.cycles)
    memory([int(n) for n in a.boxes.split()])
    manager(a.definitions, a.running)


if __name__ == "__main__":
    main()
