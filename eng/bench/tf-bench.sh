#!/usr/bin/env bash
# TensorFlow conversion speed and memory, against a plain copy of the same bytes, in one run:
#  - the largest GraphDef/SavedModel models of ../shared/corpora/tensorflow, and
#  - a synthetic frozen GraphDef with 512 MiB of weights (eng/bench/make-large-graphdef.py: two 8192x8192 dense layers).
# For each: whole-process wall time of `buildconvert convert` (the tool compiled ahead of time, eng/publish-native.sh;
# interleaved rounds, eng/bench/measure.py) and of
# `cp -r` of the model's files, and the peak resident / anonymous memory of each (eng/bench/peak-memory.py).
# Writes the results into docs/benchmarks.md (between the bench-tf markers) unless --no-doc is given.
# Usage: bash eng/bench/tf-bench.sh [--runs N] [--warmup N] [--no-doc]
# Needs: /usr/bin/python3 with python3-numpy (apt); ../shared/corpora beside the clone.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bench=$root/eng/bench
work=${BENCH_WORK:-$bench/.work}/tf
py=/usr/bin/python3
runs=5
warmup=1
write_doc=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --no-doc) write_doc=0; shift ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
case "$root$work" in
  *[[:space:]\'\"]*) echo "the timed command lines embed paths: run from a path without spaces or quotes" >&2; exit 2 ;;
esac
"$py" -c "import numpy" 2>/dev/null || { echo "needs Debian's python3-numpy: apt-get install -y --no-install-recommends python3-numpy" >&2; exit 2; }
corpus=$root/../shared/corpora/tensorflow
[ -d "$corpus" ] || { echo "the corpus is not at $corpus" >&2; exit 2; }

rm -rf "$work"
mkdir -p "$work/results" "$work/out"
results=$work/results
echo "publishing the tool compiled ahead of time (eng/publish-native.sh) ..."
native=$(bash "$root/eng/publish-native.sh" "$work/native" | tail -1)
{
  echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "dotnet_sdk=$(dotnet --version)"
  echo "cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "cores=$(nproc)"
  echo "loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$results/environment.txt"

# name | model path (file or folder) | extra convert arguments
models=(
  "mlnet-mnist-conv-saved-model|$corpus/mlnet-mnist-conv-saved-model|"
  "mlnet-cifar-frozen|$corpus/mlnet-cifar-frozen/frozen_model.pb|"
  "tf2onnx-fc-layers-frozen|$corpus/tf2onnx-fc-layers-frozen/frozen.pb|--inputs X:0 --outputs output:0"
  "tract-hey-snips-v3|$corpus/tract-hey-snips-v3/hey_snips_3.pb|--input-shapes inputs:0:-1,40"
)
large=$work/large-512mib.pb
"$py" "$bench/make-large-graphdef.py" "$large" | tee "$results/large.txt"
models+=("synthetic 512 MiB frozen GraphDef|$large|--inputs x:0 --outputs y:0")

: >"$results/models.tsv"
i=0
for entry in "${models[@]}"; do
  IFS='|' read -r name path extra <<<"$entry"
  i=$((i + 1))
  bytes=$(du -sb "$path" | cut -f1)
  out=$work/out/m$i.onnx
  # shellcheck disable=SC2086
  if ! "$native" convert "$path" -o "$out" $extra >"$work/out/m$i.log" 2>&1; then
    printf '%s\t%s\tfailed\t%s\n' "$name" "$bytes" "$(grep -o 'BCONV[0-9]*' "$work/out/m$i.log" | head -1)" >>"$results/models.tsv"
    continue
  fi
  "$py" "$bench/measure.py" --runs "$runs" --warmup "$warmup" --export-json "$results/m$i-time.json" \
    -n "cp" "cp -r $path $work/out/copy$i" \
    -n "convert" "$native convert $path -o $out $extra"
  # shellcheck disable=SC2086
  ours=$("$py" "$bench/peak-memory.py" "$native" convert "$path" -o "$out" $extra)
  copy=$("$py" "$bench/peak-memory.py" cp -r "$path" "$work/out/copy$i-mem")
  rm -rf "$work/out/copy$i" "$work/out/copy$i-mem"
  printf '%s\t%s\tok\t%s\t%s\t%s\n' "$name" "$bytes" "m$i-time.json" "$ours" "$copy" >>"$results/models.tsv"
done
rm -f "$large"
echo "loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$results/environment.txt"

if [ "$write_doc" = 1 ]; then
  "$py" "$bench/tf-report.py" --results "$results" --doc "$root/docs/benchmarks.md"
else
  "$py" "$bench/tf-report.py" --results "$results"
fi
