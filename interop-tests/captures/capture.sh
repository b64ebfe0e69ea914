#!/usr/bin/env bash
# Regenerates the strongSwan IKEv2 interop captures in this directory.
#
#   sudo interop-tests/captures/capture.sh [CASE ...]
#
# Without arguments all cases run. For every case two network namespaces are
# created (ikscap-i = initiator 192.0.2.1 / 2001:db8::1, ikscap-r = responder
# 192.0.2.2 / 2001:db8::2), joined only by a veth pair. Nothing is connected to
# this machine's uplink, no route leaves the lab, and everything is torn down on
# exit. strongSwan 5.9.8 (Debian) runs in each namespace with kernel-libipsec
# (the kernel here has no ESP), logging at high verbosity so that the logs
# reveal all IKE/CHILD_SA keys. Output per case:
#   CASE.pcap                     tcpdump in ikscap-i, 'udp port 500 or udp port 4500'
#   CASE.initiator.log            charon log of the initiator
#   CASE.responder.log            charon log of the responder
#   keys/CASE.json                secrets extracted from both logs (extract_keys.py)
#   pki/CASE/...                  throw-away keys/certs used by the pubkey/x509 cases
set -euo pipefail

OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NS_I=ikscap-i
NS_R=ikscap-r
ALL_CASES=(psk-aes256-sha1-modp2048 psk-gcm-ecp psk-gcm256-x25519 psk-defaults
           pubkey-rsa4096 x509-ecdsa-certs x509-rsa-fragmented multi-subnet
           invalid-ke cookie ipv6 dpd)

if [[ $(id -u) -ne 0 ]]; then
    echo "capture.sh must run as root (network namespaces, charon)" >&2
    exit 1
fi

log() { printf '[capture] %s\n' "$*" >&2; }

