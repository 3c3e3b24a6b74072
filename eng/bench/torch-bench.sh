#!/usr/bin/env bash
# TorchScript conversion against torch.onnx.export of the same models, in one run (issue 8's benchmark):
#  - ResNet-50 and MobileNetV2 (torchvision, weights=None) and a 6-layer nn.TransformerEncoder (d_model 512), random
#    weights from fixed seeds, saved with torch.jit.trace(...).save (eng/bench/torch-models.py make);
#  - the peer, in its own process: torch.onnx.export at opset 17 (Debian's PyTorch 1.13) of the model built by the same
#    code and seed, and of the saved archive loaded with torch.jit.load (eng/bench/torch-models.py export);
#  - ours: `buildconvert convert model.pt -o out.onnx --input-shapes ...` (opset 17 by default), compiled ahead of time
#    (eng/publish-native.sh, what tf-bench.sh measures and the MSBuild package runs on linux-x64) and the
#    framework-dependent build (src/BuildConvert.Tool/bin/Release/net8.0/buildconvert);
#  - `python3 -c 'import torch'`, the peer's fixed cost.
# Every output is checked before anything is timed: `buildconvert check` and onnx.checker.check_model accept ours,
# onnx.checker accepts the peer's, and ONNX Runtime (`buildconvert verify`) runs both against the traced module's own
# output on a seeded input. Whole-process wall times in interleaved rounds (eng/bench/measure.py); peak resident and
# anonymous memory of each conversion (eng/bench/peak-memory.py). Writes the results into docs/benchmarks.md (between
# the bench-torch markers) unless --no-doc is given.
# Usage: bash eng/bench/torch-bench.sh [--runs N] [--warmup N] [--native PATH] [--no-doc]
#   --native PATH: use this AOT-compiled buildconvert instead of publishing one (eng/publish-native.sh)
# Needs: /usr/bin/python3 with Debian's python3-torch, python3-torchvision, python3-onnx, python3-numpy (apt).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bench=$root/eng/bench
work=${BENCH_WORK:-$bench/.work}/torch
py=/usr/bin/python3
runs=3
warmup=1
write_doc=1
native=
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --native) native=$(realpath "$2"); shift 2 ;;
    --no-doc) write_doc=0; shift ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
