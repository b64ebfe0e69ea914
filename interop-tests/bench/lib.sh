# Shared by the benchmarks: a closed two-namespace lab (192.0.2.1 <-> 192.0.2.2 on a veth pair,
# protected subnets 10.1.0.0/24 and 10.2.0.0/24 on loopback), IkeSharp and strongSwan (kernel-libipsec)
# daemons in it, and their clean-up (on exit). Sourcing it builds ikesharpd (Release) into $WORK.
# Set ROOT, ESP, IKE, WORK, L, R and PIDS first.
# LOG_LEVEL (default Warning) is ikesharpd's; each daemon logs to $WORK/SIDE-iks|ss/log.

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

# ikesharp NS SIDE(left|right) START(start|none) [ENCAP(yes|no)] [TUNNEL_SETTINGS] [CHILD_SETTINGS]
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
        ${5:-}
        children {
            net {
                local_ts = $mynet
                remote_ts = $peernet
                esp_proposals = $ESP
                ${6:-}
            }
        }
    }
}
CONF
    printf 'secrets {\n    peer {\n        psk = bench-psk-0123456789abcdef\n    }\n}\n' >"$dir/secrets.conf"
    chmod 600 "$dir/secrets.conf"
    ip netns exec "$ns" dotnet "$WORK/ikesharpd/ikesharpd.dll" --config "$dir/ikesharp.conf" --log-level "${LOG_LEVEL:-Warning}" >"$dir/log" 2>&1 &
    PIDS+=($!)
    echo $! >"$dir/pid"
}

# strongswan NS SIDE START(yes|no) [CONNECTION_SETTINGS] [CHILD_SETTINGS]
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
    ${4:-}
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
        ${5:-}
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

stop_daemons() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    PIDS=()
    rm -rf "$WORK"/left-* "$WORK"/right-*
}
