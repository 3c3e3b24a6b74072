#!/usr/bin/env bash
# Runs the whole test suite (what CI runs) and prints one line: "N passed, N failed, N skipped".
# Exits non-zero when a test failed or the build broke.
set -uo pipefail
cd "$(dirname "$0")/.."

# What the tests need beyond the .NET SDK (idempotent; a no-op on a machine that has it).
bash eng/install-prerequisites.sh || echo "warning: eng/install-prerequisites.sh failed; some tests may fail" >&2

# The large TorchScript fixtures (torchvision models, ~2 GB) live in a cache folder outside the clone, regenerated only
# when their generator changes (about 1.5 minutes on 2 cores).
bash eng/torchscript/large-fixtures.sh >/dev/null || echo "warning: eng/torchscript/large-fixtures.sh failed; the large TorchScript fixture tests will fail" >&2

results="$PWD/.test-results"
rm -rf "$results"
mkdir -p "$results"

dotnet test BuildConvert.sln -c Release --logger "trx" --results-directory "$results" "$@"
rc=$?

passed=0 failed=0 skipped=0 files=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(get total); p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout); ab=$(get aborted)
  # Inconclusive means a test could not run its real check (e.g. the corpus beside the clone is missing): a failure here.
  inc=$(get inconclusive)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${ab:-0} + ${inc:-0}))
  skipped=$((skipped + ${total:-0} - ${p:-0} - ${f:-0} - ${e:-0} - ${t:-0} - ${ab:-0} - ${inc:-0}))
done

if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build or a test host broke without a failed test on record: count it as a failure.
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$files" -gt 0 ]
