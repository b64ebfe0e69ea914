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

# The interop lab's tools, from Debian: strongSwan 5.9.8 as the real peer, nftables for the NAT
# namespace, iproute2 for namespaces, openssl for test keys, ping and iperf3 through the tunnels,
# tcpdump to see that raw ESP is IP protocol 50. Installed only when missing.
lab_packages=(strongswan-charon strongswan-swanctl libcharon-extra-plugins strongswan-pki nftables iproute2 openssl iperf3 iputils-ping tcpdump)
if [[ $(id -u) -eq 0 ]]; then
    missing=()
    for p in "${lab_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if ((${#missing[@]})); then
        echo "== installing lab packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
else
    echo "== not root: interop tests will report themselves skipped (they need network namespaces)"
fi

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
# Console verbosity "minimal" prints each failed test with its message and stack (quiet names none).
dotnet test IkeSharp.sln --no-build --configuration Release --verbosity quiet -nologo --logger "console;verbosity=minimal" 2>&1 | tee "$log" || status=$?

# The kernel lab: IkeSharp's XFRM datapath against strongSwan's kernel-netlink under a real
# Debian kernel in QEMU (this machine's kernel has no ESP). Each scenario counts as one test.
if [[ $(id -u) -eq 0 ]]; then
    echo "== kernel lab (QEMU): interop-tests/kernel-lab.sh --left ikesharp"
    interop-tests/kernel-lab.sh --left ikesharp 2>&1 | tee -a "$log" || status=1
else
    echo "== kernel lab skipped: it needs root"
    echo "Skipped! - Failed: 0, Passed: 0, Skipped: 7 (kernel lab)" >>"$log"
fi

# The systemd lab: the published binaries with docs/systemd/ under a real systemd (systemd-nspawn,
# private network); each check of the unit counts as one test.
if [[ $(id -u) -eq 0 ]]; then
    echo "== systemd lab (nspawn): interop-tests/systemd-lab.sh"
    interop-tests/systemd-lab.sh 2>&1 | tee -a "$log" || status=1
else
    echo "== systemd lab skipped: it needs root"
    echo "Skipped! - Failed: 0, Passed: 0, Skipped: 11 (systemd lab)" >>"$log"
fi

# One plain closing line summed over all test assemblies and the kernel lab's scenarios.
awk '
    /^== summary/ { lab = 1 }
    lab && /^PASS \(/ { passed++ }
    lab && /^FAIL/ { failed++ }
    /(Passed|Failed|Skipped)!/ {
        for (i = 1; i <= NF; i++) {
            gsub(",", "", $(i + 1))
            if ($i == "Failed:") failed += $(i + 1)
            if ($i == "Passed:") passed += $(i + 1)
            if ($i == "Skipped:") skipped += $(i + 1)
        }
    }
    END { printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }
' "$log"
# Name the failures last, where a reader of the log's tail finds them.
grep -E '^[[:space:]]+Failed [A-Za-z_]|^FAIL' "$log" | sed 's/^[[:space:]]*/failed: /' || true
exit "$status"
