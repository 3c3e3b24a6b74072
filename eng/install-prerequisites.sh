#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian 12 machine. Idempotent; skips what is already there.
set -euo pipefail
command -v dotnet >/dev/null || { echo "the .NET SDK is required (dotnet on PATH)" >&2; exit 1; }