case "$root$work" in
  *[[:space:]\'\"]*) echo "the timed command lines embed paths: run from a path without spaces or quotes" >&2; exit 2 ;;
esac
"$py" -c "import torch, torchvision, onnx, numpy" 2>/dev/null || {
  echo "needs Debian's PyTorch, torchvision, onnx and numpy: apt-get install -y --no-install-recommends python3-torch python3-torchvision python3-onnx python3-numpy" >&2
  exit 2
}

rm -rf "$work"
mkdir -p "$work/results" "$work/out"
results=$work/results
models=$work/models
tool_project=$root/src/BuildConvert.Tool/BuildConvert.Tool.csproj
echo "building the tool (Release) ..."
dotnet build "$tool_project" -c Release -nologo -v q -clp:ErrorsOnly
dll=$(dotnet msbuild "$tool_project" -nologo -p:Configuration=Release -getProperty:TargetPath)
managed=$(dirname "$dll")/buildconvert
if [ -z "$native" ]; then
  echo "publishing the tool compiled ahead of time (eng/publish-native.sh) ..."
  native=$(bash "$root/eng/publish-native.sh" "$work/native" | tail -1)
fi
echo "making the models (eng/bench/torch-models.py) ..."
"$py" "$bench/torch-models.py" make "$models"
cp "$models/versions.json" "$results/versions.json"
peer="$py $bench/torch-models.py export"
{
  echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "dotnet_sdk=$(dotnet --version)"
  echo "cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "cores=$(nproc)"
  echo "memory_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo)"
  echo "onnx=$("$py" -c 'import onnx; print(onnx.__version__)')"
  echo "runs=$runs"
  echo "warmup=$warmup"
  echo "loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$results/environment.txt"

# name | --input-shapes
entries=(
  "resnet50|x:1,3,224,224"
  "mobilenet_v2|x:1,3,224,224"
  "transformer|src:1,128,512"
)
: >"$results/models.tsv"
for entry in "${entries[@]}"; do
  IFS='|' read -r name shapes <<<"$entry"
  pt=$models/$name.pt
  golden=$models/$name-golden
  out=$work/out/$name
  mkdir -p "$out"
  bytes=$(stat -c %s "$pt")
  atol=$("$py" -c "import json, sys; print(json.load(open(sys.argv[1]))['models'][sys.argv[2]]['atol'])" "$models/versions.json" "$name")
  ours=(convert "$pt" -o "$out/ours.onnx" --input-shapes "$shapes")
  # Does every command do its job? Ours: exit 0, `buildconvert check`, onnx.checker, ONNX Runtime against PyTorch's
  # output; the managed build writes the same bytes as the native one. The peer's: exit 0, onnx.checker, ONNX Runtime.
  checks=()
  status=ok
  if "$native" "${ours[@]}" >"$out/ours.log" 2>&1 && "$native" check "$out/ours.onnx" >>"$out/ours.log" 2>&1 \
    && "$native" verify "$out/ours.onnx" --golden "$golden" --atol "$atol" >>"$out/ours.log" 2>&1; then
    checks+=("ours: converted, buildconvert check ok, verify ok ($(grep -o 'max abs error [^)]*' "$out/ours.log" | tail -1))")
  else
    status=failed
    checks+=("ours: FAILED ($(grep -o 'BCONV[0-9]*' "$out/ours.log" | sort -u | tr '\n' ' '))")
  fi
  if "$managed" convert "$pt" -o "$out/managed.onnx" --input-shapes "$shapes" >"$out/managed.log" 2>&1; then
    if cmp -s "$out/ours.onnx" "$out/managed.onnx"; then checks+=("managed build: the same bytes as the native one"); else checks+=("managed build: converted, other bytes than the native one"); fi
  else
    status=failed
    checks+=("managed build: FAILED")
  fi
  for variant in eager archive; do
    if [ "$variant" = eager ]; then extra=; else extra="--archive $pt"; fi
    # shellcheck disable=SC2086
    if $peer "$name" "$out/peer-$variant.onnx" $extra >"$out/peer-$variant.log" 2>&1 \
      && "$native" verify "$out/peer-$variant.onnx" --golden "$golden" --atol "$atol" >>"$out/peer-$variant.log" 2>&1; then
      checks+=("peer ($variant): exported, verify ok ($(grep -o 'max abs error [^)]*' "$out/peer-$variant.log" | tail -1))")
    else
      status=failed
      checks+=("peer ($variant): FAILED")
    fi
  done
  if [ "$status" = ok ]; then
    if "$py" -c "import onnx, sys; [onnx.checker.check_model(p) for p in sys.argv[1:]]" \
      "$out/ours.onnx" "$out/peer-eager.onnx" "$out/peer-archive.onnx" >"$out/checker.log" 2>&1; then
      checks+=("onnx.checker.check_model: accepts ours and both of the peer's")
    else
      status=failed
      checks+=("onnx.checker.check_model: FAILED ($(tail -1 "$out/checker.log"))")
    fi
  fi
  printf '%s\n' "${checks[@]}" >"$results/$name-checks.txt"
  printf '%s\n' "${checks[@]}" | sed "s/^/  $name: /"
  out_bytes=$(stat -c %s "$out/ours.onnx" 2>/dev/null || echo 0)
  peer_bytes=$(stat -c %s "$out/peer-eager.onnx" 2>/dev/null || echo 0)
  if [ "$status" != ok ]; then
    printf '%s\t%s\t%s\t%s\t%s\tfailed\n' "$name" "$shapes" "$bytes" "$out_bytes" "$peer_bytes" >>"$results/models.tsv"
    continue
  fi
  echo "timing $name ($runs interleaved rounds after $warmup warm-up) ..."
  "$py" "$bench/measure.py" --runs "$runs" --warmup "$warmup" --export-json "$results/$name-time.json" \
    -n "python3 -c 'import torch' (the peer's fixed cost)" "$py -c 'import torch'" \
    -n "torch.onnx.export (model built by the same code)" "$peer $name $out/peer-eager.onnx" \
    -n "torch.jit.load + torch.onnx.export (the same archive)" "$peer $name $out/peer-archive.onnx --archive $pt" \
    -n "buildconvert convert (native)" "$native convert $pt -o $out/ours.onnx --input-shapes $shapes" \
    -n "buildconvert convert (managed)" "$managed convert $pt -o $out/managed.onnx --input-shapes $shapes"
  # Peak memory, one run of each: the resident high-water mark (counts the archive's mapped pages) and the anonymous
  # peak (what the process owns).
  {
    echo "native $("$py" "$bench/peak-memory.py" "$native" "${ours[@]}")"
    echo "managed $("$py" "$bench/peak-memory.py" "$managed" convert "$pt" -o "$out/managed.onnx" --input-shapes "$shapes")"
    # shellcheck disable=SC2086
    echo "peer-eager $("$py" "$bench/peak-memory.py" $peer "$name" "$out/peer-eager.onnx")"
    # shellcheck disable=SC2086
    echo "peer-archive $("$py" "$bench/peak-memory.py" $peer "$name" "$out/peer-archive.onnx" --archive "$pt")"
  } >"$results/$name-memory.txt"
  printf '%s\t%s\t%s\t%s\t%s\tok\n' "$name" "$shapes" "$bytes" "$out_bytes" "$peer_bytes" >>"$results/models.tsv"
done
echo "loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$results/environment.txt"

if [ "$write_doc" = 1 ]; then
  "$py" "$bench/torch-report.py" --results "$results" --doc "$root/docs/benchmarks.md"
else
  "$py" "$bench/torch-report.py" --results "$results"
fi