# ---------------------------------------------------------------- packages --
install_packages() {
    local pkgs=(strongswan-charon strongswan-swanctl libcharon-extra-plugins strongswan-pki tcpdump iputils-ping ethtool)
    local missing=()
    for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if ((${#missing[@]})); then
        log "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        apt-get install -y -q "${missing[@]}"
    fi
    # The Debian package enables (and on a systemd host starts) a system-wide
    # charon via strongswan-starter. We never want that one.
    if command -v systemctl >/dev/null; then
        systemctl stop strongswan-starter.service strongswan.service >/dev/null 2>&1 || true
        systemctl disable strongswan-starter.service strongswan.service >/dev/null 2>&1 || true
    fi
    rm -f /etc/systemd/system/multi-user.target.wants/strongswan-starter.service \
          /etc/systemd/system/multi-user.target.wants/strongswan.service
    command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }
}

# plugins for pki and swanctl (their defaults try plugins Debian does not ship)
TOOL_PLUGINS="random nonce sha1 sha2 pem pkcs1 pkcs8 x509 pubkey constraints gmp openssl"

# ------------------------------------------------------------ lab teardown --
WORK=""
PIDS=()

stop_pid() { # pid signal
    local pid=$1 sig=${2:-TERM} i
    kill -0 "$pid" 2>/dev/null || return 0
    kill "-$sig" "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

teardown_lab() {
    local pid
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    PIDS=()
    ip netns del "$NS_I" 2>/dev/null || true
    ip netns del "$NS_R" 2>/dev/null || true
}

cleanup() {
    teardown_lab
    [[ -n $WORK && -d $WORK ]] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------- lab network --
# veth pair 192.0.2.1/24 <-> 192.0.2.2/24 (and 2001:db8::1/64 <-> ::2), nothing
# else. The "protected subnets" live on a second veth pair lan0/lan0p that stays
# inside each namespace (this kernel has no dummy interface driver).
setup_net() {
    teardown_lab
    ip netns add "$NS_I"
    ip netns add "$NS_R"
    local ns
    for ns in "$NS_I" "$NS_R"; do
        # no DAD: addresses are usable at once and no late address events make
        # charon send MOBIKE address updates in the middle of a capture
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    done
    ip link add ikscap-vi netns "$NS_I" type veth peer name ikscap-vr netns "$NS_R"
    for ns in "$NS_I" "$NS_R"; do
        ip -n "$ns" link set lo up
        ip -n "$ns" link add lan0 type veth peer name lan0p
        ip -n "$ns" link set lan0 up
        ip -n "$ns" link set lan0p up
    done
    ip -n "$NS_I" link set ikscap-vi name wan0
    ip -n "$NS_R" link set ikscap-vr name wan0
    ip -n "$NS_I" addr add 192.0.2.1/24 dev wan0
    ip -n "$NS_R" addr add 192.0.2.2/24 dev wan0
    ip -n "$NS_I" addr add 2001:db8::1/64 dev wan0 nodad
    ip -n "$NS_R" addr add 2001:db8::2/64 dev wan0 nodad
    ip -n "$NS_I" addr add 10.1.0.1/24 dev lan0
    ip -n "$NS_I" addr add 10.1.1.1/24 dev lan0
    ip -n "$NS_R" addr add 10.2.0.1/24 dev lan0
    ip -n "$NS_R" addr add 10.2.1.1/24 dev lan0
    ip -n "$NS_I" addr add 2001:db8:1::1/64 dev lan0 nodad
    ip -n "$NS_R" addr add 2001:db8:2::1/64 dev lan0 nodad
    # veth leaves UDP checksums to "hardware" that never computes them; turn
    # that off so the captured datagrams carry valid checksums
    ip netns exec "$NS_I" ethtool -K wan0 tx off >/dev/null
    ip netns exec "$NS_R" ethtool -K wan0 tx off >/dev/null
    ip -n "$NS_I" link set wan0 up
    ip -n "$NS_R" link set wan0 up
    sleep 1   # let link-local addresses and routes settle before charon starts
}

# ------------------------------------------------------------ charon config --
# Log levels: ike/enc/net 4 reveal DH secret, SKEYSEED, SK_*, nonces, AUTH
# octets and decrypted message plaintext; chd 4 reveals the CHILD_SA keys.
write_strongswan_conf() { # dir extra
    local dir=$1 extra=$2
    mkdir -p "$dir/run" "$dir/swanctl"/{conf.d,x509,x509ca,pubkey,private,rsa,ecdsa}
    cat >"$dir/strongswan.conf" <<EOF
charon {
  load = random nonce aes sha1 sha2 hmac gcm pem pkcs1 pkcs8 x509 pubkey constraints gmp openssl kdf kernel-libipsec kernel-netlink socket-default vici updown
  install_virtual_ip = no
  plugins {
    vici {
      socket = unix://$dir/run/charon.vici
    }
  }
  filelog {
    capture {
      path = $dir/charon.log
      append = no
      flush_line = yes
      default = 1
      ike = 4
      enc = 4
      cfg = 2
      net = 4
      knl = 1
      lib = 1
      chd = 4
    }
  }
$extra
}
swanctl {
  load = $TOOL_PLUGINS
}
EOF
}

start_charon() { # ns dir
    local ns=$1 dir=$2 i
    ip netns exec "$ns" unshare -m sh -c "mount -t tmpfs tmpfs /run && mkdir -p /run/strongswan \
        && mount --bind '$dir/swanctl' /etc/swanctl \
        && STRONGSWAN_CONF='$dir/strongswan.conf' exec /usr/lib/ipsec/charon" \
        >"$dir/charon.stdout" 2>&1 &
    PIDS+=($!)
    for i in $(seq 1 100); do
        [[ -S $dir/run/charon.vici ]] && return 0
        sleep 0.1
    done
    echo "charon in $ns did not come up" >&2
    cat "$dir/charon.stdout" >&2 || true
    return 1
}

swanctl_ns() { # ns dir args...
    local ns=$1 dir=$2
    shift 2
    ip netns exec "$ns" unshare -m sh -c "mount --bind '$dir/swanctl' /etc/swanctl \
        && STRONGSWAN_CONF='$dir/strongswan.conf' exec swanctl \"\$@\" --uri unix://$dir/run/charon.vici" swanctl "$@"
}

# -------------------------------------------------------- per-case settings --
# Defaults (IPv4, PSK, one child net 10.1.0.0/24 <-> 10.2.0.0/24).
reset_case_vars() {
    ADDR_I=192.0.2.1; ADDR_R=192.0.2.2
    IKE_I=""; IKE_R=""; ESP_I=""; ESP_R=""
    AUTH=psk; PSK=""
    ID_I=""; ID_R=""
    TS_I=10.1.0.0/24; TS_R=10.2.0.0/24
    PING_SRC=10.1.0.1; PING_DST=10.2.0.1
    CONN_EXTRA=""
    CHARON_EXTRA_I=""; CHARON_EXTRA_R=""
    PRE_CAPTURE=""    # function run after loading the configs, before tcpdump starts
    EXTRA_CHILDREN_I=""; EXTRA_CHILDREN_R=""
    INIT_CHILDREN=(net)
    HOLD=1            # seconds to keep the tunnel up before terminating
    PKI_SETUP=""      # function creating credentials
    LOCAL_AUTH_EXTRA_I=""; LOCAL_AUTH_EXTRA_R=""
    REMOTE_AUTH_EXTRA_I=""; REMOTE_AUTH_EXTRA_R=""
}

configure_case() { # case
    reset_case_vars
    PSK="lab-psk-$1-0123456789abcdef"
    case $1 in
    psk-aes256-sha1-modp2048)
        IKE_I=aes256-sha1-modp2048; ESP_I=aes256-sha1-modp2048
        ID_I=192.0.2.1; ID_R=192.0.2.2 ;;
    psk-gcm-ecp)
        IKE_I=aes192gcm16-aes128gcm16-prfsha256-ecp256-ecp521
        ESP_I=aes192gcm16-aes128gcm16-ecp256
        ID_I=gw-i.lab.example; ID_R=gw-r.lab.example ;;
    psk-gcm256-x25519)
        IKE_I=aes256gcm16-prfsha384-x25519; ESP_I=aes256gcm16
        ID_I=gw-i@lab.example; ID_R=gw-r@lab.example ;;
    psk-defaults)
        IKE_I=default; ESP_I=default ;;   # IDs default to the IP addresses
    pubkey-rsa4096)
        IKE_I=aes256-sha256-modp2048; ESP_I=aes256-sha256
        AUTH=pubkey
        ID_I=gw-i-rsa.lab.example; ID_R=gw-r-rsa.lab.example
        PKI_SETUP=pki_raw_rsa4096
        LOCAL_AUTH_EXTRA_I="pubkeys = gw-i.pub"; REMOTE_AUTH_EXTRA_I="pubkeys = gw-r.pub"
        LOCAL_AUTH_EXTRA_R="pubkeys = gw-r.pub"; REMOTE_AUTH_EXTRA_R="pubkeys = gw-i.pub" ;;
    x509-ecdsa-certs)
        IKE_I=aes128gcm16-prfsha256-ecp256; ESP_I=aes128gcm16
        AUTH=pubkey
        ID_I="C=XX, O=IkeSharp Lab, CN=gw-i.lab.example"
        ID_R="C=XX, O=IkeSharp Lab, CN=gw-r.lab.example"
        PKI_SETUP=pki_ecdsa
        LOCAL_AUTH_EXTRA_I="certs = gw-i.crt"; LOCAL_AUTH_EXTRA_R="certs = gw-r.crt"
        REMOTE_AUTH_EXTRA_I="cacerts = ca.crt"; REMOTE_AUTH_EXTRA_R="cacerts = ca.crt"
        CONN_EXTRA="send_cert = always
    send_certreq = yes" ;;
    x509-rsa-fragmented)
        IKE_I=aes256-sha256-modp3072; ESP_I=aes256-sha256
        AUTH=pubkey
        ID_I="C=XX, O=IkeSharp Lab, CN=gw-i-rsa.lab.example"
        ID_R="C=XX, O=IkeSharp Lab, CN=gw-r-rsa.lab.example"
        PKI_SETUP=pki_rsa3072
        LOCAL_AUTH_EXTRA_I="certs = gw-i.crt"; LOCAL_AUTH_EXTRA_R="certs = gw-r.crt"
        REMOTE_AUTH_EXTRA_I="cacerts = ca.crt"; REMOTE_AUTH_EXTRA_R="cacerts = ca.crt"
        CONN_EXTRA="send_cert = always
    send_certreq = yes
    fragmentation = force"
        CHARON_EXTRA_I="  fragment_size = 500"; CHARON_EXTRA_R="  fragment_size = 500" ;;
    multi-subnet)
        IKE_I=aes128-sha256-modp2048; ESP_I=aes128-sha256-modp2048
        ID_I=gw-i.lab.example; ID_R=gw-r.lab.example
        TS_I=10.1.0.0/24,10.1.1.0/24; TS_R=10.2.0.0/24,10.2.1.0/24
        # second CHILD_SA (CREATE_CHILD_SA with PFS) restricted to TCP -> 443
        EXTRA_CHILDREN_I="      web {
        local_ts = 10.1.0.0/24[tcp]
        remote_ts = 10.2.0.0/24[tcp/443]
        esp_proposals = aes128-sha256-modp2048
      }"
        EXTRA_CHILDREN_R="      web {
        local_ts = 10.2.0.0/24[tcp/443]
        remote_ts = 10.1.0.0/24[tcp]
        esp_proposals = aes128-sha256-modp2048
      }"
        INIT_CHILDREN=(net web) ;;
    invalid-ke)
        IKE_I=aes128-sha256-ecp256-modp2048; IKE_R=aes128-sha256-modp2048
        ESP_I=aes128-sha256; ESP_R=aes128-sha256
        ID_I=192.0.2.1; ID_R=192.0.2.2 ;;
    cookie)
        IKE_I=aes128-sha256-modp2048; ESP_I=aes128-sha256
        ID_I=192.0.2.1; ID_R=192.0.2.2
        # strongSwan demands cookies once the number of half-open responder
        # IKE_SAs reaches cookie_threshold (and for 10 s afterwards). The count
        # does not include the IKE_SA_INIT being checked, so a decoy
        # IKE_SA_INIT (cookie_decoy, before the capture starts) leaves one
        # half-open IKE_SA behind on the responder for half_open_timeout.
        CHARON_EXTRA_R="  cookie_threshold = 1
  cookie_threshold_ip = 1"
        PRE_CAPTURE=cookie_decoy ;;
    ipv6)
        ADDR_I=2001:db8::1; ADDR_R=2001:db8::2
        IKE_I=aes256-sha1-modp2048; ESP_I=aes256-sha1-modp2048
        ID_I=2001:db8::1; ID_R=2001:db8::2
        TS_I=2001:db8:1::/64; TS_R=2001:db8:2::/64
        PING_SRC=2001:db8:1::1; PING_DST=2001:db8:2::1 ;;
    dpd)
        IKE_I=aes128-sha256-modp2048; ESP_I=aes128-sha256
        ID_I=gw-i.lab.example; ID_R=gw-r.lab.example
        CONN_EXTRA="dpd_delay = 2s"
        HOLD=9 ;;
    *) echo "unknown case $1" >&2; return 1 ;;
    esac
    [[ -n $IKE_R ]] || IKE_R=$IKE_I
    [[ -n $ESP_R ]] || ESP_R=$ESP_I
}

