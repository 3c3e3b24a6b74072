#!/usr/bin/env bash
# Generates the large TorchScript fixtures (the torchvision classification models, ~2.1 GB, about a minute on 2 cores)
# into a cache folder outside the clone, once per version of the generator: the folder carries the sha256 of
# make-fixtures.py and is regenerated when that changes. Prints the folder. The oracle tests read the same folder.
# Usage: bash eng/torchscript/large-fixtures.sh   (BUILDCONVERT_TORCHSCRIPT_FIXTURES overrides the folder)
# Needs /usr/bin/python3 with Debian's python3-torch, python3-torchvision and python3-onnx (eng/install-prerequisites.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
folder=${BUILDCONVERT_TORCHSCRIPT_FIXTURES:-${XDG_CACHE_HOME:-$HOME/.cache}/buildconvert/torchscript-fixtures}
stamp=$(sha256sum "$here/make-fixtures.py" | cut -d' ' -f1)
if [ -f "$folder/manifest.json" ] && [ "$(cat "$folder/.generator-sha256" 2>/dev/null)" = "$stamp" ]; then
  echo "$folder"
  exit 0
fi
rm -rf "$folder.partial"
mkdir -p "$folder.partial"
/usr/bin/python3 "$here/make-fixtures.py" --large "$folder.partial" 2> "$folder.partial/generate.log" \
  || { cat "$folder.partial/generate.log" >&2; exit 1; }
echo "$stamp" > "$folder.partial/.generator-sha256"
rm -rf "$folder"
mv "$folder.partial" "$folder"
echo "$folder"
