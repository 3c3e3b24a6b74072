#!/usr/bin/env python3
"""Independent oracle for the checker mutation suite.

Runs onnx.checker.check_model(full_check=True) from Debian's python3-onnx on every mutated model that
OnnxCheckerMutationTests.DumpMutatedModelsForTheOnnxCheckerComparison wrote (set BUILDCONVERT_MUTATION_DUMP to a
folder and run that test), and compares with the 'onnx_rejects' column of expectations.tsv.

Usage: /usr/bin/python3 eng/checker/compare-mutations.py <dump-folder> [-v]   (-v: also print our first message)
Exit status 1 when onnx.checker disagrees with a recorded expectation or accepts nothing/rejects the valid base.
"""
import os
import subprocess
import sys

import onnx

CHILD = """
import sys, onnx, onnx.checker
try:
    onnx.checker.check_model(sys.argv[1], full_check=True)
    print("accepts")
except Exception as e:
    text = str(e).strip()
    print("rejects " + (text.splitlines()[0][:140] if text else type(e).__name__))
"""


def verdict(path):
    # Each check runs in its own process: onnx 1.12 crashes (stack overflow) on some hostile models.
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, path], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return "rejects", "(timed out)"
    if done.returncode != 0:
        return "rejects", f"(onnx.checker crashed, exit status {done.returncode})"
    status, _, why = done.stdout.strip().partition(" ")
    return status, why


def main():
    folder = sys.argv[1]
    print(f"onnx {onnx.__version__}")
    status, why = verdict(os.path.join(folder, "valid.onnx"))
    print(f"valid.onnx: {status} {why}")
    bad = status != "accepts"
    rows = [line.rstrip("\n").split("\t") for line in open(os.path.join(folder, "expectations.tsv"))][1:]
    agree = 0
    for name, code, rejects, *ours in rows:
        status, why = verdict(os.path.join(folder, name + ".onnx"))
        expected = "rejects" if rejects == "yes" else "accepts"
        mark = "ok " if status == expected else "DIFF"
        if status == expected:
            agree += 1
        else:
            bad = True
        print(f"{mark} {name:42s} {code} onnx {status}: {why}")
        if ours and ours[0] and "-v" in sys.argv[2:]:
            print(f"     {'':42s} ours: {ours[0][:200]}")
    print(f"{agree}/{len(rows)} agree with the recorded onnx.checker verdicts")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
