#!/usr/bin/env bash
# Benchmarks `buildconvert check` against Debian's onnx.checker.check_model on the same large models (whole-process
# wall times, side by side in one run), the no-op rebuild cost of a project with 10 <OnnxModel> items, and the cost of a
# fresh clone of that project whose conversion cache holds every model (eng/bench/cache-hit.sh).
# Writes the results into docs/benchmarks.md (between the bench:begin/bench:end and bench-cache markers) unless --no-doc is given.
#
# Usage: bash eng/bench/run.sh [--runs N] [--noop-runs N] [--warmup N] [--no-doc] [--skip-check] [--skip-noop] [--skip-cache]
# Environment: BENCH_TIMER=hyperfine|builtin (default: hyperfine when installed), BENCH_WORK=<scratch folder>.
# Commands are timed in interleaved rounds (eng/bench/measure.py): the machine is shared, and load bursts must fall on
# every command alike.
# Needs: /usr/bin/python3 with python3-torch, python3-torchvision, python3-onnx (apt); hyperfine (apt) optional.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bench=$root/eng/bench
work=${BENCH_WORK:-$bench/.work}
py=/usr/bin/python3
runs=10
noop_runs=20
warmup=2
write_doc=1
do_check=1
do_noop=1
do_cache=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --noop-runs) noop_runs=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --no-doc) write_doc=0; shift ;;
    --skip-check) do_check=0; shift ;;
    --skip-noop) do_noop=0; shift ;;
    --skip-cache) do_cache=0; shift ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

