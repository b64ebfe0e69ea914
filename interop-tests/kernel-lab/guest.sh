#!/usr/bin/env bash
# The kernel lab's scenarios, run inside the VM that kernel-lab.sh boots: a chroot into this
# machine's root file system (read-only over 9p; /tmp and /run are the VM's own tmpfs, the run
# directory is writable). Each scenario builds network namespaces, runs strongSwan with
# kernel-netlink on the right and the implementation under test ($LEFT) on the left, checks the
# kernel's ESP datapath and removes everything again. Prints one PASS/FAIL line per scenario and
# exits non-zero when any failed.
#
#   direct: left [lan0 10.1.0.1/24] eth0 192.0.2.1 -- wire (bridge) -- 192.0.2.2 eth0 [lan0 10.2.0.1/24] right
#   nat:    left eth0 192.168.1.2 -- in0 192.168.1.1 nat out0 198.51.100.1 -- 198.51.100.2 eth0 right
#           (nftables masquerade on out0)
# tcpdump watches the outer link from the namespace in the middle (wire's port to left, nat's
# out0): on an IPsec endpoint's own interface it would also see the decrypted inner packets.
set -euo pipefail

run=${LAB_RUN:?guest.sh runs inside the kernel lab VM (see kernel-lab.sh)}
# shellcheck source=/dev/null # written by kernel-lab.sh: LEFT, SCENARIOS
. "$run/args"
results=$run/results
work=/tmp/lab
daemon_dll=$run/ikesharp/daemon/ikesharpd.dll
cli_dll=$run/ikesharp/cli/ikesharp.dll
psk=kernel-lab-pre-shared-key-0123456789
ike_proposals=aes128gcm16-prfsha256-x25519
# The root file system is read-only: .NET needs a writable home.
export HOME=/tmp/home DOTNET_CLI_HOME=/tmp/home DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p "$HOME"

t0=$EPOCHREALTIME
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
say() { echo "[$(since "$t0")s] $*"; }

# expect DESCRIPTION COMMAND...: one check; a failure ends the scenario (its subshell has set -e).
expect() {
    local what=$1
    shift
    if "$@"; then
        say "  ok: $what"
    else
        say "  FAILED: $what"
        return 1
    fi
}

# wait_for DESCRIPTION SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for() {
    local what=$1 limit=$2 deadline=$((SECONDS + $2))
    shift 2
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            say "  FAILED: no $what within ${limit}s"
            return 1
        fi
        sleep 0.2
    done
    say "  ok: $what"
}

# wait_daemon DESCRIPTION PID SOCKET SECONDS: until the daemon's socket appears; fails at once
# when the daemon exits (a configuration error, say).
wait_daemon() {
    local deadline=$((SECONDS + $4))
    until [[ -S $3 ]]; do
        if exited "$2"; then
            say "  FAILED: $1: the daemon exited"
            return 1
        elif ((SECONDS >= deadline)); then
            say "  FAILED: no $1 within $4s"
            return 1
        fi
        sleep 0.2
    done
    say "  ok: $1"
}

# Processes to end between scenarios (they outlive the scenario's subshell).
track() { echo "$1" >>"$work/pids"; }

# exited PID: gone, a zombie, or being reaped right now (its stat no longer readable).
exited() {
    local state
    state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
    [[ -z $state || $state == Z ]]
}

# ---------------------------------------------------------------------------------------------
# Topologies

# ip -batch: one process per namespace instead of one per command (process starts are slow here).
topology() {
    case $1 in
        direct)
            ip -b - <<EOF
netns add left
netns add right
netns add wire
link add eth0 netns left type veth peer name p-left netns wire
link add eth0 netns right type veth peer name p-right netns wire
EOF
            ip -n wire -b - <<EOF
link set lo up
link add br0 type bridge
link set p-left master br0
link set p-right master br0
link set p-left up
link set p-right up
link set br0 up
EOF
            left_addr=192.0.2.1 right_addr=192.0.2.2 watch=(wire p-left)
            endpoint left 10.1.0.1/24 192.0.2.1/24 192.0.2.2
            endpoint right 10.2.0.1/24 192.0.2.2/24 192.0.2.1
            ;;
        nat)
            ip -b - <<EOF
netns add left
netns add right
netns add nat
link add eth0 netns left type veth peer name in0 netns nat
link add eth0 netns right type veth peer name out0 netns nat
EOF
            ip -n nat -b - <<EOF
link set lo up
addr add 192.168.1.1/24 dev in0
addr add 198.51.100.1/24 dev out0
link set in0 up
link set out0 up
EOF
            ip netns exec nat sysctl -qw net.ipv4.ip_forward=1
            ip netns exec nat nft -f - <<'EOF'
table ip lab_nat {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "out0" masquerade
    }
}
EOF
            left_addr=192.168.1.2 right_addr=198.51.100.2 watch=(nat out0)
            endpoint left 10.1.0.1/24 192.168.1.2/24 192.168.1.1
            endpoint right 10.2.0.1/24 198.51.100.2/24 198.51.100.1
            ;;
    esac
}

# endpoint NS PROTECTED_ADDR OUTER_ADDR GATEWAY: the protected subnet on a dummy interface, the
# outer address on eth0, and a default route (so traffic to the remote subnet meets the policies).
endpoint() {
    ip -n "$1" -b - <<EOF
link set lo up
link add lan0 type dummy
link set lan0 up
addr add $2 dev lan0
addr add $3 dev eth0
link set eth0 up
route add default via $4
EOF
}

# ---------------------------------------------------------------------------------------------
# strongSwan (right always; left for the baseline)

