#!/usr/bin/python3
"""Times whole commands, like hyperfine, and writes hyperfine's JSON layout.

Used by run.sh when hyperfine is not installed, or when BENCH_RUNNER=loop asks for it. Runs are interleaved
(round robin over the commands), so background load on a shared machine spreads over every command alike.
Every run's exit code is recorded; a non-zero exit fails the measurement unless --ignore-failure is given.

Usage: measure.py --runs N [--warmup W] [--prepare CMD] --export-json OUT -n NAME CMD [-n NAME CMD ...]
Commands are run by /bin/sh -c. --prepare runs before every timed run of every command (not timed).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--prepare", default=None)
    parser.add_argument("--export-json", required=True)
    parser.add_argument("--ignore-failure", action="store_true")
    parser.add_argument("-n", "--command-name", action="append", default=[])
    parser.add_argument("commands", nargs="+")
    args = parser.parse_args(argv)
    if args.command_name and len(args.command_name) != len(args.commands):
        parser.error("give one --command-name per command")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def run_once(command):
    before = os.times()
    start = time.perf_counter()
    completed = subprocess.run(["/bin/sh", "-c", command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    after = os.times()
    user = after.children_user - before.children_user
    system = after.children_system - before.children_system
    return elapsed, user, system, completed.returncode, completed.stderr.decode("utf-8", "replace")


def main(argv):
    args = parse(argv)
    names = args.command_name or args.commands
    samples = {command: {"times": [], "user": [], "system": [], "exit_codes": []} for command in args.commands}

    for _ in range(args.warmup):
        for command in args.commands:
            if args.prepare:
                subprocess.run(["/bin/sh", "-c", args.prepare], check=True)
            run_once(command)

    for _ in range(args.runs):
        for name, command in zip(names, args.commands):
            if args.prepare:
                subprocess.run(["/bin/sh", "-c", args.prepare], check=True)
            elapsed, user, system, code, stderr = run_once(command)
            if code != 0 and not args.ignore_failure:
                sys.stderr.write(f"command '{name}' exited with {code}:\n{stderr}\n")
                return 1
            entry = samples[command]
            entry["times"].append(elapsed)
            entry["user"].append(user)
            entry["system"].append(system)
            entry["exit_codes"].append(code)

    results = []
    for name, command in zip(names, args.commands):
        entry = samples[command]
        times = entry["times"]
        results.append({
            "command": name,
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
        print(f"{name}: median {statistics.median(times):.3f} s, min {min(times):.3f} s ({len(times)} runs)")

    with open(args.export_json + ".tmp", "w") as stream:
        json.dump({"results": results, "runner": "measure.py (interleaved)"}, stream, indent=2)
    os.replace(args.export_json + ".tmp", args.export_json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