# ----------------------------------------------------------------- PKI -----
pki_raw_rsa4096() { # pkidir
    local p=$1 s
    for s in i r; do
        pki --gen --type rsa --size 4096 --outform pem >"$p/gw-$s.key"
        pki --pub --in "$p/gw-$s.key" --type rsa --outform pem >"$p/gw-$s.pub"
    done
    cp "$p/gw-i.key" "$DIR_I/swanctl/private/gw-i.key"
    cp "$p/gw-r.key" "$DIR_R/swanctl/private/gw-r.key"
    cp "$p/gw-i.pub" "$p/gw-r.pub" "$DIR_I/swanctl/pubkey/"
    cp "$p/gw-i.pub" "$p/gw-r.pub" "$DIR_R/swanctl/pubkey/"
}

pki_ca_certs() { # pkidir type size ca-cn cn-i cn-r
    local p=$1 type=$2 size=$3 cacn=$4 s cn
    pki --gen --type "$type" --size "$size" --outform pem >"$p/ca.key"
    pki --self --ca --lifetime 3650 --in "$p/ca.key" --type "$type" \
        --dn "C=XX, O=IkeSharp Lab, CN=$cacn" --outform pem >"$p/ca.crt"
    for s in i r; do
        if [[ $s == i ]]; then cn=$5; else cn=$6; fi
        pki --gen --type "$type" --size "$size" --outform pem >"$p/gw-$s.key"
        pki --pub --in "$p/gw-$s.key" --type "$type" |
            pki --issue --lifetime 3650 --cacert "$p/ca.crt" --cakey "$p/ca.key" \
                --dn "C=XX, O=IkeSharp Lab, CN=$cn" --san "$cn" --flag serverAuth \
                --outform pem >"$p/gw-$s.crt"
    done
    cp "$p/ca.crt" "$DIR_I/swanctl/x509ca/"; cp "$p/ca.crt" "$DIR_R/swanctl/x509ca/"
    cp "$p/gw-i.crt" "$DIR_I/swanctl/x509/"; cp "$p/gw-r.crt" "$DIR_R/swanctl/x509/"
    cp "$p/gw-i.key" "$DIR_I/swanctl/private/"; cp "$p/gw-r.key" "$DIR_R/swanctl/private/"
}