# swanctl_conf LOCAL_ADDRS REMOTE_ADDRS LOCAL_ID REMOTE_ID LOCAL_TS REMOTE_TS ESP START_ACTION [CHILD_SETTINGS [CONNECTION_SETTINGS]]
swanctl_conf() {
    cat <<EOF
connections {
    lab {
        version = 2
        local_addrs = $1
        remote_addrs = $2
        proposals = $ike_proposals
        ${10:-}
        local {
            auth = psk
            id = $3
        }
        remote {
            auth = psk
            id = $4
        }
        children {
            net {
                local_ts = $5
                remote_ts = $6
                esp_proposals = $7
                start_action = $8
                ${9:-}
            }
        }
    }
}
secrets {
    ike-lab {
        id-left = @left.lab
        id-right = @right.lab
        secret = "$psk"
    }
}
EOF
}

# charon_start NS SWANCTL_CONF [CHARON_SETTINGS]: charon with kernel-netlink (the kernel's ESP) and a private
# config directory, then swanctl --load-all.
charon_start() {
    local ns=$1 dir=$work/$1
    mkdir -p "$dir"
    echo "$2" >"$dir/swanctl.conf"
    cat >"$dir/strongswan.conf" <<EOF
charon {
    load = random nonce aes sha1 sha2 hmac pem pkcs1 x509 pubkey gmp openssl kdf kernel-netlink socket-default vici
    ${3:-}
    plugins {
        vici {
            socket = unix://$dir/charon.vici
        }
    }
    filelog {
        stderr {
            default = 1
            ike = 2
        }
    }
}
swanctl {
    load = pem pkcs1 x509 pubkey openssl random
}
EOF
    # charon keeps its pid file in /run: a private tmpfs per daemon. exec keeps one PID.
    # shellcheck disable=SC2016 # $1 expands in the inner shell
    ip netns exec "$ns" unshare -m sh -c 'mount -t tmpfs tmpfs /run && exec env STRONGSWAN_CONF="$1" /usr/lib/ipsec/charon' \
        sh "$dir/strongswan.conf" >"$results/$scenario-$ns-charon.log" 2>&1 &
    echo $! >"$dir/pid"
    track $!
    wait_daemon "charon in $ns" $! "$dir/charon.vici" 60
    swan "$ns" --load-all --file "$dir/swanctl.conf" >>"$results/$scenario-$ns-swanctl.log" 2>&1
}

# swan NS ARGS...: swanctl against that namespace's charon.
swan() {
    local dir=$work/$1
    shift
    STRONGSWAN_CONF=$dir/strongswan.conf swanctl "$@" --uri "unix://$dir/charon.vici"
}

# right_start ESP_PROPOSALS [CHILD_SETTINGS]
# right_start ESP_PROPOSALS [CHILD_SETTINGS [CONNECTION_SETTINGS [CHARON_SETTINGS]]]
right_start() {
    charon_start right "$(swanctl_conf "$right_addr" %any @right.lab @left.lab 10.2.0.0/24 10.1.0.0/24 "$1" none "${2:-}" "${3:-}")" "${4:-}"
}

# ---------------------------------------------------------------------------------------------
# The left side: strongswan or ikesharp

# left_start ESP_PROPOSALS START_ACTION (start or trap) [IKESHARP_CHILD_SETTING]
left_start() {
    case $LEFT in
        strongswan) charon_start left "$(swanctl_conf "$left_addr" "$right_addr" @left.lab @right.lab 10.1.0.0/24 10.2.0.0/24 "$1" "$2")" ;;
        ikesharp) ikesharp_start "$1" "$2" "${3:-}" ;;
    esac
}

ikesharp_start() {
    ikesharp_run "$2" "" "" "local_ts = 10.1.0.0/24
                remote_ts = 10.2.0.0/24
                esp_proposals = $1
                ${3:-}"
}

# ikesharp_run START_ACTION DAEMON_SETTING TUNNEL_SETTINGS CHILD_SETTINGS: the left side's config,
# tunnel "lab" to the right side with one child "net", and ikesharpd started on it.
ikesharp_run() {
    local dir=$work/left
    mkdir -p "$dir"
    cat >"$dir/ikesharp.conf" <<EOF
$(ikesharp_daemon_block "$dir" "$2")
tunnels {
    lab {
        local_addrs = $left_addr
        remote_addrs = $right_addr
        local_id = @left.lab
        remote_id = @right.lab
        ike_proposals = $ike_proposals
        start_action = $1
        $3
        children {
            net {
                $4
            }
        }
    }
}
EOF
    ikesharp_launch "$dir"
}

# ikesharp_daemon_block DIR [SETTING]: the daemon section of the left side's config (kernel datapath).
ikesharp_daemon_block() {
    printf 'daemon {\n    listen = %s\n    datapath = kernel\n    socket = %s/ikesharp.sock\n    %s\n}\n' "$left_addr" "$1" "${2:-}"
}

# ikesharp_launch DIR: ikesharpd in the left namespace with DIR/ikesharp.conf and DIR/secrets.conf.
ikesharp_launch() {
    local dir=$1
    (
        umask 077 # the daemon refuses a secrets file others can read
        printf 'secrets {\n    lab {\n        psk = "%s"\n    }\n}\n' "$psk" >"$dir/secrets.conf"
    )
    (exec ip netns exec left dotnet "$daemon_dll" --config "$dir/ikesharp.conf" --log-level Debug \
        >"$results/$scenario-left-ikesharpd.log" 2>&1) &
    echo $! >"$dir/pid"
    track $!
    wait_daemon "ikesharpd's control socket" $! "$dir/ikesharp.sock" 90
}

