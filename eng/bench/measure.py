#!/usr/bin/python3
"""Times whole commands in interleaved rounds and writes hyperfine's JSON layout.

Each round runs every command once, in an order rotated from round to round, so that the background load of a shared
machine falls on every command alike (timing all runs of one command, then all of the next, would let a burst of load
land on one of them only). The first --warmup rounds are not recorded.

Timers: --timer hyperfine (each round is one `hyperfine --runs 1` call over all commands; hyperfine subtracts the
shell's start-up) or --timer builtin (time.perf_counter around `/bin/sh -c`). Every exit code is recorded; a non-zero
exit stops the measurement unless --ignore-failure is given.

Usage: measure.py --runs N [--warmup W] [--timer hyperfine|builtin] --export-json OUT -n NAME CMD [-n NAME CMD ...]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--timer", choices=("hyperfine", "builtin"), default="builtin")
    parser.add_argument("--export-json", required=True)
    parser.add_argument("--ignore-failure", action="store_true")
    parser.add_argument("-n", "--command-name", action="append", default=[])
    parser.add_argument("commands", nargs="+")
    args = parser.parse_intermixed_args(argv)
    if args.command_name and len(args.command_name) != len(args.commands):
        parser.error("give one --command-name per command")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def builtin_round(commands):
    """Runs each (name, command) once; returns {name: (seconds, user, system, exit code, stderr)}."""
    measured = {}
    for name, command in commands:
        before = os.times()
        start = time.perf_counter()
        completed = subprocess.run(["/bin/sh", "-c", command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        after = os.times()
        measured[name] = (
            elapsed,
            after.children_user - before.children_user,
            after.children_system - before.children_system,
            completed.returncode,
            completed.stderr.decode("utf-8", "replace"),
        )
    return measured


def hyperfine_round(commands):
    fd, path = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        argv = ["hyperfine", "--style", "none", "--runs", "1", "--warmup", "0", "--ignore-failure", "--export-json", path]
        for name, command in commands:
            argv += ["-n", name, command]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(path) as stream:
            results = json.load(stream)["results"]
    finally:
        os.remove(path)
    measured = {}
    for entry in results:
        code = (entry.get("exit_codes") or [0])[0]
        measured[entry["command"]] = (entry["times"][0], entry["user"], entry["system"], code, "")
    return measured


def main(argv):
    args = parse(argv)
    names = args.command_name or args.commands
    if len(set(names)) != len(names):
        sys.stderr.write("command names must be unique\n")
        return 2
    pairs = list(zip(names, args.commands))
    run_round = hyperfine_round if args.timer == "hyperfine" else builtin_round
    samples = {name: {"times": [], "user": [], "system": [], "exit_codes": []} for name in names}

    for index in range(args.warmup + args.runs):
        shift = index % len(pairs)
        measured = run_round(pairs[shift:] + pairs[:shift])
        for name, (elapsed, user, system, code, stderr) in measured.items():
            if code != 0 and not args.ignore_failure:
                sys.stderr.write(f"command '{name}' exited with {code}\n{stderr}\n")
                if args.timer == "hyperfine":
                    sys.stderr.write("run it by hand (or with --timer builtin) to see its error output\n")
                return 1
            if index < args.warmup:
                continue
            entry = samples[name]
            entry["times"].append(elapsed)
            entry["user"].append(user)
            entry["system"].append(system)
            entry["exit_codes"].append(code)

    results = []
    for name, command in pairs:
        entry = samples[name]
        times = entry["times"]
        results.append({
            "command": name,
            "command_line": command,
            "mean": statistics.fmean(times),
            "stddev": statistics.stdev(times) if len(times) > 1 else 0.0,
            "median": statistics.median(times),
            "user": statistics.fmean(entry["user"]),
            "system": statistics.fmean(entry["system"]),
            "min": min(times),
            "max": max(times),
            "times": times,
            "exit_codes": entry["exit_codes"],
        })
        print(f"  {name}: median {statistics.median(times):.3f} s, min {min(times):.3f} s, max {max(times):.3f} s ({len(times)} runs)")

    with open(args.export_json + ".tmp", "w") as stream:
        json.dump({"timer": args.timer, "interleaved": True, "results": results}, stream, indent=2)
    os.replace(args.export_json + ".tmp", args.export_json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
