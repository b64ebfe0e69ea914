#!/bin/bash
# Regenerates the golden netlink captures: Xfrm/*.txt (NETLINK_XFRM) and Route/*.txt (NETLINK_ROUTE).
#
# Every command runs as `ip netns exec goldencap strace ... ip ...` inside a throwaway network
# namespace (created here, deleted on exit), so nothing on the host changes and no packet is sent.
# strace hex-dumps what iproute2 writes to / reads from its netlink socket; the request is
# recorded even when the kernel refuses it (a kernel without ESP refuses every NEWSA/UPDSA).
#
# Needs: root, iproute2 (`ip`), strace, python3.   Usage: sudo ./capture.sh
set -euo pipefail

DIR=$(cd "$(dirname "$0")" && pwd)
NS=goldencap
TMP=$(mktemp -d)

cleanup() {
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

ip netns add "$NS"

# Turns one strace log into the "request"/"reply" lines of a golden file and appends a summary of the
# reply (ACK, errno + extended-ack message, message types) to the description line.
parse() { # LOGFILE NAME DESCRIPTION COMMANDLINE PROTOCOL
    python3 - "$@" <<'PY'
import errno, re, struct, sys

log, name, desc, cmdline, protocol = sys.argv[1:6]
NAMES = {2: "NLMSG_ERROR", 3: "NLMSG_DONE"} | ({16: "NEWSA", 17: "DELSA", 18: "GETSA", 19: "NEWPOLICY",
         20: "DELPOLICY", 21: "GETPOLICY", 22: "ALLOCSPI", 25: "UPDPOLICY", 26: "UPDSA", 28: "FLUSHSA",
         29: "FLUSHPOLICY"} if protocol == "NETLINK_XFRM" else {16: "NEWLINK", 24: "NEWROUTE", 25: "DELROUTE",
         26: "GETROUTE", 32: "NEWRULE", 33: "DELRULE"})

syscall_re = re.compile(r'^(?:\[pid +\d+\] |\d+ +)?(sendmsg|sendto|recvmsg|recvfrom|socket)\((.*)')
dump_re = re.compile(r'^ \| [0-9a-f]{5}  ')

fds = []            # the protocol's sockets, in creation order
calls = []          # [kind, fd, bytearray]
current = None
with open(log) as f:
    for line in f:
        line = line.rstrip('\n')
        m = syscall_re.match(line)
        if m:
            kind, rest = m.groups()
            current = None
            if kind == 'socket':
                if protocol in rest:
                    fds.append(int(line.rsplit('=', 1)[1]))
                continue
            fd = int(rest.split(',', 1)[0])
            current = [kind, fd, bytearray()]
            calls.append(current)
        elif line.startswith(' * ') and 'bytes in buffer' in line:
            continue
        elif dump_re.match(line):
            if current is None:
                sys.exit(f"{name}: hex dump outside a send/receive call")
            # columns 10..58 hold the (at most) 16 hex bytes; the ASCII column follows
            current[2] += bytes.fromhex(line[10:59].replace(' ', ''))
        else:
            current = None

if not fds:
    sys.exit(f"{name}: no {protocol} socket in the strace log")
# rtnetlink commands also look up device names (RTM_GETLINK, 18) on a second socket, and `ip link`
# first probes the kernel with an empty request of sequence 0: neither is part of the capture.
GETLINK = 18
other = [c for c in calls if c[1] not in fds and c[2]]
if other:
    sys.exit(f"{name}: unexpected traffic on fd {other[0][1]}")
commands = [i for i, c in enumerate(calls) if c[1] in fds and c[0].startswith('send')
            and not (protocol == "NETLINK_ROUTE" and (struct.unpack_from('<H', c[2], 4)[0] == GETLINK or struct.unpack_from('<I', c[2], 8)[0] == 0))]
if len(commands) != 1:
    sys.exit(f"{name}: expected exactly one request on the {protocol} socket, got {len(commands)}")
fd = calls[commands[0]][1]
sends = [bytes(calls[commands[0]][2])]
replies = [bytes(c[2]) for c in calls[commands[0] + 1:] if c[1] == fd and c[0].startswith('recv') and c[2]]
req = sends[0]
if struct.unpack_from('<I', req)[0] != len(req):
    sys.exit(f"{name}: nlmsg_len {struct.unpack_from('<I', req)[0]} != request length {len(req)}")

def messages(dgram):
    off, out = 0, []
    while off < len(dgram):
        ln, typ = struct.unpack_from('<IH', dgram, off)
        if ln < 16 or off + ln > len(dgram):
            sys.exit(f"{name}: bad nlmsg_len {ln} at offset {off} of a {len(dgram)}-byte reply")
        out.append((typ, dgram[off:off + ln]))
        off += (ln + 3) & ~3
    return out

notes = []
for dgram in replies:
    for typ, msg in messages(dgram):
        if typ == 2:
            err = -struct.unpack_from('<i', msg, 16)[0]
            if err == 0:
                notes.append("ACK (error 0)")
                continue
            flags = struct.unpack_from('<H', msg, 6)[0]
            # the echoed request: only its header if NLM_F_CAPPED (0x100), else the whole message
            echoed = 16 if flags & 0x100 else struct.unpack_from('<I', msg, 20)[0]
            off, text = 20 + ((echoed + 3) & ~3), None
            while flags & 0x200 and off + 4 <= len(msg):   # NLM_F_ACK_TLVS
                alen, atype = struct.unpack_from('<HH', msg, off)
                if alen < 4:
                    break
                if atype == 1:   # NLMSGERR_ATTR_MSG
                    text = msg[off + 4:off + alen].rstrip(b'\0').decode()
                off += (alen + 3) & ~3
            s = f"error {err} ({errno.errorcode.get(err, '?')})"
            notes.append(s + (f' with ext-ack message "{text}"' if text else ""))
        else:
            notes.append(NAMES.get(typ, f"type {typ}"))

summary = "no reply" if not notes else "kernel replied: " + ", ".join(notes)
print(f"# {cmdline}")
print(f"# {desc}; {summary}")
print(f"request {req.hex()}")
for dgram in replies:
    print(f"reply {dgram.hex()}")
PY
}

# capture NAME "DESCRIPTION" ip ...   (a refused request is fine: its bytes are still recorded)
# into $OUT, from the $PROTOCOL socket.
OUT=$DIR/Xfrm PROTOCOL=NETLINK_XFRM
capture() {
    local name=$1 desc=$2
    shift 2
    local log="$TMP/$name.strace"
    ip netns exec "$NS" strace -f -o "$log" -x -e trace=socket,sendmsg,sendto,recvmsg,recvfrom -e write=all -e read=all \
        -s 65535 "$@" >"$TMP/$name.out" 2>&1 || true
    local arg cmdline=""
    for arg in "$@"; do   # shell-quote only where needed, so the line can be pasted back
        if [[ $arg =~ ^[A-Za-z0-9_./:,+-]+$ ]]; then cmdline+=" $arg"; else cmdline+=" '$arg'"; fi
    done
    parse "$log" "$name" "$desc" "${cmdline# }" "$PROTOCOL" >"$TMP/$name.txt"
    mv "$TMP/$name.txt" "$OUT/$name.txt"
    echo "$name: $(sed -n 2p "$OUT/$name.txt" | cut -c1-150)"
}

GCM=0x000102030405060708090a0b0c0d0e0f10111213                                 # 16 key + 4 salt
CHACHA=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223 # 32 key + 4 salt
CBC=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
SHA=0x202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f

# Tunnel-mode ESP SA as strongSwan's kernel-netlink add_sa builds it: mode tunnel, flag af-unspec,
# zero selector, reqid, replay window in xfrm_usersa_info (<= 32, no ESN), lifetimes XFRM_INF unless set.
SA=(src 192.0.2.1 dst 192.0.2.2 proto esp spi 0xc1000001 reqid 0x4b530001 mode tunnel)
AEAD_GCM=(aead 'rfc4106(gcm(aes))' "$GCM" 128)

capture sa-gcm-tunnel "NEWSA, tunnel mode, AES-GCM-16 (XFRMA_ALG_AEAD)" \
    ip xfrm state add "${SA[@]}" replay-window 32 flag af-unspec "${AEAD_GCM[@]}"
capture sa-gcm-encap "NEWSA as sa-gcm-tunnel plus UDP encapsulation (XFRMA_ENCAP espinudp 4500->4500)" \
    ip xfrm state add "${SA[@]}" replay-window 32 flag af-unspec "${AEAD_GCM[@]}" encap espinudp 4500 4500 0.0.0.0
capture sa-cbc-sha256 "NEWSA, AES-CBC-256 (XFRMA_ALG_CRYPT) + HMAC-SHA256-128 (XFRMA_ALG_AUTH_TRUNC)" \
    ip xfrm state add "${SA[@]}" replay-window 32 flag af-unspec enc 'cbc(aes)' "$CBC" auth-trunc 'hmac(sha256)' "$SHA" 128
capture sa-chacha "NEWSA, ChaCha20-Poly1305 (XFRMA_ALG_AEAD rfc7539esp)" \
    ip xfrm state add "${SA[@]}" replay-window 32 flag af-unspec aead 'rfc7539esp(chacha20,poly1305)' "$CHACHA" 128
capture sa-esn "NEWSA, AES-GCM-16 with ESN and a 128-packet window: flags AF_UNSPEC|ESN (0xa0), usersa_info.replay_window 0, XFRMA_REPLAY_ESN_VAL (23) bmp_len 4" \
    ip xfrm state add "${SA[@]}" replay-window 128 flag af-unspec esn "${AEAD_GCM[@]}"
capture sa-lifetimes "NEWSA, AES-GCM-16 with soft/hard add-expire seconds, byte and packet limits in xfrm_lifetime_cfg" \
    ip xfrm state add "${SA[@]}" replay-window 32 flag af-unspec "${AEAD_GCM[@]}" \
    limit time-soft 3000 limit time-hard 3600 limit byte-soft 1000000 limit byte-hard 2000000 \
    limit packet-soft 1000 limit packet-hard 2000
capture sa-update "UPDSA with the same body as sa-gcm-tunnel" \
    ip xfrm state update "${SA[@]}" replay-window 32 flag af-unspec "${AEAD_GCM[@]}"
capture error-ext-ack "NEWSA identical to sa-gcm-tunnel, kept for its extended-ack error reply (NETLINK_EXT_ACK is set by iproute2)" \
    ip xfrm state add "${SA[@]}" replay-window 32 flag af-unspec "${AEAD_GCM[@]}"

capture sa-delete "DELSA: xfrm_usersa_id + XFRMA_SRCADDR (13), for an SA that does not exist" \
    ip xfrm state delete src 192.0.2.2 dst 192.0.2.1 proto esp spi 0xc1000001
capture sa-get "GETSA (no NLM_F_ACK): xfrm_usersa_id + XFRMA_SRCADDR (13), for an SA that does not exist" \
    ip xfrm state get src 192.0.2.2 dst 192.0.2.1 proto esp spi 0xc1000001

# ALLOCSPI creates a larval (ACQ-state) SA with a random SPI in [min, max].
capture allocspi "ALLOCSPI: bare xfrm_userspi_info, sent without NLM_F_ACK; the reply is the larval SA (NEWSA, random SPI, hard_add_expires 30 s, XFRMA_REPLAY_VAL)" \
    ip xfrm state allocspi src 192.0.2.2 dst 192.0.2.1 proto esp reqid 0x4b530001 mode tunnel min 0x100 max 0xffffffff
capture sa-dump "GETSA dump (NLM_F_DUMP), body is only an all-zero XFRMA_ADDRESS_FILTER (26); one larval SA (from allocspi) present" \
    ip xfrm state
SPI=0x$(sed -n 's/^reply //p' "$OUT/allocspi.txt" | head -1 | cut -c177-184)   # id.spi at byte 88 (16 nlmsghdr + 56 sel + 16 daddr)
capture sa-delete-larval "DELSA of the larval SA allocspi created (its SPI is random, read from allocspi.txt)" \
    ip xfrm state delete src 192.0.2.2 dst 192.0.2.1 proto esp spi "$SPI"
ip netns exec "$NS" ip xfrm state flush

# Policies as strongSwan installs them for 10.1.0.0/24 === 10.2.0.0/24: action allow, one ESP tunnel
# template, priority 375423 = 200000*2 - (24+24)*512 - 1 (POLICY_PRIORITY_DEFAULT). fwd uses level
# required like in (strongSwan sets tmpl->optional only for IPComp).
capture policy-out "NEWPOLICY dir out with one ESP tunnel template (XFRMA_TMPL), template SPI 0" \
    ip xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out priority 375423 \
    tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 0x4b530001 mode tunnel
capture policy-in "NEWPOLICY dir in (selector and template addresses swapped)" \
    ip xfrm policy add src 10.2.0.0/24 dst 10.1.0.0/24 dir in priority 375423 \
    tmpl src 192.0.2.2 dst 192.0.2.1 proto esp reqid 0x4b530001 mode tunnel
capture policy-fwd "NEWPOLICY dir fwd (as policy-in, level required)" \
    ip xfrm policy add src 10.2.0.0/24 dst 10.1.0.0/24 dir fwd priority 375423 \
    tmpl src 192.0.2.2 dst 192.0.2.1 proto esp reqid 0x4b530001 mode tunnel
capture policy-dump "GETPOLICY dump (NLM_F_DUMP), a bare nlmsghdr; the three policies come in one datagram, each with XFRMA_TMPL + XFRMA_POLICY_TYPE (16, nla_len 10)" \
    ip xfrm policy
capture policy-delete "DELPOLICY: bare xfrm_userpolicy_id, of the out policy, which exists" \
    ip xfrm policy delete src 10.1.0.0/24 dst 10.2.0.0/24 dir out
ip netns exec "$NS" ip xfrm policy flush

# strongSwan puts the outbound SA's SPI into the out policy's template once the SA exists.
capture policy-out-spi "NEWPOLICY dir out as policy-out but with the template SPI set (what strongSwan sends for an installed CHILD_SA)" \
    ip xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out priority 375423 \
    tmpl src 192.0.2.1 dst 192.0.2.2 proto esp spi 0xc1000001 reqid 0x4b530001 mode tunnel
ip netns exec "$NS" ip xfrm policy flush
# strongSwan's trap policy: also action allow + template (no SA behind it, so traffic raises an
# ACQUIRE), priority 375424 (POLICY_PRIORITY_ROUTED does not subtract 1). Not action block.
capture policy-trap "NEWPOLICY dir out trap policy: action allow + ESP template, no SA, priority 375424 (strongSwan POLICY_PRIORITY_ROUTED)" \
    ip xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out priority 375424 \
    tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 0x4b530001 mode tunnel
ip netns exec "$NS" ip xfrm policy flush

# Table-220 routing as PolicyRouting writes it (strongSwan's kernel-netlink layout), on a veth
# pair of the namespace: 192.0.2.1/24 on v0, a gateway 192.0.2.254 behind it.
OUT=$DIR/Route PROTOCOL=NETLINK_ROUTE
ip -n "$NS" link add v0 type veth peer name v1
ip -n "$NS" link set v1 up
ip -n "$NS" addr add 192.0.2.1/24 dev v0
capture link-up "NEWLINK: ifinfomsg with IFF_UP in flags and change, IFLA_MTU (4), IFLA_TXQLEN (13); the index of v0 at bytes 20-23" \
    ip link set dev v0 mtu 1400 txqueuelen 1000 up
ip -n "$NS" route add default via 192.0.2.254
capture rule-add "NEWRULE: fib_rule_hdr family AF_INET, table 220 (below 256, so no FRA_TABLE), action FR_ACT_TO_TBL; FRA_PRIORITY (6)" \
    ip rule add priority 220 table 220
capture route-via "NEWROUTE replace: table 220 in rtm_table (below 256, so no RTA_TABLE), proto boot, scope universe; RTA_DST, RTA_GATEWAY, RTA_PREFSRC, RTA_OIF" \
    ip route replace 10.2.0.0/24 via 192.0.2.254 dev v0 src 192.0.2.1 table 220
capture route-onlink "NEWROUTE replace without a gateway: scope link" \
    ip route replace 10.3.0.0/16 dev v0 table 220
capture route-get "GETROUTE (no NLM_F_ACK) for 10.9.9.9 from 192.0.2.1: RTA_DST, RTA_SRC; rtm_flags RTM_F_LOOKUP_TABLE; the reply is one NEWROUTE with RTA_OIF and RTA_GATEWAY" \
    ip route get 10.9.9.9 from 192.0.2.1
capture route-delete "DELROUTE: scope nowhere (any), table 220, RTA_DST only" \
    ip route del 10.2.0.0/24 table 220
capture rule-delete "DELRULE of rule-add: action 0 (any)" \
    ip rule del priority 220 table 220