# SIGTERM to the left daemon, as systemd stops it; it must exit 0 within 30 s.
left_stop() {
    local pid status=0
    pid=$(<"$work/left/pid")
    kill -TERM "$pid"
    local deadline=$((SECONDS + 30))
    until exited "$pid" || ((SECONDS >= deadline)); do sleep 0.2; done
    if ! exited "$pid"; then
        say "  FAILED: the left daemon did not exit within 30 s of SIGTERM; its threads (name: kernel wait):"
        local t
        for t in /proc/"$pid"/task/*; do
            echo "    $(cat "$t/comm" 2>/dev/null): $(cat "$t/wchan" 2>/dev/null)"
        done
        return 1
    fi
    wait "$pid" || status=$?
    expect "left daemon exited with status 0 after SIGTERM (got $status)" test "$status" -eq 0
}

# ---------------------------------------------------------------------------------------------
# IkeSharp's status shows the kernel's counters: `ikesharp status --json` (kept with the results)
# must show nonzero packets and bytes in both directions for at least one Child SA
# (fields: src/IkeSharp.Daemon/Control/StatusJson.cs).
ikesharp_counters_nonzero() {
    local json
    json=$(dotnet "$cli_dll" status --json --socket "$work/left/ikesharp.sock") || return 1
    jq . <<<"$json" | tee "$results/$scenario-left-status.json"
    jq -e '[.tunnels[]?.ike_sas[]?."child-sas"[]?
            | select((."packets-in" // 0) > 0 and (."packets-out" // 0) > 0
                     and (."bytes-in" // 0) > 0 and (."bytes-out" // 0) > 0)]
           | length > 0' <<<"$json" >/dev/null
}

left_status_check() {
    case $LEFT in
        strongswan) swan left --list-sas ;;
        ikesharp) expect "ikesharp status --json shows nonzero Child SA counters" ikesharp_counters_nonzero ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# Observations

# One line per established ESP SA in namespace $1: SPI, then algorithms with keys; sorted.
xfrm_sas() {
    ip -n "$1" xfrm state | awk '
        function flush() { if (spi != "" && spi != "0x00000000") print line; spi = ""; line = "" }
        /^src / { flush() }
        $1 == "proto" && $2 == "esp" { spi = $4; line = "spi=" $4 }
        $1 == "aead" || $1 == "enc" || $1 == "auth" || $1 == "auth-trunc" { $1 = $1; line = line " " $0 }
        END { flush() }' | sort
}

both_have_sas() { [[ $(xfrm_sas left | wc -l) -ge 2 && $(xfrm_sas right | wc -l) -ge 2 ]]; }

# Every established SA in both namespaces has carried packets.
sa_counters_nonzero() {
    local ns
    for ns in left right; do
        # with -s the SPI reads 0xc1d75ee2(3252117218)
        ip -n "$ns" -s xfrm state | awk '
            $1 == "proto" && $2 == "esp" { spi = $4; sub(/\(.*/, "", spi) }
            /lifetime current:/ { getline; if (spi != "0x00000000") { n++; if ($2 + 0 == 0) bad++ } }
            END { exit (n >= 2 && bad == 0) ? 0 : 1 }' || return 1
    done
}

# check_sas PATTERN...: both namespaces hold the same two SAs (SPIs, algorithms, keys), and
# each SA line matches every extended regular expression given.
check_sas() {
    local l r p
    l=$(xfrm_sas left)
    r=$(xfrm_sas right)
    echo "$l" | sed 's/ 0x[0-9a-f]\{16,\}/ <key>/g; s/^/    left: /'
    expect "two ESP SAs in the left namespace" test "$(wc -l <<<"$l")" -eq 2
    expect "both namespaces agree on SPIs, algorithms and keys" test "$l" = "$r"
    for p in "$@"; do
        expect "SA algorithms match /$p/" test "$(grep -cE "$p" <<<"$l")" -eq 2
    done
    expect "every SA counted packets (ip -s xfrm state)" sa_counters_nonzero
    # A larval state left from the kernel's ACQUIRE (SPI 0) would swallow the next ACQUIRE for
    # that flow until it expires (net.core.xfrm_acq_expires, 30 s).
    expect "no larval (ACQUIRE) state left in the left namespace" eval "! ip -n left xfrm state | grep -q 'spi 0x00000000'"
}

capture_start() {
    ip netns exec "${watch[0]}" tcpdump -i "${watch[1]}" -n -l 'esp or udp port 4500 or icmp' >"$work/capture.txt" 2>"$work/capture.err" &
    echo $! >"$work/capture.pid"
    track $!
    wait_for "tcpdump on the outer link" 60 grep -q "listening on" "$work/capture.err"
}

capture_stop() {
    local pid
    pid=$(<"$work/capture.pid")
    kill -INT "$pid"
    wait "$pid" || true
    cp "$work/capture.txt" "$results/$scenario-capture.txt"
}

# check_capture esp|udp: the outer link carried ESP (plain or in UDP 4500), with exactly the SPIs
# of the kernel's SAs, and never the inner pings in the clear.
check_capture() {
    local wire xfrm
    wire=$(grep -o 'ESP(spi=0x[0-9a-f]*' "$work/capture.txt" | cut -d = -f 2 | sort -u | tr '\n' ' ')
    xfrm=$(xfrm_sas left | sed 's/^spi=\([^ ]*\).*/\1/' | sort -u | tr '\n' ' ')
    say "    ESP packets on the wire: $(grep -c 'ESP(spi=' "$work/capture.txt"), SPIs: $wire"
    expect "the SPIs on the wire are the SAs' SPIs (both directions)" test "$wire" = "$xfrm"
    expect "no inner ICMP in the clear on the outer link" eval "! grep -q 'ICMP echo' '$work/capture.txt'"
    case $1 in
        esp) expect "ESP travels as IP protocol 50 (no UDP encapsulation)" eval "! grep -q 'UDP-encap' '$work/capture.txt'" ;;
        udp) expect "ESP travels in UDP 4500 (NAT-T)" eval "! grep 'ESP(spi=' '$work/capture.txt' | grep -vq '\.4500 > .*\.4500: UDP-encap: ESP'" ;;
    esac
}

