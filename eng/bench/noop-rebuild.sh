#!/usr/bin/env bash
# No-op rebuild cost of <OnnxModel> items: generates the same class library three times under the work folder
#   plain        no BuildConvert at all
#   no-models    BuildConvert's MSBuild integration imported, no <OnnxModel> items
#   10-models    BuildConvert's MSBuild integration imported, 10 <OnnxModel> items with golden data (from the
#                onnx-backend corpus), so the first build converts, checks and validates them
# builds each once, then times `dotnet build` again with nothing changed. Checks that the timed builds did not
# re-run the tool (the converted outputs keep their timestamps), else the measurement is refused.
#
# Usage: noop-rebuild.sh --runs N --out RESULT.json --work DIR [--runner hyperfine|loop]
# Writes RESULT.json (hyperfine's layout) and, beside it, noop-rebuild.txt (what was measured, or why not).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bench=$root/eng/bench
py=/usr/bin/python3
runs=10
warmup=2
out=
work=$bench/.work/noop
runner=
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --runner) runner=$2; shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
[ -n "$out" ] || { echo "--out is required" >&2; exit 2; }
if [ -z "$runner" ]; then
  if command -v hyperfine >/dev/null 2>&1; then runner=hyperfine; else runner=loop; fi
fi
notes=$(dirname "$out")/noop-rebuild.txt
rm -f "$out" "$notes"

refuse() {
  echo "$1" >"$notes"
  echo "no-op rebuild benchmark: $1" >&2
  exit 3
}

corpus=$root/../shared/corpora/onnx-backend/node
[ -d "$corpus" ] || corpus=/work/shared/corpora/onnx-backend/node
[ -d "$corpus" ] || refuse "the onnx-backend corpus was not found (expected ../shared/corpora/onnx-backend beside the repository)."

integration_props=$root/src/BuildConvert.MSBuild/build/BuildConvert.MSBuild.props
integration_targets=$root/src/BuildConvert.MSBuild/build/BuildConvert.MSBuild.targets
if [ ! -f "$integration_props" ] || [ ! -f "$integration_targets" ]; then
  refuse "BuildConvert's MSBuild integration (src/BuildConvert.MSBuild/build/*.props, *.targets) is not on commit \`$(git rev-parse --short HEAD)\`, so there is nothing to measure yet."
fi

models=(test_relu test_add test_matmul_2d test_conv_with_strides_padding test_sigmoid test_softmax_axis_1 test_tanh test_abs test_exp test_sqrt)

rm -rf "$work"
mkdir -p "$work"
# Stop MSBuild's walk up into the repository's own Directory.Build.props / Directory.Packages.props: the generated
# projects must look like a user's project, not like one of ours.
echo '<Project />' >"$work/Directory.Build.props"
echo '<Project />' >"$work/Directory.Build.targets"
echo '<Project />' >"$work/Directory.Packages.props"

# write_project NAME IMPORT(0|1) MODELS(0|1)
write_project() {
  local name=$1 import=$2 with_models=$3
  local dir=$work/$name
  mkdir -p "$dir"
  {
    echo '<Project Sdk="Microsoft.NET.Sdk">'
    [ "$import" = 1 ] && echo "  <Import Project=\"$integration_props\" />"
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
    [ "$import" = 1 ] && echo "  <Import Project=\"$integration_targets\" />"
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

write_project plain 0 0
write_project no-models 1 0
write_project 10-models 1 1

for name in plain no-models 10-models; do
  echo "first build of $name ..."
  if ! dotnet build "$work/$name/$name.csproj" -nologo -v q >"$work/$name.first-build.log" 2>&1; then
    tail -30 "$work/$name.first-build.log" >&2
    refuse "the first build of the generated \`$name\` project failed (log: $work/$name.first-build.log)."
  fi
done

# The converted models in the output folder: their timestamps must not move during the no-op builds.
mapfile -t produced < <(find "$work/10-models/bin" -name '*.onnx' -type f | sort)
[ "${#produced[@]}" -ge 10 ] || refuse "the first build of \`10-models\` produced ${#produced[@]} .onnx files in bin/, expected 10."
stamp_before=$(stat -c '%n %Y.%y' "${produced[@]}")

cmds=()
for name in plain no-models 10-models; do
  cmds+=("dotnet build ($name)" "dotnet build $work/$name/$name.csproj -nologo -v q")
done
if [ "$runner" = hyperfine ]; then
  args=()
  for ((i = 0; i < ${#cmds[@]}; i += 2)); do args+=(-n "${cmds[i]}" "${cmds[i + 1]}"); done
  hyperfine --style basic --warmup "$warmup" --runs "$runs" --export-json "$out" "${args[@]}"
else
  args=()
  for ((i = 0; i < ${#cmds[@]}; i += 2)); do args+=(-n "${cmds[i]}" "${cmds[i + 1]}"); done
  "$py" "$bench/measure.py" --warmup "$warmup" --runs "$runs" --export-json "$out" "${args[@]}"
fi

stamp_after=$(stat -c '%n %Y.%y' "${produced[@]}")
if [ "$stamp_before" != "$stamp_after" ]; then
  rm -f "$out"
  refuse "a no-op build rewrote a converted model in \`10-models/bin\` (the tool ran again), so the no-op cost cannot be measured."
fi

cat >"$notes" <<EOF
Three generated class libraries (net10.0) under \`eng/bench/.work/noop\`: \`plain\` (no BuildConvert), \`no-models\`
(BuildConvert's in-repo props/targets imported, no items) and \`10-models\` (the same plus 10 \`<OnnxModel>\` items with
golden data: ${models[*]} from the onnx-backend node corpus). Each is built once, then \`dotnet build -nologo -v q\` is
timed with nothing changed. The ${#produced[@]} converted models in \`10-models/bin\` kept their timestamps through every
timed build (the tool did not run).
EOF
echo "no-op rebuild results: $out"
