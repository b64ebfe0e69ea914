#!/usr/bin/env bash
# The seed scenario, in closed network namespaces on this machine:
#
#   private host 20.0.5.10 --- NAT instance (IkeSharp; Elastic IP 1.2.3.4) --- "internet" ---
#       customer's strongSwan gateway --- customer host 172.31.38.197
#
# Traffic from the private subnet to the customer's 172.31.0.0/16 leaves through the IPsec tunnel
# from the Elastic IP 1.2.3.4 (SNAT); the customer can ping 1.2.3.4, which reaches the private host
# (DNAT, ICMP only). Nothing here touches this machine's own network: the addresses exist only
# inside the namespaces, which are removed on exit or Ctrl-C.
#
#   ./demo.sh           bring it up, show the negotiation, ping and fetch a page, wait for Enter
#   ./demo.sh --check   the same unattended; exit 0 only if the customer host saw us as 1.2.3.4
set -euo pipefail
cd "$(dirname "$0")"
CHECK=no
[[ ${1:-} == --check ]] && CHECK=yes

[[ $(id -u) -eq 0 ]] || { echo "demo.sh needs root (it creates network namespaces)"; exit 1; }
command -v dotnet >/dev/null || { echo "demo.sh needs the .NET 10 SDK (dotnet) on PATH"; exit 1; }

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