ping_through() { ip netns exec "$1" ping -c 3 -i 0.2 -W 2 -q -I "$2" "$3" >/dev/null; }

ping_both_ways() {
    expect "ping 10.1.0.1 -> 10.2.0.1 through the tunnel" ping_through left 10.1.0.1 10.2.0.1
    expect "ping 10.2.0.1 -> 10.1.0.1 through the tunnel" ping_through right 10.2.0.1 10.1.0.1
}

# ---------------------------------------------------------------------------------------------
# Scenarios (each runs in a subshell with set -e; the first failed step ends it)

gcm_patterns=('aead rfc4106\(gcm\(aes\)\) 0x[0-9a-f]{40} 128')
cbc_patterns=('enc cbc\(aes\) 0x[0-9a-f]{64}' 'auth-trunc hmac\(sha256\) 0x[0-9a-f]{64} 128')

# tunnel TOPOLOGY ESP ENCAP PATTERN...: the left side initiates at start-up.
tunnel() {
    local topo=$1 esp=$2 encap=$3
    shift 3
    topology "$topo"
    right_start "$esp"
    capture_start
    left_start "$esp" start
    wait_for "Child SAs in both namespaces" 120 both_have_sas
    ping_both_ways
    capture_stop
    check_sas "$@"
    check_capture "$encap"
    left_status_check
}

scenario_psk_gcm() { tunnel direct aes128gcm16 esp "${gcm_patterns[@]}"; }
scenario_psk_cbc() { tunnel direct aes256-sha256 esp "${cbc_patterns[@]}"; }
scenario_nat_t() { tunnel nat aes128gcm16 udp "${gcm_patterns[@]}"; }

scenario_trap() {
    topology direct
    right_start aes128gcm16
    capture_start
    left_start aes128gcm16 trap
    wait_for "the trap policy in the left namespace" 120 eval "ip -n left xfrm policy | grep -q 'src 10.1.0.0/24 dst 10.2.0.0/24'"
    expect "no SA before traffic" test -z "$(xfrm_sas left)"
    # The first packets only trigger the negotiation (the kernel drops them meanwhile).
    wait_for "a ping through the trapped tunnel" 120 ip netns exec left ping -c 1 -W 1 -q -I 10.1.0.1 10.2.0.1
    wait_for "Child SAs in both namespaces" 30 both_have_sas
    ping_both_ways
    capture_stop
    check_sas "${gcm_patterns[@]}"
    check_capture esp
    left_status_check
}

# spis_on_wire: the distinct ESP SPIs in the capture.
spis_on_wire() { grep -o 'ESP(spi=0x[0-9a-f]*' "$work/capture.txt" | cut -d = -f 2 | sort -u; }

# lost_outside_reauthentication LOG < PING_OUTPUT: the sequence numbers of pings (ping -D -O, 200 ms
# apart) that went unanswered and were sent outside every window from IkeSharp's "reauthenticating"
# to its "reauthenticated" log line (the log's times are UTC, of today).
lost_outside_reauthentication() {
    local day windows
    day=$(date -u +%F)
    windows=$(grep -E 'IKE_SA lab reauthenticat(ing|ed)' "$1" | while read -r time _; do
        date -u -d "$day $time" +%s.%N
    done | paste -sd ' ')
    awk -v windows="$windows" '
        /no answer yet for icmp_seq=/ {
            sent = substr($1, 2, length($1) - 2) - 0.2; seq = $NF; sub(/.*=/, "", seq)
            n = split(windows, w, " "); inside = 0
            for (i = 1; i < n; i += 2) if (sent >= w[i] - 0.2 && sent <= w[i + 1] + 0.2) inside = 1
            if (!inside) printf "%s ", seq
        }'
}

# ping_across_changes FILE: once both sides have SAs, 100 pings 200 ms apart (ping -D -O) while the
# SAs change under them, kept in FILE and in the caller's $ping; the caller's $policies is the count
# of left's policies before; the capture stops after.
ping_across_changes() {
    wait_for "Child SAs in both namespaces" 120 both_have_sas
    ping_through left 10.1.0.1 10.2.0.1 || true # neighbour discovery
    policies=$(ip -n left xfrm policy | grep -c '^src')
    ping=$(ip netns exec left ping -D -O -c 100 -i 0.2 -W 1 -I 10.1.0.1 10.2.0.1 || true)
    echo "$ping" >"$1"
    capture_stop
}

# one_pair_each PATTERN: each namespace holds one SA pair, the same one (SPIs, algorithms, keys),
# both SAs matching the extended regular expression. Rekeys go on, so it is checked in one go.
one_pair_each() {
    local l
    l=$(xfrm_sas left)
    [[ $(wc -l <<<"$l") -eq 2 && $l == "$(xfrm_sas right)" && $(grep -cE "$1" <<<"$l") -eq 2 ]]
}

