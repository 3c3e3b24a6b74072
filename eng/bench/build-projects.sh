# Shared part of the MSBuild benchmarks (noop-rebuild.sh, cache-hit.sh); sourced, not run. Before sourcing, set
# `work_default` (the scratch folder's name under eng/bench/.work unless --work says) and `notes_name` (the notes file
# written beside --out). It parses the common
# options, finds the corpus, builds this checkout's tool and MSBuild task, and defines:
#   refuse MESSAGE                     write MESSAGE to the notes file and exit 3
#   stub_work DIR                      empty Directory.Build.* / Directory.Packages.props in DIR, so MSBuild's walk up
#                                      stops there: the generated projects must look like a user's, not like ours
#   write_project DIR NAME IMPORT(0|1) MODELS(0|1) [VALIDATE(1|0)] [CACHE_DIR]
#                                      a class library DIR/NAME.csproj, importing the in-repo props/targets when IMPORT
#                                      (the task assembly and the tool are this checkout's Release outputs), with the
#                                      10 models of `models` as <OnnxModel> items when MODELS
# and the variables root, bench, py, runs, warmup, out, work, timer, notes, corpus, tool_dll, task_dll, native_tool
# (the tool compiled ahead of time, which the generated projects run as a linux-x64 package would), models.
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
bench=$root/eng/bench
py=/usr/bin/python3
runs=10
warmup=2
out=
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
[ -n "$work" ] || work=$bench/.work/$work_default
if [ -z "$timer" ]; then
  if command -v hyperfine >/dev/null 2>&1; then timer=hyperfine; else timer=builtin; fi
fi
notes=$(dirname "$out")/$notes_name
mkdir -p "$(dirname "$out")"
rm -f "$out" "$notes"

refuse() {
  echo "$1" >"$notes"
  echo "$(basename "$0" .sh) benchmark: $1" >&2
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

echo "building the tool and the MSBuild task (Release) ..."
dotnet build "$tool_project" -c Release -nologo -v q -clp:ErrorsOnly
dotnet build "$integration_project" -c Release -nologo -v q -clp:ErrorsOnly
tool_dll=$(dotnet msbuild "$tool_project" -nologo -p:Configuration=Release -getProperty:TargetPath)
task_dll=$(dotnet msbuild "$integration_project" -nologo -p:Configuration=Release -getProperty:TargetPath)
[ -f "$tool_dll" ] || refuse "the tool assembly was not found after the build: $tool_dll"
[ -f "$task_dll" ] || refuse "the MSBuild task assembly was not found after the build: $task_dll"
# What a linux-x64 package's task runs: the tool compiled ahead of time (BUILDCONVERT_BENCH_MANAGED=1 measures
# dotnet exec buildconvert.dll instead).
native_tool=
if [ "${BUILDCONVERT_BENCH_MANAGED:-0}" != 1 ]; then
  echo "publishing the tool compiled ahead of time (eng/publish-native.sh) ..."
  native_tool=$(bash "$root/eng/publish-native.sh" "$work/native-tool" | tail -1)
  [ -x "$native_tool" ] || refuse "the native tool was not published: $native_tool"
fi

models=(test_relu test_add test_matmul_2d test_conv_with_strides_padding test_sigmoid test_softmax_axis_1 test_tanh test_abs test_exp test_sqrt)

stub_work() {
  mkdir -p "$1"
  echo '<Project />' >"$1/Directory.Build.props"
  echo '<Project />' >"$1/Directory.Build.targets"
  echo '<Project />' >"$1/Directory.Packages.props"
}

write_project() {
  local dir=$1 name=$2 import=$3 with_models=$4 validate=${5:-1} cache=${6:-}
  mkdir -p "$dir"
  {
    echo '<Project Sdk="Microsoft.NET.Sdk">'
    if [ "$import" = 1 ]; then
      echo '  <PropertyGroup>'
      echo "    <BuildConvertTaskAssembly>$task_dll</BuildConvertTaskAssembly>"
      echo "    <BuildConvertToolPath>$tool_dll</BuildConvertToolPath>"
      if [ -n "$native_tool" ]; then
        echo "    <BuildConvertNativeToolPath>$native_tool</BuildConvertNativeToolPath>"
      else
        echo "    <BuildConvertUseNativeTool>false</BuildConvertUseNativeTool>"
      fi
      [ -n "$cache" ] && echo "    <BuildConvertCacheDirectory>$cache</BuildConvertCacheDirectory>"
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
