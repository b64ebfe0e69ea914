#!/usr/bin/env bash
# ESP throughput, measured in one run on this machine:
#   (a) IkeSharp <-> IkeSharp, both with the user-space datapath (TUN); no NAT between them, so raw
#       ESP (IP protocol 50), and (a2) the same with encap = yes (ESP in UDP 4500, as b and c use)
#   (b) strongSwan kernel-libipsec <-> strongSwan kernel-libipsec (which always forces ESP in UDP)
#   (c) IkeSharp <-> strongSwan kernel-libipsec
#   (d) the plain veth path (no tunnel), and (e) one core's AES-GCM encrypt rate on 1400-byte packets
#       (openssl speed, the same key size as ESP; for a CBC suite also (e2), the AES-CBC + HMAC rate)
# iperf3 TCP, 1 and 4 streams, between the protected subnets of two closed namespaces. Prints each
# figure, the CPU seconds each daemon used during both iperf runs, and the ratios; the last line is
# "ratio a/b = X.XX" (single stream).
# Usage (root): ESP=aes128gcm16|aes256-sha256 DURATION=5 interop-tests/bench/esp-throughput.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ESP=${ESP:-aes128gcm16}
IKE=${IKE:-aes128-sha256-ecp256}
DURATION=${DURATION:-5}
WORK=$(mktemp -d /tmp/iks-bench.XXXXXX)
L=iksbl$$ R=iksbr$$
PIDS=()

[[ $(id -u) -eq 0 ]] || { echo "esp-throughput.sh needs root (network namespaces)" >&2; exit 1; }
for tool in iperf3 openssl /usr/lib/ipsec/charon swanctl; do
    command -v "$tool" >/dev/null || [[ -x $tool ]] || { echo "missing $tool (apt-get install iperf3 strongswan-charon strongswan-swanctl libcharon-extra-plugins)" >&2; exit 1; }
done

# shellcheck source=interop-tests/bench/lib.sh
source "$ROOT/interop-tests/bench/lib.sh"

# iperf TARGET STREAMS -> Mbit/s received
iperf() {
    ip netns exec $R iperf3 -s -1 -B "$1" >/dev/null 2>&1 &
    local server=$!
    sleep 0.3
    ip netns exec $L iperf3 -c "$1" -P "$2" -t "$DURATION" -f m | awk '/receiver/ { rate = $(NF-2) } END { print rate }'
    wait $server 2>/dev/null || true
}

declare -A RESULT CPU
measure() { # name
    local name=$1 pids=() before=() i
    for f in "$WORK"/*/pid; do pids+=("$(cat "$f")"); done
    for i in "${!pids[@]}"; do before[$i]=$(cpu_seconds "${pids[$i]}"); done
    RESULT[$name-1]=$(iperf 10.2.0.1 1)
    RESULT[$name-4]=$(iperf 10.2.0.1 4)
    CPU[$name]=""
    for i in "${!pids[@]}"; do CPU[$name]+=" $(awk -v a="${before[$i]}" -v b="$(cpu_seconds "${pids[$i]}")" 'BEGIN { printf "%.1fs", b - a }')"; done
    printf '%-40s %8s Mbit/s (1 stream) %8s Mbit/s (4 streams)   daemon CPU:%s\n' "$name" "${RESULT[$name-1]}" "${RESULT[$name-4]}" "${CPU[$name]}"
}

echo "== ESP $ESP, IKE $IKE, iperf3 TCP ${DURATION}s"
lab
RESULT[d-1]=$(iperf 192.0.2.2 1)
RESULT[d-4]=$(iperf 192.0.2.2 4)
printf '%-40s %8s Mbit/s (1 stream) %8s Mbit/s (4 streams)\n' "(d) plain veth" "${RESULT[d-1]}" "${RESULT[d-4]}"

ikesharp $R right none; ikesharp $L left start; wait_tunnel
measure "(a) IkeSharp <-> IkeSharp"; stop_daemons; lab

ikesharp $R right none yes; ikesharp $L left start yes; wait_tunnel
measure "(a2) IkeSharp <-> IkeSharp, ESP in UDP"; stop_daemons; lab

strongswan $R right no; strongswan $L left yes; wait_tunnel
measure "(b) strongSwan <-> strongSwan (libipsec)"; stop_daemons; lab

strongswan $R right no; ikesharp $L left start; wait_tunnel
measure "(c) IkeSharp <-> strongSwan (libipsec)"; stop_daemons

bits=$(echo "$ESP" | sed -E 's/^aes([0-9]+).*/\1/')
speed() { # openssl speed arguments -> Mbit/s at 1400 bytes
    openssl speed "$@" -bytes 1400 -seconds 2 2>/dev/null | awk '$NF ~ /k$/ { v = $NF } END { sub(/k$/, "", v); printf "%.0f", v * 1000 * 8 / 1e6 }'
}
E=$(speed -evp "aes-$bits-gcm")
printf '%-40s %8s Mbit/s\n' "(e) one core aes-$bits-gcm, 1400-byte packets" "$E"
if [[ $ESP != *gcm* ]]; then
    cbc=$(speed -evp "aes-$bits-cbc") hmac=$(speed -hmac "$(echo "$ESP" | sed -E 's/^aes[0-9]+-//')")
    printf '%-40s %8s Mbit/s (aes-%s-cbc %s, hmac %s)\n' "(e2) one core CBC + HMAC, 1400 bytes" \
        "$(awk -v a="$cbc" -v b="$hmac" 'BEGIN { printf "%.0f", 1 / (1 / a + 1 / b) }')" "$bits" "$cbc" "$hmac"
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
echo "ratio a2/b (ESP in UDP on both) = $(ratio "${RESULT[(a2) IkeSharp <-> IkeSharp, ESP in UDP-1]}" "${RESULT[(b) strongSwan <-> strongSwan (libipsec)-1]}")"
echo "ratio c/b = $(ratio "${RESULT[(c) IkeSharp <-> strongSwan (libipsec)-1]}" "${RESULT[(b) strongSwan <-> strongSwan (libipsec)-1]}")"
echo "ratio a/b (4 streams) = $(ratio "${RESULT[(a) IkeSharp <-> IkeSharp-4]}" "${RESULT[(b) strongSwan <-> strongSwan (libipsec)-4]}")"
echo "ratio a/e = $(ratio "${RESULT[(a) IkeSharp <-> IkeSharp-1]}" "$E")"
echo "ratio a/b = $(ratio "${RESULT[(a) IkeSharp <-> IkeSharp-1]}" "${RESULT[(b) strongSwan <-> strongSwan (libipsec)-1]}")"
