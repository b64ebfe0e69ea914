#!/usr/bin/env bash
# The one test command (see README.md): formatting, build with warnings as errors, then every
# unit, property and interop test. Interop tests need root and network namespaces; without root
# they are reported as skipped with the reason, never silently passed.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null; then
    echo "test.sh: the .NET 10 SDK (dotnet) is required on PATH" >&2
    exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== restore"
dotnet restore IkeSharp.sln --verbosity quiet

echo "== dotnet format --verify-no-changes"
dotnet format IkeSharp.sln --verify-no-changes --no-restore

echo "== build (warnings are errors)"
dotnet build IkeSharp.sln --no-restore --configuration Release --verbosity quiet -nologo

echo "== tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test IkeSharp.sln --no-build --configuration Release --verbosity quiet -nologo 2>&1 | tee "$log" || status=$?

# One plain closing line summed over all test assemblies.
awk '
    /(Passed|Failed)!/ {
        for (i = 1; i <= NF; i++) {
            gsub(",", "", $(i + 1))
            if ($i == "Failed:") failed += $(i + 1)
            if ($i == "Passed:") passed += $(i + 1)
            if ($i == "Skipped:") skipped += $(i + 1)
        }
    }
    END { printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }
' "$log"
exit "$status"
