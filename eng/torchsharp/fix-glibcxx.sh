#!/usr/bin/env bash
# Makes TorchSharp 0.107's native shim (libLibTorchSharp.so) load on systems whose libstdc++ predates GCC 13
# (Debian 12 and Ubuntu 22.04 ship GLIBCXX_3.4.30; the shim needs _ZSt21ios_base_library_initv@GLIBCXX_3.4.32).
# Usage: bash eng/torchsharp/fix-glibcxx.sh FOLDER...
# Patches every libLibTorchSharp.so under each FOLDER (a build or publish output: the root, runtimes/linux-x64/native/
# and TorchSharp's cpu/ fallback copy), and nothing else:
#   1. the shim's DT_NEEDED gains libbuildconvert_glibcxx_shim.so, built beside it with g++ from glibcxx-shim.cpp and
#      found through the shim's $ORIGIN run path (added when missing);
#   2. the symbol's version is cleared (patchelf --clear-symbol-version), so the shim library's unversioned definition
#      satisfies it;
#   3. the GLIBCXX_3.4.32 entry of .gnu.version_r is marked weak (VER_FLG_WEAK in vna_flags), so the loader no longer
#      refuses the file for lacking that version.
# Each file is patched as a copy that then replaces it, so a hard link into the NuGet cache is never written through.
# Idempotent (a patched file is recognised and left alone), and a no-op where the system libstdc++ has GLIBCXX_3.4.32,
# on other operating systems, and where no such file exists. Needs readelf (binutils), patchelf and g++.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ "$(uname -s)" = Linux ] || exit 0
[ "$#" -gt 0 ] || { echo "usage: $0 FOLDER..." >&2; exit 2; }

symbol=_ZSt21ios_base_library_initv
version=GLIBCXX_3.4.32
shim=libbuildconvert_glibcxx_shim.so

system_libstdcxx() {
  local path
  path=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64|libstdc\+\+\.so\.6 .*AArch64|libstdc\+\+\.so\.6 \(libc6\)/ {print $NF; exit}')
  [ -n "$path" ] || path=$(g++ -print-file-name=libstdc++.so.6 2>/dev/null || true)
  echo "$path"
}

libstdcxx=$(system_libstdcxx)
if [ -n "$libstdcxx" ] && [ -f "$libstdcxx" ] && grep -qa "$version" "$libstdcxx"; then
  exit 0   # the system C++ runtime is new enough: nothing to do
fi

mapfile -t targets < <(for folder in "$@"; do [ -d "$folder" ] && find "$folder" -name libLibTorchSharp.so -type f; done | sort -u)
[ "${#targets[@]}" -gt 0 ] || exit 0

for tool in readelf patchelf g++; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed to patch libLibTorchSharp.so for this system's libstdc++ (apt-get install patchelf g++ binutils); see docs/torchscript.md" >&2; exit 1; }
done

# The vna_flags of the $version Vernaux entry: file offset of .gnu.version_r + the entry's offset + 4.
vernaux_flags_offset() {
  local file=$1 section entry
  section=$(readelf -S -W "$file" | awk '{for (i = 1; i <= NF; i++) if ($i == ".gnu.version_r") {print $(i + 3); exit}}')
  entry=$(readelf -V -W "$file" | awk -v v="$version" '$0 ~ "Name: " v " " {sub(":", "", $1); print $1; exit}')
  [ -n "$section" ] && [ -n "$entry" ] || return 1
  echo $(( 0x$section + entry + 4 ))
}

is_patched() {
  local file=$1
  readelf -d "$file" | grep -q "\[$shim\]" && ! readelf -V -W "$file" | grep -q "Name: $version  Flags: none"
}

for target in "${targets[@]}"; do
  dir=$(dirname "$target")
  if [ ! -f "$dir/$shim" ] || [ "$here/glibcxx-shim.cpp" -nt "$dir/$shim" ]; then
    g++ -shared -fPIC -O2 -o "$dir/$shim.tmp" "$here/glibcxx-shim.cpp"
    mv -f "$dir/$shim.tmp" "$dir/$shim"
  fi
  is_patched "$target" && continue
  readelf -V -W "$target" | grep -q "Name: $version" || continue   # a TorchSharp build that does not need it

  work="$target.bcpatch"
  cp -f "$target" "$work"
  patchelf --clear-symbol-version "$symbol" "$work"
  readelf -d "$work" | grep -q "\[$shim\]" || patchelf --add-needed "$shim" "$work"
  runpath=$(readelf -d "$work" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')
  case ":$runpath:" in *':$ORIGIN:'*|*':$ORIGIN/:'*) ;; *) patchelf --set-rpath "\$ORIGIN${runpath:+:$runpath}" "$work" ;; esac
  offset=$(vernaux_flags_offset "$work") || { echo "error: cannot find the $version entry of $target" >&2; rm -f "$work"; exit 1; }
  printf '\x02\x00' | dd of="$work" bs=1 seek="$offset" conv=notrunc status=none
  readelf -V -W "$work" | grep -q "Name: $version  Flags: WEAK" || { echo "error: marking $version weak in $target failed" >&2; rm -f "$work"; exit 1; }
  chmod --reference="$target" "$work"
  mv -f "$work" "$target"
  echo "patched $target for $(basename "${libstdcxx:-libstdc++}") without $version"
done