pki_ecdsa()   { pki_ca_certs "$1" ecdsa 256 "IkeSharp Lab ECDSA CA" gw-i.lab.example gw-r.lab.example; }
pki_rsa3072() { pki_ca_certs "$1" rsa 3072 "IkeSharp Lab RSA CA" gw-i-rsa.lab.example gw-r-rsa.lab.example; }

# ----------------------------------------------------------- cookie decoy ---
# One hand-made IKE_SA_INIT request (aes128-sha256-modp2048, KE value 2 = g^1,
# which is in the prime-order subgroup) from 192.0.2.1:<ephemeral> to the
# responder. The responder answers and keeps the IKE_SA half-open, which pushes
# it over cookie_threshold = 1 for the real IKE_SA_INIT that follows.
cookie_decoy() {
    ip netns exec "$NS_I" python3 - "$ADDR_R" <<'PYEOF'
import os, socket, struct, sys
def transform(ttype, tid, attrs=b'', last=False):
    return struct.pack('!BBHBBH', 0 if last else 3, 0, 8 + len(attrs), ttype, 0, tid) + attrs
trans = (transform(1, 12, struct.pack('!HH', 0x800e, 128)) + transform(2, 5) +
         transform(3, 12) + transform(4, 14, last=True))
prop = struct.pack('!BBHBBBB', 0, 0, 8 + len(trans), 1, 1, 0, 4) + trans
sa = struct.pack('!BBH', 34, 0, 4 + len(prop)) + prop
ke_data = struct.pack('!HH', 14, 0) + (2).to_bytes(256, 'big')
ke = struct.pack('!BBH', 40, 0, 4 + len(ke_data)) + ke_data
nonce = os.urandom(32)
no = struct.pack('!BBH', 0, 0, 4 + len(nonce)) + nonce
body = sa + ke + no
msg = os.urandom(8) + bytes(8) + struct.pack('!BBBBII', 33, 0x20, 34, 0x08, 0, 28 + len(body)) + body
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(msg, (sys.argv[1], 500))
resp = s.recv(4096)
assert resp[18] == 34 and resp[19] & 0x20 and resp[16] == 33, 'decoy: no IKE_SA_INIT response with SA'
print('decoy IKE_SA_INIT answered, responder SPI', resp[8:16].hex())
PYEOF
}