# (h) Rekeys on kernel ESP: strongSwan rekeys the Child SA every 4 s; IkeSharp rekeys it every 3 s,
# rekeys the IKE SA every 5 s and reauthenticates (make-before-break) every 13 s; both at once
# collide now and then. A ping every 200 ms for 20 s loses nothing to a rekey (at most one to
# each reauthentication, see below), and the capture on the outer
# link shows only ESP, with many SPIs, and never an inner ICMP packet in the clear: the policies
# stay while the SAs under them change. Each side then holds one pair, the same one (rekeys go
# on, so that is checked at one moment: check_sas, which compares in several steps, would race).
scenario_rekey() {
    ikesharp_only || return 0
    topology direct
    right_start aes128gcm16 "rekey_time = 4s
                life_time = 30s
                rand_time = 0"
    capture_start
    ikesharp_run start "" "rekey_time = 5s
        reauth_time = 13s
        over_time = 30s
        rand_time = 0" "local_ts = 10.1.0.0/24
                remote_ts = 10.2.0.0/24
                esp_proposals = aes128gcm16
                rekey_time = 3s
                life_time = 30s
                rand_time = 0"
    local policies ping
    ping_across_changes "$results/$scenario-ping.txt"
    say "    $(grep 'packets transmitted' <<<"$ping")$(grep 'no answer yet' <<<"$ping" | sed 's/^/; /' | tr -d '\n')"
    # A reauthentication's new pair is used by strongSwan (the responder) as soon as it answers
    # IKE_AUTH, before IkeSharp has the keys to install it: pings sent in that window may be lost
    # (a few ms on hardware, a few hundred under emulation). Rekeys have no such window: a ping
    # lost outside a reauthentication fails the scenario.
    local outside
    outside=$(lost_outside_reauthentication "$results/$scenario-left-ikesharpd.log" <<<"$ping")
    say "    lost outside a reauthentication: ${outside:-none}"
    expect "100 pings 200 ms apart across the rekeys, none lost to a rekey" test -z "$outside"
    wait_for "one SA pair in each namespace, agreed, after the rekeys" 40 one_pair_each "${gcm_patterns[0]}"
    local log=$results/$scenario-left-ikesharpd.log
    say "    IkeSharp: $(grep -c 'CHILD_SA net rekeyed' "$log") Child SA rekeys, $(grep -c 'IKE_SA lab rekeyed' "$log") IKE SA rekeys, $(grep -c 'IKE_SA lab reauthenticated' "$log") reauthentications, $(grep -c 'rekey collision' "$log") collisions; $(spis_on_wire | wc -l) SPIs on the wire"
    expect "Child SAs were rekeyed (at least 5)" test "$(grep -c 'CHILD_SA net rekeyed' "$log")" -ge 5
    expect "the IKE SA was rekeyed" grep -q 'IKE_SA lab rekeyed' "$log"
    expect "the IKE SA was reauthenticated" grep -q 'IKE_SA lab reauthenticated' "$log"
    expect "at least 10 SPIs carried ESP on the wire" test "$(spis_on_wire | wc -l)" -ge 10
    expect "no inner ICMP in the clear on the outer link" eval "! grep -q 'ICMP echo' '$work/capture.txt'"
    expect "the policies stayed (same count as before the rekeys)" test "$(ip -n left xfrm policy | grep -c '^src')" -eq "$policies"
    expect "the tunnel never went down" eval "! grep -qi 'tunnel lab is down' '$log'"
    ping_both_ways
}

# (i) The peer reauthenticates, under kernel XFRM: strongSwan 5.9's default breaks before it makes
# (it deletes the IKE SA, then initiates a new one), every 6 s; then with make-before-break. IkeSharp
# answers each new IKE SA, counts the old one's DELETE as no tunnel going down when the new one
# already carries the Child SA, and never lets a packet out in the clear meanwhile: while the
# tunnel is between SAs its policies are held (without an SA the kernel drops, it does not send
# clear; before the hold, pings went out and were answered in the clear in each gap).
scenario_peer_reauth() {
    ikesharp_only || return 0
    local how log=$results/$scenario-left-ikesharpd.log
    for how in no yes; do
        topology direct
        right_start aes128gcm16 "" "reauth_time = 6s
        rekey_time = 0
        over_time = 30s
        rand_time = 0" "make_before_break = $how"
        capture_start
        left_start aes128gcm16 start
        local policies ping
        ping_across_changes "$results/$scenario-$how-ping.txt"
        local reauths
        reauths=$(grep -c 'reauthenticating IKE_SA' "$results/$scenario-right-charon.log" || true)
        say "    make_before_break = $how: $(grep 'packets transmitted' <<<"$ping"); strongSwan reauthenticated $reauths times"
        expect "strongSwan reauthenticated at least twice (make_before_break = $how)" test "$reauths" -ge 2
        if [[ $how == yes ]]; then
            # strongSwan drops the old inbound SA as it sends the DELETE; IkeSharp sends on the old
            # pair until it has handled that DELETE (its policy names the outbound SPI): a ping may
            # fall in between (milliseconds on hardware, hundreds of them under emulation).
            local lost
            lost=$(grep -c 'no answer yet' <<<"$ping" || true)
            expect "at most one ping lost per reauthentication (make-before-break: $lost lost, $reauths reauthentications)" test "$lost" -le "$reauths"
        fi
        expect "no inner ICMP in the clear on the outer link (make_before_break = $how)" eval "! grep -q 'ICMP echo' '$work/capture.txt'"
        expect "the policies stayed (make_before_break = $how)" test "$(ip -n left xfrm policy | grep -c '^src')" -eq "$policies"
        wait_for "one SA pair in each namespace, agreed (make_before_break = $how)" 40 one_pair_each "${gcm_patterns[0]}"
        cp "$log" "$results/$scenario-$how-left-ikesharpd.log"
        cleanup
        mkdir -p "$work"
    done
}

# watch_input NS RULE...: NS's `table ip seen` with the rules in its input hook; each ends in
# `counter comment "NAME"` for count_packets.
watch_input() {
    local ns=$1
    shift
    {
        echo 'table ip seen { chain input { type filter hook input priority 0; policy accept;'
        printf '%s\n' "$@"
        printf '}\n}\n'
    } | ip netns exec "$ns" nft -f -
}

