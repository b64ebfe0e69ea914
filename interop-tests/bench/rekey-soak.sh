#!/usr/bin/env bash
# Rekey soak (a benchmark, not a CI test): IkeSharp (user-space datapath) against strongSwan 5.9
# (kernel-libipsec) in two closed namespaces for MINUTES (default 30) of rekeys, with traffic all
# along. IkeSharp rekeys the Child SA every CHILD_REKEY (10s) and the IKE SA every IKE_REKEY (60s);
# strongSwan rekeys its side a little later (13 s, 70 s), so both roles and the odd collision occur.
# Traffic: iperf3 UDP at RATE (20M) from left to right, and a ping every 200 ms. Reports datagrams
# and pings lost, rekeys and collisions done (IkeSharp's log), the daemons' CPU seconds, and
# ikesharpd's RSS at the start (after 10 s), every minute and at the end.
# Usage (root): MINUTES=30 interop-tests/bench/rekey-soak.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ESP=${ESP:-aes128gcm16}
IKE=${IKE:-aes128-sha256-ecp256}
MINUTES=${MINUTES:-30}
CHILD_REKEY=${CHILD_REKEY:-10s}
IKE_REKEY=${IKE_REKEY:-60s}
RATE=${RATE:-20M}
LOG_LEVEL=Information
WORK=$(mktemp -d /tmp/iks-soak.XXXXXX)
L=iksol$$ R=iksor$$
PIDS=()

[[ $(id -u) -eq 0 ]] || { echo "rekey-soak.sh needs root (network namespaces)" >&2; exit 1; }
for tool in iperf3 /usr/lib/ipsec/charon swanctl; do
    command -v "$tool" >/dev/null || [[ -x $tool ]] || { echo "missing $tool (apt-get install iperf3 strongswan-charon strongswan-swanctl libcharon-extra-plugins)" >&2; exit 1; }
done

# shellcheck source=interop-tests/bench/lib.sh
source "$ROOT/interop-tests/bench/lib.sh"

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

seconds=$((MINUTES * 60))
echo "== rekey soak: ${MINUTES} min, IkeSharp Child rekeys every $CHILD_REKEY, IKE rekeys every $IKE_REKEY; ESP $ESP, IKE $IKE; iperf3 UDP $RATE + ping every 200 ms"
lab
strongswan $R right no "rekey_time = 70s
    over_time = 60s
    rand_time = 0" "rekey_time = 13s
        life_time = 60s
        rand_time = 0"
ikesharp $L left start no "rekey_time = $IKE_REKEY
        over_time = 60s
        rand_time = 0" "rekey_time = $CHILD_REKEY
                life_time = 60s
                rand_time = 0"
wait_tunnel
iks=$(cat "$WORK/left-iks/pid") swan=$(cat "$WORK/right-ss/pid")
sleep 10
rss_start=$(rss_kb "$iks")
cpu_iks=$(cpu_seconds "$iks") cpu_swan=$(cpu_seconds "$swan")

ip netns exec $R iperf3 -s -1 -B 10.2.0.1 >/dev/null 2>&1 &
server=$!
sleep 0.3
ip netns exec $L iperf3 -c 10.2.0.1 -B 10.1.0.1 -u -b "$RATE" -t "$seconds" -l 1200 >"$WORK/iperf.txt" 2>&1 &
client=$!
ip netns exec $L ping -c $((seconds * 5)) -i 0.2 -W 1 -q -I 10.1.0.1 10.2.0.1 >"$WORK/ping.txt" 2>&1 &
pinger=$!

samples="$rss_start"
for minute in $(seq 1 "$MINUTES"); do
    sleep 60
    samples+=" $(rss_kb "$iks" || echo gone)"
    echo "  minute $minute: ikesharpd RSS $(rss_kb "$iks" || echo gone) kB, $(grep -c 'CHILD_SA net rekeyed' "$WORK/left-iks/log") Child SA rekeys so far"
done
wait $client || true
wait $pinger || true
wait $server 2>/dev/null || true

log=$WORK/left-iks/log
echo "== results"
echo "ping: $(grep 'packets transmitted' "$WORK/ping.txt")"
echo "iperf3 UDP (receiver): $(awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\/[0-9]+$/) { print $i, $(i + 1) } }' "$WORK/iperf.txt" | tail -n 1) lost/total datagrams"
echo "rekeys seen by IkeSharp: $(grep -c 'CHILD_SA net rekeyed' "$log") Child SA, $(grep -c 'IKE_SA peer rekeyed' "$log") IKE SA, $(grep -c 'rekey collision' "$log") collisions, $(grep -ci 'tunnel peer is down' "$log") times down"
echo "daemon CPU: ikesharpd $(awk -v a="$cpu_iks" -v b="$(cpu_seconds "$iks")" 'BEGIN { printf "%.1f", b - a }') s, charon $(awk -v a="$cpu_swan" -v b="$(cpu_seconds "$swan")" 'BEGIN { printf "%.1f", b - a }') s"
echo "ikesharpd RSS (kB): start $rss_start, end $(rss_kb "$iks"); per minute: $samples"
