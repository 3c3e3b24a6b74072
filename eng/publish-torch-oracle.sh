#!/usr/bin/env bash
# Publishes the optional LibTorch oracle (buildconvert-torch-oracle: TorchSharp 0.107 with LibTorch 2.10 CPU) for this
# machine's runtime identifier, framework-dependent (it runs on the .NET 8+ runtime that runs the tool). On Linux the
# publish step patches TorchSharp's native shim for a libstdc++ older than GCC 13's (eng/torchsharp/fix-glibcxx.sh).
# Usage: bash eng/publish-torch-oracle.sh [OUTPUT_DIR]   (default artifacts/torch-oracle/<rid>)
# Then point the tool at it: export BUILDCONVERT_TORCH_ORACLE=<OUTPUT_DIR>, or copy OUTPUT_DIR to torch-oracle/
# beside the buildconvert executable. Needs the .NET SDK; on Linux patchelf, g++ and binutils when the system
# libstdc++ lacks GLIBCXX_3.4.32 (Debian 12, Ubuntu 22.04).
set -euo pipefail
cd "$(dirname "$0")/.."
rid=$(dotnet --info | awk -F': *' '/^ *RID:/ {print $2; exit}')
out=${1:-artifacts/torch-oracle/$rid}
dotnet publish src/BuildConvert.TorchOracle/BuildConvert.TorchOracle.csproj -c Release -r "$rid" --self-contained false \
  -o "$out" -nologo -v q -clp:ErrorsOnly
rm -f "$out"/*.pdb "$out"/*.xml
echo "$out"
