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
work=
work_default=cache-hit
notes_name=cache-hit.txt
source "$(dirname "$0")/build-projects.sh"
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

cache=$work/cache

rm -rf "$work"
mkdir -p "$work/templates" "$work/clones"
stub_work "$work"
write_project "$work/templates/no-models" no-models 1 0 1 "$cache"
write_project "$work/templates/10-models" 10-models 1 1 1 "$cache"

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
