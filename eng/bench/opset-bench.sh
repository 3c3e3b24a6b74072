#!/usr/bin/env bash
# Opset conversion, side by side with onnx.version_converter (Debian python3-onnx 1.12), in one run:
#  1. A full-size ResNet-50 written at opset 9 (eng/bench/make-resnet50-opset9.py) converted to opset 13: whole-process
#     wall time of `buildconvert convert --opset 13`, of onnx.version_converter (load, convert, save) and of a plain
#     `cp` of the file, in interleaved rounds (eng/bench/measure.py); peak memory of each (eng/bench/peak-memory.py).
#  2. Every model of the corpus folder pytorch-converted converted to opset 17 by both, each result verified against
#     the model's golden data with ONNX Runtime (`buildconvert verify`, the same oracle for both); whole-process time per
#     model for both. Models the peer converts correctly and we do not must be none.
# Writes the results into docs/benchmarks.md (between the bench-opset markers) unless --no-doc is given.
#
#  3. With --large: a 1 GiB model at opset 6 (eng/bench/make-large-opset6.py) converted to 13 by both, once each: wall
#     time and peak memory (the peer needs about 6.5 GB of memory for it).
# Usage: bash eng/bench/opset-bench.sh [--runs N] [--warmup N] [--large] [--no-doc]
# Needs: /usr/bin/python3 with python3-onnx and python3-numpy (apt); ../shared/corpora beside the clone.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bench=$root/eng/bench
work=${BENCH_WORK:-$bench/.work}/opset
py=/usr/bin/python3
runs=5
warmup=1
write_doc=1
large=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --no-doc) write_doc=0; shift ;;
    --large) large=1; shift ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
