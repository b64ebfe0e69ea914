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

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for ns in $L $R; do ip netns pids $ns 2>/dev/null | xargs -r kill -9 2>/dev/null || true; ip netns del $ns 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building ikesharpd (Release)"
dotnet publish "$ROOT/src/IkeSharp.Daemon" -c Release -o "$WORK/ikesharpd" --nologo -v quiet >/dev/null

lab() {
    for ns in $L $R; do ip netns del $ns 2>/dev/null || true; ip netns add $ns; ip -n $ns link set lo up; done
    ip link add wan0 netns $L type veth peer name wan0 netns $R
    ip -n $L addr add 192.0.2.1/24 dev wan0; ip -n $L link set wan0 up
    ip -n $R addr add 192.0.2.2/24 dev wan0; ip -n $R link set wan0 up
    ip -n $L addr add 10.1.0.1/24 dev lo; ip -n $R addr add 10.2.0.1/24 dev lo
}

# ikesharp NS SIDE(left|right) START(start|none) [ENCAP(yes|no)]
ikesharp() {
    local ns=$1 side=$2 start=$3 encap=${4:-no} dir=$WORK/$2-iks me peer mynet peernet
    if [[ $side == left ]]; then me=192.0.2.1 peer=192.0.2.2 mynet=10.1.0.0/24 peernet=10.2.0.0/24; else me=192.0.2.2 peer=192.0.2.1 mynet=10.2.0.0/24 peernet=10.1.0.0/24; fi
    mkdir -p "$dir"
    cat >"$dir/ikesharp.conf" <<CONF
daemon {
    socket = $dir/ikesharp.sock
    datapath = userspace
}
tunnels {
    peer {
        local_addrs = $me
        remote_addrs = $peer
        local_id = $me
        remote_id = $peer
        ike_proposals = $IKE
        start_action = $start
        encap = $encap
        children {
            net {
                local_ts = $mynet
                remote_ts = $peernet
                esp_proposals = $ESP
            }
        }
    }
}
CONF
    printf 'secrets {\n    peer {\n        psk = bench-psk-0123456789abcdef\n    }\n}\n' >"$dir/secrets.conf"
    chmod 600 "$dir/secrets.conf"
    ip netns exec "$ns" dotnet "$WORK/ikesharpd/ikesharpd.dll" --config "$dir/ikesharp.conf" --log-level Warning >"$dir/log" 2>&1 &
    PIDS+=($!)
    echo $! >"$dir/pid"
}

# strongswan NS SIDE START(yes|no)
strongswan() {
    local ns=$1 side=$2 start=$3 dir=$WORK/$2-ss me peer mynet peernet
    if [[ $side == left ]]; then me=192.0.2.1 peer=192.0.2.2 mynet=10.1.0.0/24 peernet=10.2.0.0/24; else me=192.0.2.2 peer=192.0.2.1 mynet=10.2.0.0/24 peernet=10.1.0.0/24; fi
    mkdir -p "$dir/run" "$dir/swanctl"
    cat >"$dir/strongswan.conf" <<CONF
charon {
  load = random nonce aes sha1 sha2 hmac gcm pem pkcs1 x509 pubkey gmp openssl kdf kernel-libipsec kernel-netlink socket-default vici updown
  install_virtual_ip = no
  plugins {
    vici {
      socket = unix://$dir/run/charon.vici
    }
  }
}
CONF
    cat >"$dir/swanctl/swanctl.conf" <<CONF
connections {
  peer {
    version = 2
    local_addrs = $me
    remote_addrs = $peer
    proposals = $IKE
    local {
      auth = psk
      id = $me
    }
    remote {
      auth = psk
      id = $peer
    }
    children {
      net {
        local_ts = $mynet
        remote_ts = $peernet
        esp_proposals = $ESP
        start_action = $( [[ $start == yes ]] && echo start || echo none )
      }
    }
  }
}
secrets {
  ike-peer {
    secret = bench-psk-0123456789abcdef
  }
}
CONF
    ip netns exec "$ns" unshare -m sh -c "mount -t tmpfs tmpfs /run && mkdir -p /run/strongswan && mount --bind $dir/swanctl /etc/swanctl \
        && STRONGSWAN_CONF=$dir/strongswan.conf exec /usr/lib/ipsec/charon" >"$dir/log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 100); do [[ -S $dir/run/charon.vici ]] && break; sleep 0.1; done
    pgrep -f "STRONGSWAN_CONF=$dir" >/dev/null || true
    ip netns exec "$ns" unshare -m sh -c "mount --bind $dir/swanctl /etc/swanctl && STRONGSWAN_CONF=$dir/strongswan.conf exec swanctl --load-all --uri unix://$dir/run/charon.vici" >/dev/null 2>&1
    pgrep -n -f "/usr/lib/ipsec/charon" >"$dir/pid"
}

wait_tunnel() {
    for _ in $(seq 1 100); do
        ip netns exec $L ping -c 1 -W 1 -I 10.1.0.1 10.2.0.1 >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "tunnel did not come up; logs:" >&2; tail -n 20 "$WORK"/*/log >&2; exit 1
}

cpu_seconds() { # pid -> utime+stime in seconds (all threads)
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
}

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

stop_daemons() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    PIDS=()
    rm -rf "$WORK"/left-* "$WORK"/right-*
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