# ---------------------------------------------------------- swanctl.conf ---
write_swanctl_conf() { # dir side(i|r) case
    local dir=$1 side=$2 name=$3
    local laddr raddr lid rid lts rts ike esp lextra rextra children
    if [[ $side == i ]]; then
        laddr=$ADDR_I; raddr=$ADDR_R; lid=$ID_I; rid=$ID_R; lts=$TS_I; rts=$TS_R
        ike=$IKE_I; esp=$ESP_I; lextra=$LOCAL_AUTH_EXTRA_I; rextra=$REMOTE_AUTH_EXTRA_I
        children=$EXTRA_CHILDREN_I
    else
        laddr=$ADDR_R; raddr=$ADDR_I; lid=$ID_R; rid=$ID_I; lts=$TS_R; rts=$TS_I
        ike=$IKE_R; esp=$ESP_R; lextra=$LOCAL_AUTH_EXTRA_R; rextra=$REMOTE_AUTH_EXTRA_R
        children=$EXTRA_CHILDREN_R
    fi
    {
        echo "connections {"
        echo "  $name {"
        echo "    version = 2"
        echo "    local_addrs = $laddr"
        echo "    remote_addrs = $raddr"
        echo "    proposals = $ike"
        [[ -n $CONN_EXTRA ]] && echo "    $CONN_EXTRA"
        echo "    local {"
        echo "      auth = $AUTH"
        [[ -n $lid ]] && echo "      id = \"$lid\""
        [[ -n $lextra ]] && echo "      $lextra"
        echo "    }"
        echo "    remote {"
        echo "      auth = $AUTH"
        [[ -n $rid ]] && echo "      id = \"$rid\""
        [[ -n $rextra ]] && echo "      $rextra"
        echo "    }"
        echo "    children {"
        echo "      net {"
        echo "        local_ts = $lts"
        echo "        remote_ts = $rts"
        echo "        esp_proposals = $esp"
        echo "      }"
        [[ -n $children ]] && echo "$children"
        echo "    }"
        echo "  }"
        echo "}"
        if [[ $AUTH == psk ]]; then
            echo "secrets {"
            echo "  ike-lab {"
            if [[ -n $ID_I ]]; then
                echo "    id-1 = \"$ID_I\""; echo "    id-2 = \"$ID_R\""
            else
                echo "    id-1 = $ADDR_I"; echo "    id-2 = $ADDR_R"
            fi
            echo "    secret = \"$PSK\""
            echo "  }"
            echo "}"
        fi
    } >"$dir/swanctl/swanctl.conf"
}

