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
work=
work_default=noop
notes_name=noop-rebuild.txt
source "$(dirname "$0")/build-projects.sh"

rm -rf "$work"
stub_work "$work"

write_project "$work/plain" plain 0 0
write_project "$work/no-models" no-models 1 0
write_project "$work/10-models" 10-models 1 1

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
      write_project "$work/10-models" 10-models 1 1 0
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