# count_packets NS...: count[NS/COMMENT] = the packets counted by each commented rule of NS's
# `table ip seen` (one nft call per namespace: process starts are slow in the VM).
declare -A count
count_packets() {
    local ns comment packets
    for ns in "$@"; do
        # A here-string, not <(...): the VM's /dev has no /dev/fd.
        while read -r comment packets; do
            count[$ns/$comment]=$packets
        done <<<"$(ip netns exec "$ns" nft list table ip seen | awk '/ counter packets .* comment "/ {
            for (i = 1; i < NF; i++) if ($i == "packets") n = $(i + 1)
            c = $0; sub(/.* comment "/, "", c); sub(/".*/, "", c); print c, n }')"
    done
}

# sa_packets NS SRC: packets counted by NS's ESP SA whose outer source is SRC (0 when there is none).
sa_packets() {
    ip -n "$1" -s xfrm state | awk -v src="$2" '
        /^src / { mine = ($2 == src) }
        mine && /lifetime current:/ { getline; n += $2 }
        END { print n + 0 }'
}

# http_get NS ADDRESS: GET / from ADDRESS port 80, out of NS.
http_get() {
    # shellcheck disable=SC2016 # $1 expands in the inner shell
    ip netns exec "$1" timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/80" && printf "GET / HTTP/1.0\r\n\r\n" >&3 && cat <&3' sh "$2"
}

# ikesharp_gateway_start DAEMON_SETTINGS NAT_SETTINGS REMOTE_TS: the left side as a NAT gateway
# whose one child's local selector is derived from nat.public_ip.
ikesharp_gateway_start() {
    ikesharp_run start "$1" "nat {
            $2
        }" "remote_ts = $3
                esp_proposals = aes128gcm16"
}

# ikesharp_only: true for left=ikesharp; otherwise says why a NAT gateway scenario has nothing to run.
ikesharp_only() {
    [[ $LEFT == ikesharp ]] && return 0
    say "  (the NAT gateway is IkeSharp's; nothing to run for left=$LEFT)"
    return 1
}

# private_lan GATEWAY_CIDR HOST_CIDR...: namespace priv behind left's lan1 (GATEWAY_CIDR), with
# the host addresses on its eth0 and its default route through left.
private_lan() {
    local gateway=$1 address
    shift
    ip -b - <<EOF
netns add priv
link add lan1 netns left type veth peer name eth0 netns priv
EOF
    {
        echo "link set lo up"
        for address in "$@"; do echo "addr add $address dev eth0"; done
        echo "link set eth0 up"
        echo "route add default via ${gateway%/*}"
    } | ip -n priv -b -
    ip -n left -b - <<EOF
addr add $gateway dev lan1
link set lan1 up
EOF
}

# (f) The seed scenario on kernel ESP: a private host 20.0.5.10 behind the IkeSharp gateway, whose
# tunnel's local selector is the Elastic IP 1.2.3.4 (on no interface). IkeSharp's nftables SNAT
# rewrites the source after the forwarding path's XFRM lookup has missed; the kernel must look up
# the policy again after NAT (nf_xfrm_me_harder) for the packet to enter the tunnel. The customer
# side (right) must see the ping from 1.2.3.4, never from 20.0.5.10, and its ping to 1.2.3.4 is
# forwarded (DNAT, ICMP only) to the private host.
scenario_gateway() {
    ikesharp_only || return 0
    topology direct
    private_lan 20.0.5.1/24 20.0.5.10/24
    ip -n right addr add 172.31.38.197/16 dev lan0
    watch_input right 'ip saddr 1.2.3.4 icmp type echo-request counter comment "from-eip"' 'ip saddr 20.0.5.10 counter comment "from-private"'
    charon_start right "$(swanctl_conf "$right_addr" %any @right.lab @left.lab 172.31.0.0/16 1.2.3.4/32 aes128gcm16 none)"
    ikesharp_gateway_start "sysctl = set" $'public_ip = 1.2.3.4\n            snat_sources = 20.0.5.0/24\n            dnat_to = 20.0.5.10\n            dnat_services = icmp' 172.31.0.0/16
    wait_for "Child SAs in both namespaces" 120 both_have_sas
    expect "ping 20.0.5.10 -> 172.31.38.197 through the gateway's tunnel" ip netns exec priv ping -c 3 -i 0.2 -W 2 -q 172.31.38.197
    count_packets right
    say "    customer side saw ${count[right/from-eip]} echo requests from 1.2.3.4, ${count[right/from-private]} packets from 20.0.5.10"
    expect "the customer side sees the ping from the Elastic IP 1.2.3.4" test "${count[right/from-eip]}" -ge 3
    expect "nothing arrives from the private address" test "${count[right/from-private]}" -eq 0
    expect "the customer reaches the private host at 1.2.3.4 (DNAT, ICMP)" ip netns exec right ping -c 2 -i 0.2 -W 2 -q -I 172.31.38.197 1.2.3.4
    expect "the NAT table is IkeSharp's" eval "ip netns exec left nft list tables | grep -q 'table ip ikesharp'"
    left_stop
    expect "no SA or policy left in the left namespace" test -z "$(ip -n left xfrm state)$(ip -n left xfrm policy)"
    expect "IkeSharp's nftables table is gone" eval "! ip netns exec left nft list tables | grep -q ikesharp"
}

# The left side's out policies of scenario (g): from the EIP, never from the private subnet.
reserved_eip_policies() {
    local out
    out=$(ip -n left xfrm policy list dir out)
    [[ $out == *"src 54.17.45.23/32 dst 110.220.10.7/32 "* && $out == *"src 54.17.45.23/32 dst 110.220.10.135/32 "* && $out != *172.16.* ]]
}

