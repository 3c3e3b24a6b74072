#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian 12 machine. Idempotent; skips what is already there.
set -euo pipefail
command -v dotnet >/dev/null || { echo "the .NET SDK is required (dotnet on PATH)" >&2; exit 1; }

# ONNX Runtime's StringNormalizer kernel (ONNX backend conformance tests) needs the en_US.UTF-8 locale.
if ! locale -a 2>/dev/null | grep -qi '^en_US\.utf-\?8$'; then
  if ! command -v locale-gen >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends locales >/dev/null
  fi
  sed -i 's/^# *\(en_US\.UTF-8 UTF-8\)/\1/' /etc/locale.gen
  grep -q '^en_US\.UTF-8 UTF-8' /etc/locale.gen || echo 'en_US.UTF-8 UTF-8' >> /etc/locale.gen
  locale-gen >/dev/null
fi

# TensorFlow.js (pure JavaScript, CPU backend): the independent oracle of the TensorFlow converter tests, pinned by
# eng/tfjs/package-lock.json. Reinstalled only when the installed tree does not match the lock file.
command -v npm >/dev/null || { echo "Node.js with npm is required (the TensorFlow converter tests run TensorFlow.js)" >&2; exit 1; }
tfjs_dir="$(cd "$(dirname "$0")" && pwd)/tfjs"
if ! cmp -s "$tfjs_dir/package-lock.json" "$tfjs_dir/node_modules/.package-lock.json.installed" 2>/dev/null \
   || [ ! -f "$tfjs_dir/node_modules/@tensorflow/tfjs/package.json" ]; then
  (cd "$tfjs_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$tfjs_dir/package-lock.json" "$tfjs_dir/node_modules/.package-lock.json.installed"
fi

# TorchScript: Debian's PyTorch 1.13 / torchvision 0.14 / onnx 1.12 generate the large TorchScript fixtures
# (eng/torchscript/large-fixtures.sh) and are the side-by-side peers of the benchmarks; patchelf and g++ patch
# TorchSharp's native shim for Debian 12's libstdc++ when the LibTorch oracle is built (eng/torchsharp/fix-glibcxx.sh).
missing=()
/usr/bin/python3 -c 'import torch, torchvision, onnx' 2>/dev/null || missing+=(python3-torch python3-torchvision python3-onnx)
command -v patchelf >/dev/null || missing+=(patchelf)
command -v g++ >/dev/null || missing+=(g++)
command -v readelf >/dev/null || missing+=(binutils)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
