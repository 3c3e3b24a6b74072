#!/usr/bin/env bash
# No-op rebuild cost of <OnnxModel> items: generates the same class library three times under the work folder
#   plain        no BuildConvert at all
#   no-models    BuildConvert's MSBuild integration imported, no <OnnxModel> items
#   10-models    BuildConvert's MSBuild integration imported, 10 <OnnxModel> items with golden data (from the
#                onnx-backend corpus), so the first build converts, checks and validates them
# builds each once, then times `dotnet build` again with nothing changed. Checks that the timed builds did not
# re-run the tool (the converted outputs keep their timestamps), else the measurement is refused.
#
# Usage: noop-rebuild.sh --runs N [--warmup N] --out RESULT.json --work DIR [--timer hyperfine|builtin]
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

integration_project=$root/src/BuildConvert.MSBuild/BuildConvert.MSBuild.csproj
integration_props=$root/src/BuildConvert.MSBuild/build/BuildConvert.MSBuild.props
integration_targets=$root/src/BuildConvert.MSBuild/build/BuildConvert.MSBuild.targets
if [ ! -f "$integration_project" ] || [ ! -f "$integration_props" ] || [ ! -f "$integration_targets" ]; then
  refuse "BuildConvert's MSBuild integration (src/BuildConvert.MSBuild with build/*.props, *.targets) is not on commit \`$(git rev-parse --short HEAD)\`, so there is nothing to measure yet."
fi
tool_project=$root/src/BuildConvert.Tool/BuildConvert.Tool.csproj

# The generated projects use the in-repository integration the way the samples do: the task assembly and the tool
# are this checkout's Release build outputs.
echo "building the tool and the MSBuild task (Release) ..."
dotnet build "$tool_project" -c Release -nologo -v q -clp:ErrorsOnly
dotnet build "$integration_project" -c Release -nologo -v q -clp:ErrorsOnly
tool_dll=$(dotnet msbuild "$tool_project" -nologo -p:Configuration=Release -getProperty:TargetPath)
task_dll=$(dotnet msbuild "$integration_project" -nologo -p:Configuration=Release -getProperty:TargetPath)
[ -f "$tool_dll" ] || refuse "the tool assembly was not found after the build: $tool_dll"
[ -f "$task_dll" ] || refuse "the MSBuild task assembly was not found after the build: $task_dll"

models=(test_relu test_add test_matmul_2d test_conv_with_strides_padding test_sigmoid test_softmax_axis_1 test_tanh test_abs test_exp test_sqrt)

rm -rf "$work"
mkdir -p "$work"
# Stop MSBuild's walk up into the repository's own Directory.Build.props / Directory.Packages.props: the generated
# projects must look like a user's project, not like one of ours.
echo '<Project />' >"$work/Directory.Build.props"
echo '<Project />' >"$work/Directory.Build.targets"
echo '<Project />' >"$work/Directory.Packages.props"

# write_project NAME IMPORT(0|1) MODELS(0|1) [VALIDATE(1|0)]
write_project() {
  local name=$1 import=$2 with_models=$3 validate=${4:-1}
  local dir=$work/$name
  mkdir -p "$dir"
  {
    echo '<Project Sdk="Microsoft.NET.Sdk">'
    if [ "$import" = 1 ]; then
      echo '  <PropertyGroup>'
      echo "    <BuildConvertTaskAssembly>$task_dll</BuildConvertTaskAssembly>"
      echo "    <BuildConvertToolPath>$tool_dll</BuildConvertToolPath>"
      echo '  </PropertyGroup>'
      echo "  <Import Project=\"$integration_props\" />"
    fi
    echo '  <PropertyGroup>'
    echo '    <TargetFramework>net10.0</TargetFramework>'
    echo '    <Nullable>enable</Nullable>'
    echo '  </PropertyGroup>'
    if [ "$with_models" = 1 ]; then
      echo '  <ItemGroup>'
      for model in "${models[@]}"; do
        if [ "$validate" = 1 ]; then
          echo "    <OnnxModel Include=\"models/$model/model.onnx\" Golden=\"models/$model\" />"
        else
          echo "    <OnnxModel Include=\"models/$model/model.onnx\" Validate=\"false\" />"
        fi
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

validation_note="with golden validation"
for name in plain no-models 10-models; do
  echo "first build of $name ..."
  if ! dotnet build "$work/$name/$name.csproj" -nologo -v q >"$work/$name.first-build.log" 2>&1; then
    tail -30 "$work/$name.first-build.log" >&2
    if [ "$name" = 10-models ]; then
      # Measure the no-op cost anyway, but say plainly that this build could not validate.
      first_error=$(grep -m1 -o 'error BCONV[0-9]*: [^[]*' "$work/$name.first-build.log" | sed 's/ *$//' || true)
      echo "the first build with golden validation failed; retrying with Validate=false" >&2
      rm -rf "$work/$name"
      write_project 10-models 1 1 0
      validation_note="with \`Validate=\"false\"\` on every item: in this build, the first build with golden validation failed (\`${first_error:-see $work/10-models.first-build.log}\`)"
      if dotnet build "$work/$name/$name.csproj" -nologo -v q >"$work/$name.first-build.log" 2>&1; then
        continue
      fi
      tail -30 "$work/$name.first-build.log" >&2
    fi
    refuse "the first build of the generated \`$name\` project failed (log: $work/$name.first-build.log)."
  fi
done

# The converted models in the output folder: their timestamps must not move during the no-op builds.
mapfile -t produced < <(find "$work/10-models/bin" "$work/10-models/obj" -name '*.onnx' -type f | sort)
copied=$(find "$work/10-models/bin" -name '*.onnx' -type f | wc -l)
[ "$copied" -eq 10 ] || refuse "the first build of \`10-models\` left $copied .onnx files in bin/, expected 10."
stamp_before=$(stat -c '%n %y' "${produced[@]}")

cmds=()
for name in plain no-models 10-models; do
  cmds+=("dotnet build ($name)" "dotnet build $work/$name/$name.csproj -nologo -v q")
done
args=()
for ((i = 0; i < ${#cmds[@]}; i += 2)); do args+=(-n "${cmds[i]}" "${cmds[i + 1]}"); done
"$py" "$bench/measure.py" --timer "$timer" --warmup "$warmup" --runs "$runs" --export-json "$out" "${args[@]}"

stamp_after=$(stat -c '%n %y' "${produced[@]}")
if [ "$stamp_before" != "$stamp_after" ]; then
  rm -f "$out"
  refuse "a no-op build rewrote a converted model of \`10-models\` (the tool ran again), so the no-op cost cannot be measured."
fi

cat >"$notes" <<EOF
Three generated class libraries (net10.0) under \`eng/bench/.work/noop\`: \`plain\` (no BuildConvert), \`no-models\`
(BuildConvert's in-repo props/targets imported, no items) and \`10-models\` (the same plus 10 \`<OnnxModel>\` items: the
models of ${models[*]} from the onnx-backend node corpus, each with its test_data_set_0), measured $validation_note. Each is built once, then \`dotnet build -nologo -v q\` is
timed with nothing changed. The ${#produced[@]} converted model files of \`10-models\` (obj/ and their copies in bin/) kept
their timestamps through every timed build: the tool did not run.
EOF
echo "no-op rebuild results: $out"