# --------------------------------------------------------------- one case ---
run_case() { # case
    local name=$1 i
    log "=== $name"
    configure_case "$name"
    setup_net
    DIR_I=$WORK/$name/i; DIR_R=$WORK/$name/r
    rm -rf "$WORK/$name"; mkdir -p "$DIR_I" "$DIR_R"
    write_strongswan_conf "$DIR_I" "$CHARON_EXTRA_I"
    write_strongswan_conf "$DIR_R" "$CHARON_EXTRA_R"
    if [[ -n $PKI_SETUP ]]; then
        rm -rf "$OUT/pki/$name"; mkdir -p "$OUT/pki/$name"
        STRONGSWAN_CONF=$WORK/tools.conf "$PKI_SETUP" "$OUT/pki/$name"
    fi
    write_swanctl_conf "$DIR_I" i "$name"
    write_swanctl_conf "$DIR_R" r "$name"

    start_charon "$NS_R" "$DIR_R"
    start_charon "$NS_I" "$DIR_I"
    swanctl_ns "$NS_R" "$DIR_R" --load-all >"$WORK/$name/load-r.txt" 2>&1 ||
        { cat "$WORK/$name/load-r.txt" >&2; return 1; }
    swanctl_ns "$NS_I" "$DIR_I" --load-all >"$WORK/$name/load-i.txt" 2>&1 ||
        { cat "$WORK/$name/load-i.txt" >&2; return 1; }

    if [[ -n $PRE_CAPTURE ]]; then "$PRE_CAPTURE" >"$WORK/$name/pre-capture.txt" 2>&1 ||
        { cat "$WORK/$name/pre-capture.txt" >&2; return 1; }; fi
    rm -f "$OUT/$name.pcap"
    ip netns exec "$NS_I" tcpdump -i wan0 -n -U -s 0 -Z root -w "$OUT/$name.pcap" \
        'udp port 500 or udp port 4500' >"$WORK/$name/tcpdump.txt" 2>&1 &
    local tcpdump_pid=$!
    PIDS+=("$tcpdump_pid")
    for i in $(seq 1 50); do
        grep -q 'listening on' "$WORK/$name/tcpdump.txt" 2>/dev/null && break
        sleep 0.1
    done

    local child ok=1
    for child in "${INIT_CHILDREN[@]}"; do
        if ! swanctl_ns "$NS_I" "$DIR_I" --initiate --child "$child" --timeout 30 \
                >>"$WORK/$name/initiate.txt" 2>&1; then
            log "initiate of child $child failed"; ok=0
        fi
    done
    # wait for the CHILD_SA(s) to be installed on both sides
    local want=${#INIT_CHILDREN[@]} have_i have_r
    for i in $(seq 1 100); do
        have_i=$(swanctl_ns "$NS_I" "$DIR_I" --list-sas 2>/dev/null | grep -c 'INSTALLED' || true)
        have_r=$(swanctl_ns "$NS_R" "$DIR_R" --list-sas 2>/dev/null | grep -c 'INSTALLED' || true)
        ((have_i >= want && have_r >= want)) && break
        sleep 0.1
    done
    swanctl_ns "$NS_I" "$DIR_I" --list-sas >"$WORK/$name/list-sas-i.txt" 2>&1 || true
    if ((have_i < want || have_r < want)); then
        log "CHILD_SA not installed (initiator $have_i, responder $have_r of $want)"; ok=0
    fi
    if ((ok)); then
        local pingopt=()
        [[ $PING_DST == *:* ]] && pingopt=(-6)
        if ip netns exec "$NS_I" ping "${pingopt[@]}" -c 1 -W 3 -I "$PING_SRC" "$PING_DST" \
                >"$WORK/$name/ping.txt" 2>&1; then
            log "ping $PING_SRC -> $PING_DST through the tunnel: ok"
        else
            log "ping through the tunnel failed"; cat "$WORK/$name/ping.txt" >&2
        fi
        sleep "$HOLD"
    fi
    swanctl_ns "$NS_I" "$DIR_I" --terminate --ike "$name" --timeout 10 \
        >"$WORK/$name/terminate.txt" 2>&1 || log "terminate failed"
    sleep 1
    stop_pid "$tcpdump_pid" INT
    teardown_lab

    cp "$DIR_I/charon.log" "$OUT/$name.initiator.log"
    cp "$DIR_R/charon.log" "$OUT/$name.responder.log"
    # the key extraction needs these DBG4 dumps; if one is missing, the log
    # levels in write_strongswan_conf are too low for this strongSwan build
    local pat
    for pat in 'shared Diffie Hellman secret =>' 'SKEYSEED =>' 'Sk_d secret =>' 'Sk_ei secret =>' \
               'Sk_pi secret =>' "octets = message + nonce + prf(Sk_px, IDx') =>" \
               'encryption initiator key =>' 'plain =>'; do
        grep -qF "$pat" "$OUT/$name.initiator.log" ||
            { echo "$name: '$pat' missing in the initiator log; raise the log levels" >&2; return 1; }
    done
    if [[ $AUTH == psk ]]; then
        grep -qF 'AUTH = prf(prf(secret, keypad), octets) =>' "$OUT/$name.initiator.log" ||
            { echo "$name: PSK AUTH dump missing in the initiator log" >&2; return 1; }
    fi
    mkdir -p "$OUT/keys"
    python3 "$OUT/extract_keys.py" "$name" "$OUT/$name.initiator.log" "$OUT/$name.responder.log" \
        "$OUT/$name.pcap" >"$OUT/keys/$name.json.tmp"
    mv "$OUT/keys/$name.json.tmp" "$OUT/keys/$name.json"
    log "$name: $(grep -c '' "$OUT/$name.initiator.log") initiator log lines, " \
        "$(stat -c %s "$OUT/$name.pcap") pcap bytes, ok=$ok"
    STATUS+=("$name: tunnel=$([[ $ok == 1 ]] && echo up || echo FAILED) ping=$(grep -q ' 0% packet loss' "$WORK/$name/ping.txt" 2>/dev/null && echo ok || echo failed)")
}

# ------------------------------------------------------------------- main ---
install_packages
WORK=$(mktemp -d /var/tmp/ikscap.XXXXXX)
chmod 755 "$WORK"
printf 'pki {\n  load = %s\n}\n' "$TOOL_PLUGINS" >"$WORK/tools.conf"
STATUS=()
if (($#)); then CASES=("$@"); else CASES=("${ALL_CASES[@]}"); fi
for c in "${CASES[@]}"; do
    run_case "$c"
done
/usr/lib/ipsec/charon --version >"$OUT/strongswan-version.txt" 2>&1 || true
dpkg-query -W strongswan-charon strongswan-swanctl libstrongswan >>"$OUT/strongswan-version.txt"
printf '%s\n' "${STATUS[@]}"