# (g) The second seed's layout on kernel ESP: the reserved Elastic IP 54.17.45.23 is on no
# interface; the partner's two /32 hosts 110.220.10.7 and 110.220.10.135 (addresses of right) each
# reach their own internal host, 172.16.0.5 and 172.16.0.6 (both on priv), ICMP only; and the
# private subnet's internet traffic to a web server 198.51.100.80 (inet, on the wire) leaves eth0
# masqueraded, outside the tunnel. An operator's nftables table made before IkeSharp starts must
# survive its stop.
scenario_reserved_eip() {
    ikesharp_only || return 0
    topology direct
    private_lan 172.16.0.1/24 172.16.0.5/24 172.16.0.6/24
    ip -b - <<EOF
netns add inet
link add eth0 netns inet type veth peer name p-inet netns wire
EOF
    ip -n wire -b - <<EOF
link set p-inet master br0
link set p-inet up
EOF
    ip -n inet -b - <<EOF
link set lo up
addr add 198.51.100.80/32 dev lo
addr add 192.0.2.80/24 dev eth0
link set eth0 up
EOF
    ip -n left route add 198.51.100.80/32 via 192.0.2.80
    ip -n right -b - <<EOF
addr add 110.220.10.7/32 dev lan0
addr add 110.220.10.135/32 dev lan0
EOF
    watch_input right 'ip saddr 54.17.45.23 icmp type echo-request counter comment "from-eip"' \
        'ip saddr 172.16.0.0/24 counter comment "from-private"'
    watch_input priv 'ip saddr 110.220.10.7 ip daddr 172.16.0.5 icmp type echo-request counter comment "7-to-5"' \
        'ip saddr 110.220.10.135 ip daddr 172.16.0.6 icmp type echo-request counter comment "135-to-6"' \
        'ip saddr 110.220.10.0/24 ip daddr . ip saddr != { 172.16.0.5 . 110.220.10.7, 172.16.0.6 . 110.220.10.135 } counter comment "crossed"' \
        'tcp dport 443 counter comment "tcp-443"'
    watch_input inet 'ip saddr 192.0.2.1 ip daddr 198.51.100.80 counter comment "masqueraded"' \
        'ip saddr 172.16.0.0/24 counter comment "unmasqueraded"'
    ip netns exec left nft -f - <<'EOF'
table inet operator {
    chain forward {
        type filter hook forward priority 10; policy accept;
        counter comment "the operator's own rule"
    }
}
EOF
    mkdir -p "$work/www"
    echo "hello from the internet" >"$work/www/index.html"
    ip netns exec inet busybox httpd -f -p 80 -h "$work/www" &
    track $!
    charon_start right "$(swanctl_conf "$right_addr" %any @right.lab @left.lab "110.220.10.7/32, 110.220.10.135/32" 54.17.45.23/32 aes128gcm16 none)"
    ikesharp_gateway_start $'sysctl = set\n    egress_interface = eth0\n    egress_sources = 172.16.0.0/24' \
        $'public_ip = 54.17.45.23\n            snat_sources = 172.16.0.0/24\n            dnat_map = 110.220.10.7 -> 172.16.0.5, 110.220.10.135 -> 172.16.0.6\n            dnat_services = icmp' \
        "110.220.10.7/32, 110.220.10.135/32"
    wait_for "Child SAs in both namespaces" 120 both_have_sas

    # The tunnel speaks for the EIP only: the private addresses reach it through SNAT alone.
    local out_before out_sa in_before
    expect "out policies from 54.17.45.23/32 to each partner /32, none naming the private subnet" reserved_eip_policies
    out_before=$(sa_packets left "$left_addr")
    expect "ping 172.16.0.5 -> 110.220.10.7 through the tunnel" ping_through priv 172.16.0.5 110.220.10.7
    expect "ping 172.16.0.6 -> 110.220.10.135 through the tunnel" ping_through priv 172.16.0.6 110.220.10.135
    count_packets right
    out_sa=$(($(sa_packets left "$left_addr") - out_before))
    say "    partner saw ${count[right/from-eip]} echo requests from 54.17.45.23, ${count[right/from-private]} packets from 172.16.0.0/24; left's outbound SA counted $out_sa packets"
    expect "the partner sees the pings from the reserved EIP only (SNAT, then the XFRM lookup)" test "${count[right/from-eip]}" -ge 6 -a "${count[right/from-private]}" -eq 0
    expect "the pings went through the outbound ESP SA" test "$out_sa" -ge 6

    expect "ping 110.220.10.7 -> 54.17.45.23 (DNAT)" ping_through right 110.220.10.7 54.17.45.23
    expect "ping 110.220.10.135 -> 54.17.45.23 (DNAT)" ping_through right 110.220.10.135 54.17.45.23
    in_before=$(sa_packets left "$right_addr")
    expect "TCP 443 to the EIP gets no connection (only ICMP is forwarded)" eval "! ip netns exec right timeout 2 bash -c 'exec 3<>/dev/tcp/54.17.45.23/443' 2>/dev/null"
    count_packets priv
    say "    private hosts saw: 7-to-5 ${count[priv/7-to-5]}, 135-to-6 ${count[priv/135-to-6]}, crossed ${count[priv/crossed]}, tcp/443 ${count[priv/tcp-443]}"
    expect "each partner host reached its own target, never the other's" test "${count[priv/7-to-5]}" -ge 3 -a "${count[priv/135-to-6]}" -ge 3 -a "${count[priv/crossed]}" -eq 0
    expect "the SYNs to 443 came through the tunnel and reached no private host" test "$(sa_packets left "$right_addr")" -gt "$in_before" -a "${count[priv/tcp-443]}" -eq 0

    out_before=$(sa_packets left "$left_addr")
    expect "ping 172.16.0.5 -> 198.51.100.80 (the internet)" ping_through priv 172.16.0.5 198.51.100.80
    expect "HTTP from the private subnet to the internet web server" eval "http_get priv 198.51.100.80 | grep -q 'hello from the internet'"
    count_packets inet
    say "    internet saw ${count[inet/masqueraded]} packets from 192.0.2.1, ${count[inet/unmasqueraded]} from 172.16.0.0/24"
    expect "internet traffic arrives masqueraded as eth0's 192.0.2.1, never from a private address" test "${count[inet/masqueraded]}" -ge 4 -a "${count[inet/unmasqueraded]}" -eq 0
    expect "internet traffic did not enter the tunnel (outbound SA count unchanged)" test "$(sa_packets left "$left_addr")" -eq "$out_before"

    expect "IkeSharp's nftables table is there" eval "ip netns exec left nft list tables | grep -q 'table ip ikesharp'"
    left_stop
    expect "no SA or policy left in the left namespace" test -z "$(ip -n left xfrm state)$(ip -n left xfrm policy)"
    expect "IkeSharp's nftables table, its routes in table 220 and the rule to them are gone" \
        test -z "$(ip netns exec left nft list tables | grep ikesharp)$(ip -n left route show table 220)$(ip -n left rule | grep 'lookup 220')"
    expect "the operator's nftables table and rule are untouched" eval "ip netns exec left nft list table inet operator | grep -q \"the operator's own rule\""
}

