#!/usr/bin/env bash
# Regenerates the documents and files that are generated from code (docs/diagnostics.md, docs/supported-ops.md, and the
# MSBuild task's option list and props defaults) by running the tests that keep them current with BUILDCONVERT_UPDATE_DOCS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILDCONVERT_UPDATE_DOCS=1 dotnet test tests/BuildConvert.Core.Tests -c Release --filter "FullyQualifiedName~DocumentIsCurrent" >/dev/null || true
BUILDCONVERT_UPDATE_DOCS=1 dotnet test tests/BuildConvert.Core.Tests -c Release --filter "FullyQualifiedName~DocumentIsCurrent"
BUILDCONVERT_UPDATE_DOCS=1 dotnet test tests/BuildConvert.MSBuild.Tests -c Release --filter "FullyQualifiedName~DocumentIsCurrent" >/dev/null || true
BUILDCONVERT_UPDATE_DOCS=1 dotnet test tests/BuildConvert.MSBuild.Tests -c Release --filter "FullyQualifiedName~DocumentIsCurrent"