packages=(strongswan-charon strongswan-swanctl libcharon-extra-plugins nftables iproute2 busybox tcpdump iputils-ping)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if ((${#missing[@]})); then
    step "installing ${missing[*]} (Debian packages)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

WORK=$(mktemp -d /tmp/ikesharp-demo.XXXXXX)
NS=(demo-private demo-natgw demo-internet demo-custgw demo-custhost)
PIDS=()
teardown() {
    step "tearing down"
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    sleep 1
    for ns in "${NS[@]}"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true; ip netns del "$ns" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap teardown EXIT
trap 'exit 130' INT TERM

step "building IkeSharp"
dotnet publish src/IkeSharp.Daemon -c Release -o "$WORK/ikesharpd" --nologo -v quiet >/dev/null
dotnet publish src/IkeSharp.Cli -c Release -o "$WORK/ikesharp" --nologo -v quiet >/dev/null

step "creating the topology (namespaces ${NS[*]})"
for ns in "${NS[@]}"; do ip netns del "$ns" 2>/dev/null || true; ip netns add "$ns"; ip -n "$ns" link set lo up; done
link() { # nsA ifA addrA nsB ifB addrB
    ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
    ip -n "$1" addr add "$3" dev "$2"; ip -n "$1" link set "$2" up
    ip -n "$4" addr add "$6" dev "$5"; ip -n "$4" link set "$5" up
}
link demo-private eth0 20.0.5.10/24 demo-natgw lan0 20.0.5.1/24
link demo-natgw wan0 198.51.100.10/24 demo-internet to-nat 198.51.100.1/24
link demo-internet to-cust 203.0.113.1/24 demo-custgw wan0 203.0.113.20/24
link demo-custgw lan0 172.31.0.1/16 demo-custhost eth0 172.31.38.197/16
ip -n demo-private route add default via 20.0.5.1
ip -n demo-natgw route add default via 198.51.100.1
ip -n demo-custgw route add default via 203.0.113.1
ip -n demo-custhost route add default via 172.31.0.1
ip netns exec demo-internet sysctl -qw net.ipv4.ip_forward=1
ip netns exec demo-custgw sysctl -qw net.ipv4.ip_forward=1

# Kernel ESP where the kernel has it (both gateways then use XFRM), user space where it has not:
# strongSwan's kernel-libipsec and IkeSharp's TUN datapath (IkeSharp's datapath = auto decides alike).
ip netns add demo-probe
if ip -n demo-probe xfrm state add src 127.0.0.1 dst 127.0.0.1 proto esp spi 0x100 mode tunnel \
    aead 'rfc4106(gcm(aes))' 0x0000000000000000000000000000000000000000 128 2>/dev/null; then
    datapath="kernel ESP (XFRM) on both gateways"
    libipsec=""
else
    datapath="no kernel ESP here: user-space ESP on both gateways (IkeSharp over TUN, strongSwan kernel-libipsec)"
    libipsec="kernel-libipsec"
fi
ip netns del demo-probe
step "datapath: $datapath"

step "customer side: strongSwan 5.9.8 gateway 203.0.113.20 and web server 172.31.38.197"
mkdir -p "$WORK/ss/run" "$WORK/ss/swanctl" "$WORK/www"
echo "hello from the customer host 172.31.38.197" >"$WORK/www/index.html"
cat >"$WORK/ss/strongswan.conf" <<CONF
charon {
  load = random nonce aes sha1 sha2 hmac gcm pem pkcs1 x509 pubkey gmp openssl kdf $libipsec kernel-netlink socket-default vici updown
  install_virtual_ip = no
  plugins {
    vici {
      socket = unix://$WORK/ss/run/charon.vici
    }
  }
}
CONF
cat >"$WORK/ss/swanctl/swanctl.conf" <<'CONF'
connections {
  nat-instance {
    version = 2
    local_addrs = 203.0.113.20
    remote_addrs = 198.51.100.10
    proposals = aes256-sha1-modp2048
    local {
      auth = psk
      id = 203.0.113.20
    }
    remote {
      auth = psk
      id = 1.2.3.4
    }
    children {
      net {
        local_ts = 172.31.0.0/16
        remote_ts = 1.2.3.4/32
        esp_proposals = aes256-sha1
      }
    }
  }
}
secrets {
  ike-eip {
    id = 1.2.3.4
    secret = demo-psk-shared-with-the-customer
  }
}
CONF
ip netns exec demo-custgw unshare -m sh -c "mount -t tmpfs tmpfs /run && mkdir -p /run/strongswan && mount --bind $WORK/ss/swanctl /etc/swanctl \
    && STRONGSWAN_CONF=$WORK/ss/strongswan.conf exec /usr/lib/ipsec/charon" >"$WORK/ss/charon.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do [[ -S $WORK/ss/run/charon.vici ]] && break; sleep 0.1; done
ip netns exec demo-custgw unshare -m sh -c "mount --bind $WORK/ss/swanctl /etc/swanctl && STRONGSWAN_CONF=$WORK/ss/strongswan.conf exec swanctl --load-all --uri unix://$WORK/ss/run/charon.vici" >/dev/null 2>&1
ip netns exec demo-custhost busybox httpd -p 80 -h "$WORK/www" -f &
PIDS+=($!)

step "NAT instance: IkeSharp with Elastic IP 1.2.3.4 (config below)"
mkdir -p "$WORK/iks"
cat >"$WORK/iks/ikesharp.conf" <<CONF
daemon {
    socket = $WORK/iks/ikesharp.sock
    sysctl = set                       # ip_forward=1, no ICMP redirects, loose rp_filter
}
tunnels {
    customer {
        local_addrs = 198.51.100.10       # the NAT instance's address
        remote_addrs = 203.0.113.20       # the customer's VPN gateway
        local_id = 1.2.3.4                # the customer knows us by the Elastic IP
        remote_id = 203.0.113.20
        ike_proposals = aes256-sha1-modp2048
        start_action = start
        keyingtries = %forever
        dpd_delay = 10s
        dpd_action = restart
        nat {
            public_ip = 1.2.3.4           # traffic to the customer leaves from here
            snat_sources = 20.0.0.0/16    # the VPC
            dnat_to = 20.0.5.10           # what the customer reaches at 1.2.3.4 ...
            dnat_services = icmp          # ... for ping only
        }
        children {
            net {
                remote_ts = 172.31.0.0/16 # local_ts defaults to public_ip/32
                esp_proposals = aes256-sha1
            }
        }
    }
}
CONF
printf 'secrets {\n    customer {\n        psk = demo-psk-shared-with-the-customer\n    }\n}\n' >"$WORK/iks/secrets.conf"
chmod 600 "$WORK/iks/secrets.conf"
sed 's/^/    /' "$WORK/iks/ikesharp.conf"
ip netns exec demo-natgw dotnet "$WORK/ikesharpd/ikesharpd.dll" --config "$WORK/iks/ikesharp.conf" >"$WORK/iks/log" 2>&1 &
IKESHARPD=$!
PIDS+=("$IKESHARPD")
ikesharp() { ip netns exec demo-natgw dotnet "$WORK/ikesharp/ikesharp.dll" "$@" --socket "$WORK/iks/ikesharp.sock"; }

step "negotiation, as IkeSharp logs it"
for _ in $(seq 1 150); do
    grep -q "CHILD_SA net established" "$WORK/iks/log" 2>/dev/null && break
    sleep 0.2
done
grep -E "starting|datapath|NAT for|sending|received|selected|NAT detection|authentication|established|CHILD_SA|route|failed|invalid" "$WORK/iks/log" | cut -c1-200 || true
grep -q "CHILD_SA net established" "$WORK/iks/log" || { echo "the tunnel did not come up; full log:"; cat "$WORK/iks/log"; exit 1; }

step "ikesharp status"
ikesharp status

step "the customer host listens (tcpdump on 172.31.38.197)"
ip netns exec demo-custhost tcpdump -l -n -i eth0 'icmp or tcp port 80' >"$WORK/tcpdump.txt" 2>/dev/null &
PIDS+=($!)
sleep 1

step "private host 20.0.5.10: ping 172.31.38.197"
ip netns exec demo-private ping -c 3 -i 0.3 -W 2 172.31.38.197 || true

step "private host 20.0.5.10: fetch http://172.31.38.197/"
ip netns exec demo-private timeout 5 bash -c 'exec 3<>/dev/tcp/172.31.38.197/80 && printf "GET / HTTP/1.0\r\nHost: 172.31.38.197\r\n\r\n" >&3 && cat <&3' || true

step "customer host 172.31.38.197: ping the Elastic IP 1.2.3.4 (forwarded to 20.0.5.10, ICMP only)"
# Nothing at 1.2.3.4 answers but the private host behind the DNAT.
icmp_forwarded=no
ip netns exec demo-custhost ping -c 2 -i 0.3 -W 2 1.2.3.4 && icmp_forwarded=yes

sleep 1
step "what the customer host saw (tcpdump)"
cut -d' ' -f2- "$WORK/tcpdump.txt" | head -20

step "strongSwan on the customer gateway"
ip netns exec demo-custgw unshare -m sh -c "mount --bind $WORK/ss/swanctl /etc/swanctl && STRONGSWAN_CONF=$WORK/ss/strongswan.conf exec swanctl --list-sas --uri unix://$WORK/ss/run/charon.vici" 2>/dev/null

step "customer host: TCP 443 to 1.2.3.4 is not a forwarded service (only ICMP is)"
ip netns exec demo-private busybox nc -l -p 443 >/dev/null 2>&1 &
PIDS+=($!)
sleep 0.3
refused=no
if ip netns exec demo-custhost timeout 3 bash -c 'exec 3<>/dev/tcp/1.2.3.4/443' 2>/dev/null; then
    echo "connected — the NAT policy let TCP 443 through"
else
    refused=yes
    echo "no connection: dropped by IkeSharp's forward rule, as configured"
fi

seen_from_eip=no
grep -q "IP 1.2.3.4 > 172.31.38.197: ICMP echo request" "$WORK/tcpdump.txt" && grep -q "IP 1.2.3.4.[0-9]* > 172.31.38.197.80:" "$WORK/tcpdump.txt" && seen_from_eip=yes
if [[ $CHECK == yes ]]; then
    step "stopping IkeSharp: DELETE to the customer, NAT table, TUN device and rule removed"
    kill -TERM "$IKESHARPD"
    wait "$IKESHARPD" 2>/dev/null || true
    clean=yes
    ip netns exec demo-natgw nft list table ip ikesharp >/dev/null 2>&1 && { echo "nftables table ip ikesharp is still there"; clean=no; }
    ip -n demo-natgw link show iks0 >/dev/null 2>&1 && { echo "TUN device iks0 is still there"; clean=no; }
    ip -n demo-natgw rule | grep -q "lookup 220" && { echo "ip rule for table 220 is still there"; clean=no; }
    sleep 1
    ip netns exec demo-custgw unshare -m sh -c "mount --bind $WORK/ss/swanctl /etc/swanctl && STRONGSWAN_CONF=$WORK/ss/strongswan.conf exec swanctl --list-sas --uri unix://$WORK/ss/run/charon.vici" 2>/dev/null \
        | grep -q ESTABLISHED && { echo "strongSwan still has the IKE SA (no DELETE?)"; clean=no; }
    [[ $clean == yes ]] && echo "all removed; strongSwan received the DELETE"
    if [[ $seen_from_eip == yes && $icmp_forwarded == yes && $refused == yes && $clean == yes ]]; then
        echo "demo check: PASS — the customer host saw ping and HTTP from the Elastic IP 1.2.3.4, its ping to 1.2.3.4 reached the private host, TCP 443 to it was refused, and stopping IkeSharp left nothing behind"
        exit 0
    fi
    echo "demo check: FAIL — seen from 1.2.3.4: $seen_from_eip, ping to 1.2.3.4 forwarded: $icmp_forwarded, TCP 443 refused: $refused, cleaned up: $clean"; cat "$WORK/iks/log"; exit 1
fi

echo
echo "The customer host saw the traffic from 1.2.3.4: $seen_from_eip. Namespaces: ${NS[*]}"
echo "Try: ip netns exec demo-private ping 172.31.38.197    (IkeSharp log: $WORK/iks/log)"
read -r -p "Press Enter to tear everything down... " _ || true