scenario_stop() {
    topology direct
    right_start aes128gcm16
    # A soft packet limit the ping passes: the kernel's EXPIRE must reach IkeSharp's log.
    left_start aes128gcm16 start "rekey_packets = 2"
    wait_for "Child SAs in both namespaces" 120 both_have_sas
    expect "ping 10.1.0.1 -> 10.2.0.1 through the tunnel" ping_through left 10.1.0.1 10.2.0.1
    if [[ $LEFT == ikesharp ]]; then
        wait_for "the kernel's soft EXPIRE logged by IkeSharp" 15 grep -q "kernel EXPIRE (soft)" "$results/$scenario-left-ikesharpd.log"
    fi
    left_stop
    say "    left after stop: $(ip -n left xfrm state | wc -l) state lines, $(ip -n left xfrm policy | wc -l) policy lines"
    expect "no SA left in the left namespace" test -z "$(ip -n left xfrm state)"
    expect "no policy left in the left namespace" test -z "$(ip -n left xfrm policy)"
}

# Not a test: how long .NET takes to start inside the VM.
scenario_dotnet_info() {
    local s=$EPOCHREALTIME
    dotnet --info >"$results/dotnet-info.txt"
    say "    dotnet --info: $(since "$s") s"
    head -n 12 "$results/dotnet-info.txt" | sed 's/^/    /'
    if [[ -f $cli_dll ]]; then
        s=$EPOCHREALTIME
        dotnet "$cli_dll" --help >/dev/null
        say "    dotnet ikesharp.dll --help (first): $(since "$s") s"
        s=$EPOCHREALTIME
        dotnet "$cli_dll" --help >/dev/null
        say "    dotnet ikesharp.dll --help (second): $(since "$s") s"
    fi
}

# ---------------------------------------------------------------------------------------------

diagnostics() {
    local ns f
    for ns in left right; do
        [[ -e /run/netns/$ns ]] || continue
        echo "---- $ns: ip xfrm state / policy"
        ip -n "$ns" xfrm state | sed 's/ 0x[0-9a-f]\{16,\}/ <key>/g'
        ip -n "$ns" xfrm policy
    done
    for f in "$results/$scenario"-*.log "$work/capture.txt"; do
        [[ -s $f ]] || continue
        echo "---- last lines of $f"
        tail -n 25 "$f"
    done
}

cleanup() {
    local pid deadline
    if [[ -f $work/pids ]]; then
        while read -r pid; do kill -TERM "$pid" 2>/dev/null || true; done <"$work/pids"
        deadline=$((SECONDS + 10))
        while read -r pid; do
            until exited "$pid" || ((SECONDS >= deadline)); do sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null || true
        done <"$work/pids"
    fi
    ip -all netns delete 2>/dev/null || true
    rm -rf "$work"
}

declare -A letters=([psk-gcm]=a [psk-cbc]=b [nat-t]=c [trap]=d [stop]=e [gateway]=f [reserved-eip]=g [rekey]=h [peer-reauth]=i [dotnet-info]=-)
passed=0 failed=0
say "guest up: kernel $(uname -r), booted in $(cut -d ' ' -f 1 /proc/uptime) s; left=$LEFT"
if [[ $LEFT == ikesharp && ! -f $daemon_dll ]]; then
    echo "FAIL: no IkeSharp build in $run/ikesharp"
    exit 1
fi
IFS=, read -ra wanted <<<"$SCENARIOS"
for scenario in "${wanted[@]}"; do
    letter=${letters[$scenario]:-}
    if [[ -z $letter ]]; then
        echo "FAIL ($scenario): unknown scenario (known: ${!letters[*]})"
        failed=$((failed + 1))
        continue
    fi
    say "== ($letter) $scenario"
    started=$EPOCHREALTIME
    mkdir -p "$work"
    set +e
    (
        set -e
        "scenario_${scenario//-/_}"
    )
    status=$?
    set -e
    if ((status == 0)); then
        echo "PASS ($letter) $scenario in $(since "$started") s"
        passed=$((passed + 1))
    else
        diagnostics
        echo "FAIL ($letter) $scenario in $(since "$started") s"
        failed=$((failed + 1))
    fi
    cleanup
done
say "done: $passed passed, $failed failed"
((failed == 0))