case "$root$work" in
  *[[:space:]\'\"]*) echo "the timed command lines embed paths: run from a path without spaces or quotes" >&2; exit 2 ;;
esac

timer=${BENCH_TIMER:-}
if [ -z "$timer" ]; then
  if command -v hyperfine >/dev/null 2>&1; then timer=hyperfine; else timer=builtin; fi
fi
if [ "$timer" = hyperfine ] && ! command -v hyperfine >/dev/null 2>&1; then
  echo "BENCH_TIMER=hyperfine but hyperfine is not installed (apt-get install hyperfine)" >&2
  exit 2
fi

results=$work/results
mkdir -p "$results"
rm -f "$results"/*.json "$results"/*.txt

# time_commands OUT.json NAME CMD [NAME CMD ...]: interleaved rounds (measure.py), hyperfine's JSON layout.
time_commands() {
  local out=$1; shift
  local args=()
  while [ $# -gt 0 ]; do args+=(-n "$1" "$2"); shift 2; done
  "$py" "$bench/measure.py" --timer "$timer" --warmup "$warmup" --runs "$runs" --export-json "$out" "${args[@]}"
}

# expect_exit CODE|nonzero DESCRIPTION CMD...: a sanity probe; the benchmark is meaningless if a command does not do its job.
expect_exit() {
  local want=$1 what=$2; shift 2
  local got=0
  "$@" >"$results/probe.log" 2>&1 || got=$?
  if { [ "$want" = nonzero ] && [ "$got" -eq 0 ]; } || { [ "$want" != nonzero ] && [ "$got" -ne "$want" ]; }; then
    echo "probe failed: $what exited $got, expected $want" >&2
    tail -20 "$results/probe.log" >&2
    return 1
  fi
}

{
  echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "timer=$timer"
  echo "runs=$runs"
  echo "noop_runs=$noop_runs"
  echo "warmup=$warmup"
  echo "hyperfine=$(hyperfine --version 2>/dev/null || echo none)"
  echo "dotnet_sdk=$(dotnet --version)"
  echo "dotnet_runtimes=$(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ {print $2}' | paste -sd, -)"
  echo "os=$(. /etc/os-release && echo "$PRETTY_NAME") (debian_version $(cat /etc/debian_version 2>/dev/null || echo ?))"
  echo "kernel=$(uname -r)"
  echo "cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "cores=$(nproc)"
  echo "memory_gib=$(awk '/MemTotal/ {printf "%.1f", $2/1048576}' /proc/meminfo)"
  echo "loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$results/environment.txt"

if [ "$do_check" = 1 ]; then
  "$py" -c "import torch, torchvision, onnx" 2>/dev/null || {
    echo "needs Debian's reference packages: apt-get install -y --no-install-recommends python3-torch python3-torchvision python3-onnx" >&2
    exit 2
  }
  models=$work/models
  "$py" "$bench/make-models.py" --out "$models"
  cp "$models/versions.json" "$results/models.json"

  tool_project=$root/src/BuildConvert.Tool/BuildConvert.Tool.csproj
  echo "building the tool (Release) ..."
  dotnet build "$tool_project" -c Release -nologo -v q -clp:ErrorsOnly
  dll=$(dotnet msbuild "$tool_project" -nologo -p:Configuration=Release -getProperty:TargetPath)
  [ -f "$dll" ] || { echo "tool assembly not found: $dll" >&2; exit 1; }

  # A truncated model must be rejected by both checkers: this proves each command really checks before it is timed.
  broken=$work/broken.onnx
  head -c 1000000 "$models/resnet18.onnx" >"$broken"
  ours=1
  if ! expect_exit 0 "buildconvert check resnet18.onnx" dotnet "$dll" check "$models/resnet18.onnx" \
     || ! expect_exit 1 "buildconvert check <truncated model>" dotnet "$dll" check "$broken"; then
    echo "buildconvert check is not usable in this build; timing the Python side only" >&2
    ours=0
  fi
  echo "ours_available=$ours" >>"$results/environment.txt"
  expect_exit 0 "onnx.checker on resnet18.onnx" \
    "$py" -c "import onnx; onnx.checker.check_model('$models/resnet18.onnx', full_check=True)"
  expect_exit nonzero "onnx.checker on a truncated model" \
    "$py" -c "import onnx; onnx.checker.check_model('$broken', full_check=True)"

  copy_dir=$work/copy
  mkdir -p "$copy_dir"
  for spec in "resnet18:resnet18.onnx" "resnet50:resnet50.onnx" "resnet50-external:resnet50-external/model.onnx"; do
    name=${spec%%:*}
    model=$models/${spec#*:}
    copy_sources=("$model")
    [ -f "$model.data" ] && copy_sources+=("$model.data")
    cmds=(
      "cp (floor)" "cp ${copy_sources[*]} $copy_dir/"
      "python3 -c 'import onnx' (interpreter + import)" "$py -c 'import onnx'"
      "onnx.checker.check_model(path)" "$py -c \"import onnx; onnx.checker.check_model('$model')\""
      "onnx.checker.check_model(path, full_check=True)" "$py -c \"import onnx; onnx.checker.check_model('$model', full_check=True)\""
      "onnx.load + check_model(proto, full_check=True)" "$py -c \"import onnx; m = onnx.load('$model'); onnx.checker.check_model(m, full_check=True)\""
    )
    if [ "$ours" = 1 ]; then
      if dotnet "$dll" --version >/dev/null 2>&1; then
        cmds+=("dotnet buildconvert --version (startup)" "dotnet $dll --version")
      fi
      cmds+=("dotnet buildconvert check" "dotnet $dll check $model")
    fi
    echo "== $name =="
    time_commands "$results/check-$name.json" "${cmds[@]}"
  done
  rm -rf "$copy_dir" "$broken"
fi

if [ "$do_noop" = 1 ]; then
  if ! bash "$bench/noop-rebuild.sh" --runs "$noop_runs" --out "$results/noop-rebuild.json" --warmup "$warmup" --work "$work/noop" --timer "$timer"; then
    echo "no-op rebuild benchmark did not run (see above)" >&2
    echo "noop_unavailable=1" >>"$results/environment.txt"
  fi
fi

if [ "$do_cache" = 1 ]; then
  if ! bash "$bench/cache-hit.sh" --runs "$noop_runs" --out "$results/cache-hit.json" --warmup "$warmup" --work "$work/cache-hit" --timer "$timer"; then
    echo "cache-hit benchmark did not run (see above)" >&2
  fi
fi

echo "loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$results/environment.txt"

doc_args=()
[ "$write_doc" = 1 ] && doc_args=(--doc "$root/docs/benchmarks.md")
"$py" "$bench/report.py" --results "$results" "${doc_args[@]}"
if [ "$do_cache" = 1 ]; then
  "$py" "$bench/cache-report.py" --results "$results" "${doc_args[@]}"
fi
