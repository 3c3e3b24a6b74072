#!/usr/bin/env bash
# Cache-hit cost of a fresh clone: the build a CI machine or a new checkout does when the conversion cache already holds
# every model. Generates two class libraries the way noop-rebuild.sh does (BuildConvert's in-repo props/targets imported):
#   no-models    no <OnnxModel> items
#   10-models    10 <OnnxModel> items with golden data (the onnx-backend corpus models of noop-rebuild.sh), sharing one
#                cache folder (BuildConvertCacheDirectory)
# primes the cache with one build of a throwaway copy of 10-models, then times, for each project, a fresh clone's first
# build: `rm -rf clone && cp -r template clone && dotnet build clone` (no bin/, no obj/, no stamps). Afterwards one more
# fresh clone is built with -v:n and must say `passed, cached` for all 10 items and add nothing to the cache, else the
# measurement is refused (a miss would time a conversion, not a hit).
#
# Usage: cache-hit.sh --runs N [--warmup N] --out RESULT.json [--work DIR] [--timer hyperfine|builtin]
# Writes RESULT.json (hyperfine's layout) and, beside it, cache-hit.txt (what was measured, or why not) and, when it is
# not there yet (a run outside run.sh), environment.txt. eng/bench/run.sh runs it and splices the result into
# docs/benchmarks.md with eng/bench/cache-report.py; alone:
#   bash eng/bench/cache-hit.sh --runs 10 --out R/cache-hit.json && python3 eng/bench/cache-report.py --results R --doc docs/benchmarks.md
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bench=$root/eng/bench
py=/usr/bin/python3
runs=10
warmup=2
out=
work=$bench/.work/cache-hit
timer=
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --timer) timer=$2; shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
[ -n "$out" ] || { echo "--out is required" >&2; exit 2; }
if [ -z "$timer" ]; then
  if command -v hyperfine >/dev/null 2>&1; then timer=hyperfine; else timer=builtin; fi
fi
notes=$(dirname "$out")/cache-hit.txt
mkdir -p "$(dirname "$out")"
rm -f "$out" "$notes"
environment=$(dirname "$out")/environment.txt
if [ ! -f "$environment" ]; then
  {
    echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "timer=$timer"
    echo "runs=$runs"
    echo "warmup=$warmup"
    echo "dotnet_sdk=$(dotnet --version)"
    echo "cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "cores=$(nproc)"
    echo "loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg)"
  } >"$environment"
  standalone=1
fi

refuse() {
  echo "$1" >"$notes"
  echo "cache-hit benchmark: $1" >&2
  exit 3
}

corpus=$root/../shared/corpora/onnx-backend/node
[ -d "$corpus" ] || corpus=/work/shared/corpora/onnx-backend/node
[ -d "$corpus" ] || refuse "the onnx-backend corpus was not found (expected ../shared/corpora/onnx-backend beside the repository)."

integration_project=$root/src/BuildConvert.MSBuild/BuildConvert.MSBuild.csproj
integration_props=$root/src/BuildConvert.MSBuild/build/BuildConvert.MSBuild.props
integration_targets=$root/src/BuildConvert.MSBuild/build/BuildConvert.MSBuild.targets
tool_project=$root/src/BuildConvert.Tool/BuildConvert.Tool.csproj

echo "building the tool and the MSBuild task (Release) ..."
dotnet build "$tool_project" -c Release -nologo -v q -clp:ErrorsOnly
dotnet build "$integration_project" -c Release -nologo -v q -clp:ErrorsOnly
tool_dll=$(dotnet msbuild "$tool_project" -nologo -p:Configuration=Release -getProperty:TargetPath)
task_dll=$(dotnet msbuild "$integration_project" -nologo -p:Configuration=Release -getProperty:TargetPath)
[ -f "$tool_dll" ] || refuse "the tool assembly was not found after the build: $tool_dll"
[ -f "$task_dll" ] || refuse "the MSBuild task assembly was not found after the build: $task_dll"

models=(test_relu test_add test_matmul_2d test_conv_with_strides_padding test_sigmoid test_softmax_axis_1 test_tanh test_abs test_exp test_sqrt)
cache=$work/cache

rm -rf "$work"
mkdir -p "$work/templates" "$work/clones"
echo '<Project />' >"$work/Directory.Build.props"
echo '<Project />' >"$work/Directory.Build.targets"
echo '<Project />' >"$work/Directory.Packages.props"

# write_project NAME MODELS(0|1)
write_project() {
  local name=$1 with_models=$2
  local dir=$work/templates/$name
  mkdir -p "$dir"
  {
    echo '<Project Sdk="Microsoft.NET.Sdk">'
    echo '  <PropertyGroup>'
    echo "    <BuildConvertTaskAssembly>$task_dll</BuildConvertTaskAssembly>"
    echo "    <BuildConvertToolPath>$tool_dll</BuildConvertToolPath>"
    echo "    <BuildConvertCacheDirectory>$cache</BuildConvertCacheDirectory>"
    echo '  </PropertyGroup>'
    echo "  <Import Project=\"$integration_props\" />"
    echo '  <PropertyGroup>'
    echo '    <TargetFramework>net10.0</TargetFramework>'
    echo '    <Nullable>enable</Nullable>'
    echo '  </PropertyGroup>'
    if [ "$with_models" = 1 ]; then
      echo '  <ItemGroup>'
      for model in "${models[@]}"; do
        echo "    <OnnxModel Include=\"models/$model/model.onnx\" Golden=\"models/$model\" />"
      done
      echo '  </ItemGroup>'
    fi
    echo "  <Import Project=\"$integration_targets\" />"
    echo '</Project>'
  } >"$dir/$name.csproj"
  printf 'namespace Bench;\n\n/// <summary>A type so the library has something to compile.</summary>\npublic static class Marker\n{\n    /// <summary>The answer.</summary>\n    public static int Value => 42;\n}\n' >"$dir/Marker.cs"
  if [ "$with_models" = 1 ]; then
    for model in "${models[@]}"; do
      mkdir -p "$dir/models/$model"
      cp -r "$corpus/$model/." "$dir/models/$model/"
    done
  fi
}

