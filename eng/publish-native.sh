#!/usr/bin/env bash
# Publishes the buildconvert tool compiled ahead of time (Native AOT) for this machine's runtime identifier:
# one executable with no JIT and no runtime start-up, next to the ONNX Runtime library it loads.
# Usage: bash eng/publish-native.sh [OUTPUT_DIR]   (default artifacts/native/<rid>)
# Needs: the .NET SDK and a C toolchain (gcc or clang, as Debian's build-essential provides).
set -euo pipefail
cd "$(dirname "$0")/.."
rid=$(dotnet --info | awk -F': *' '/^ *RID:/ {print $2; exit}')
out=${1:-artifacts/native/$rid}
dotnet publish src/BuildConvert.Tool/BuildConvert.Tool.csproj -c Release -r "$rid" -p:PublishAot=true \
  -o "$out" -nologo -v q -clp:ErrorsOnly
rm -f "$out"/*.pdb "$out"/*.xml "$out"/*.dbg
echo "$out/buildconvert"