case "$root$work" in
  *[[:space:]\'\"]*) echo "the timed command lines embed paths: run from a path without spaces or quotes" >&2; exit 2 ;;
esac
"$py" -c "import onnx, numpy" 2>/dev/null || {
  echo "needs Debian's python3-onnx and python3-numpy: apt-get install -y --no-install-recommends python3-onnx python3-numpy" >&2
  exit 2
}
corpus=$root/../shared/corpora/onnx-backend/pytorch-converted
[ -d "$corpus" ] || { echo "the corpus is not at $corpus" >&2; exit 2; }

rm -rf "$work"
mkdir -p "$work/results"
results=$work/results
tool_project=$root/src/BuildConvert.Tool/BuildConvert.Tool.csproj
echo "building the tool (Release) ..."
dotnet build "$tool_project" -c Release -nologo -v q -clp:ErrorsOnly
dll=$(dotnet msbuild "$tool_project" -nologo -p:Configuration=Release -getProperty:TargetPath)
echo "publishing the tool compiled ahead of time (eng/publish-native.sh) ..."
native=$(bash "$root/eng/publish-native.sh" "$work/native" | tail -1)

peer=$work/version_converter.py
cat >"$peer" <<'PY'
import sys
import onnx
from onnx import version_converter
model = onnx.load(sys.argv[1])
converted = version_converter.convert_version(model, int(sys.argv[3]))
onnx.save(converted, sys.argv[2])
PY

{
  echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "onnx=$("$py" -c 'import onnx; print(onnx.__version__)')"
  echo "dotnet_sdk=$(dotnet --version)"
  echo "cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "cores=$(nproc)"
  echo "loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$results/environment.txt"

# 1. ResNet-50 at opset 9 -> 13.
model=$work/resnet50-opset9.onnx
"$py" "$bench/make-resnet50-opset9.py" "$model" | tee "$results/resnet50.txt"
stat -c %s "$model" >"$results/resnet50-bytes.txt"
dotnet "$dll" convert "$model" -o "$work/ours-13.onnx" --opset 13 >/dev/null
"$py" "$peer" "$model" "$work/peer-13.onnx" 13
"$py" "$bench/measure.py" --runs "$runs" --warmup "$warmup" --export-json "$results/resnet50-time.json" \
  -n "cp (floor)" "cp $model $work/copy.onnx" \
  -n "onnx.version_converter (load, convert, save)" "$py $peer $model $work/peer-13.onnx 13" \
  -n "buildconvert convert --opset 13" "dotnet $dll convert $model -o $work/ours-13.onnx --opset 13" \
  -n "buildconvert (native) convert --opset 13" "$native convert $model -o $work/native-13.onnx --opset 13"
# Peak memory: the resident high-water mark (counts the model file's mapped pages) and the anonymous peak (what the
# process owns), sampled by eng/bench/peak-memory.py.
for i in 1 2 3; do
  echo "cp $("$py" "$bench/peak-memory.py" cp "$model" "$work/copy.onnx")" >>"$results/resnet50-rss.txt"
  echo "peer $("$py" "$bench/peak-memory.py" "$py" "$peer" "$model" "$work/peer-13.onnx" 13)" >>"$results/resnet50-rss.txt"
  echo "ours $("$py" "$bench/peak-memory.py" dotnet "$dll" convert "$model" -o "$work/ours-13.onnx" --opset 13)" >>"$results/resnet50-rss.txt"
  echo "native $("$py" "$bench/peak-memory.py" "$native" convert "$model" -o "$work/native-13.onnx" --opset 13)" >>"$results/resnet50-rss.txt"
  echo "startup $("$py" "$bench/peak-memory.py" dotnet "$dll" --version)" >>"$results/resnet50-rss.txt"
done

# 2. pytorch-converted to opset 17, verified by ONNX Runtime.
: >"$results/corpus.tsv"
for dir in "$corpus"/*/; do
  name=$(basename "$dir")
  out=$work/corpus/$name
  mkdir -p "$out/ours" "$out/peer"
  t0=$(date +%s.%N)
  if "$native" convert "$dir/model.onnx" -o "$out/ours/model.onnx" --opset 17 >"$out/ours.log" 2>&1; then ours_convert=ok; else ours_convert=fail; fi
  t1=$(date +%s.%N)
  if "$py" "$peer" "$dir/model.onnx" "$out/peer/model.onnx" 17 >"$out/peer.log" 2>&1; then peer_convert=ok; else peer_convert=fail; fi
  t2=$(date +%s.%N)
  ours_verify=-; peer_verify=-
  if [ "$ours_convert" = ok ]; then
    if dotnet "$dll" verify "$out/ours/model.onnx" --golden "$dir" >>"$out/ours.log" 2>&1; then ours_verify=ok; else ours_verify=fail; fi
  fi
  if [ "$peer_convert" = ok ]; then
    if dotnet "$dll" verify "$out/peer/model.onnx" --golden "$dir" >>"$out/peer.log" 2>&1; then peer_verify=ok; else peer_verify=fail; fi
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$ours_convert" "$ours_verify" "$(echo "$t1 - $t0" | bc)" \
    "$peer_convert" "$peer_verify" "$(echo "$t2 - $t1" | bc)" >>"$results/corpus.tsv"
done
if [ "$large" = 1 ]; then
  big=$work/large-opset6.onnx
  "$py" "$bench/make-large-opset6.py" "$big"
  stat -c %s "$big" >"$results/large-bytes.txt"
  for who in ours peer; do
    if [ "$who" = ours ]; then cmd=(dotnet "$dll" convert "$big" -o "$work/large-ours.onnx" --opset 13); else cmd=("$py" "$peer" "$big" "$work/large-peer.onnx" 13); fi
    t0=$(date +%s.%N)
    mem=$("$py" "$bench/peak-memory.py" "${cmd[@]}")
    t1=$(date +%s.%N)
    echo "$who $(echo "$t1 - $t0" | bc) $mem" >>"$results/large.txt"
    rm -f "$work/large-$who.onnx"
  done
  rm -f "$big"
fi
echo "loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$results/environment.txt"

if [ "$write_doc" = 1 ]; then
  "$py" "$bench/opset-report.py" --results "$results" --doc "$root/docs/benchmarks.md"
else
  "$py" "$bench/opset-report.py" --results "$results"
fi