write_project no-models 0
write_project 10-models 1

# clone_cmd NAME: the timed command, a new clone of the template built once.
clone_cmd() { echo "rm -rf $work/clones/$1 && cp -r $work/templates/$1 $work/clones/$1 && dotnet build $work/clones/$1/$1.csproj -nologo -v q"; }

echo "priming the cache with one build of 10-models ..."
rm -rf "$work/clones/prime" && cp -r "$work/templates/10-models" "$work/clones/prime"
if ! dotnet build "$work/clones/prime/10-models.csproj" -nologo -v n >"$work/prime.log" 2>&1; then
  tail -30 "$work/prime.log" >&2
  refuse "the priming build of \`10-models\` failed (log: $work/prime.log)."
fi
entries_before=$(find "$cache/v1/entries" -name manifest.json | wc -l)
[ "$entries_before" -eq 10 ] || refuse "the priming build stored $entries_before cache entries, expected 10."

"$py" "$bench/measure.py" --timer "$timer" --warmup "$warmup" --runs "$runs" --export-json "$out" \
  -n "fresh clone, dotnet build (no-models)" "$(clone_cmd no-models)" \
  -n "fresh clone, dotnet build (10-models, cache hit)" "$(clone_cmd 10-models)"

rm -rf "$work/clones/check" && cp -r "$work/templates/10-models" "$work/clones/check"
dotnet build "$work/clones/check/10-models.csproj" -nologo -v n >"$work/check.log" 2>&1 || refuse "the checking build failed (log: $work/check.log)."
hits=$(grep -c ': passed, cached (' "$work/check.log" || true)
entries_after=$(find "$cache/v1/entries" -name manifest.json | wc -l)
if [ "$hits" -ne 10 ] || [ "$entries_after" -ne "$entries_before" ]; then
  rm -f "$out"
  refuse "a fresh clone's build restored $hits of 10 models from the cache (entries $entries_before -> $entries_after), so it would not time a cache hit."
fi
copied=$(find "$work/clones/check/bin" -name '*.onnx' -type f | wc -l)
[ "$copied" -eq 10 ] || refuse "the checking clone has $copied .onnx files in bin/, expected 10."

# Where the difference goes: three more fresh clones of each with MSBuild's task performance summary.
task_ms() { awk -v t="$2" '/Task Performance Summary/{f=1;next} f==1 && $3==t {print $1}' "$1"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "?")}'; }
tool_ms=() csc_models=() csc_none=()
for round in 1 2 3; do
  for name in 10-models no-models; do
    rm -rf "$work/clones/perf" && cp -r "$work/templates/$name" "$work/clones/perf"
    dotnet build "$work/clones/perf/$name.csproj" -nologo -v q -clp:PerformanceSummary >"$work/perf.log" 2>&1 || refuse "a performance-summary build of \`$name\` failed."
    if [ "$name" = 10-models ]; then
      tool_ms+=("$(task_ms "$work/perf.log" ConvertOnnxModels)")
      csc_models+=("$(task_ms "$work/perf.log" Csc)")
    else
      csc_none+=("$(task_ms "$work/perf.log" Csc)")
    fi
  done
done
breakdown="In three more fresh clones of each, built with \`-clp:PerformanceSummary\`: the \`ConvertOnnxModels\` task (starting the tool, 10 lookups and restores, the answer) took a median $(printf '%s\n' "${tool_ms[@]}" | median) ms; the C# compiler (\`Csc\`) $(printf '%s\n' "${csc_models[@]}" | median) ms in \`10-models\` and $(printf '%s\n' "${csc_none[@]}" | median) ms in \`no-models\`."

cat >"$notes" <<EOF
Two generated class libraries (net10.0) under \`eng/bench/.work/cache-hit\`, both importing BuildConvert's in-repo
props/targets with one shared \`BuildConvertCacheDirectory\`: \`no-models\` (no items) and \`10-models\` (10
\`<OnnxModel>\` items with golden data: ${models[*]} from the onnx-backend node corpus). The cache is primed by one
build of a throwaway copy of \`10-models\`; then each timed command is a fresh clone's first build
(\`rm -rf clone && cp -r template clone && dotnet build clone -nologo -v q\`: no bin/, obj/ or stamps, so MSBuild
restores, compiles, and for \`10-models\` runs the tool once for all 10 items). A last fresh clone, built with \`-v:n\`,
printed \`passed, cached\` for all 10 items and added no cache entry: every timed \`10-models\` build was a cache hit
(the tool started, hashed the inputs and restored the outputs; nothing was converted or validated).
$breakdown
EOF
[ "${standalone:-0}" = 1 ] && echo "loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$environment"
echo "cache-hit results: $out"
