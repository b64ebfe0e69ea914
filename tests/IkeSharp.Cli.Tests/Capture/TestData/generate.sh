#!/bin/sh
# Regenerates the real captures used by RealCaptureTests. Not run by the tests.
# Needs root, tcpdump and dumpcap (Debian: tcpdump, tshark). Every packet stays on the loopback
# interface of a throw-away network namespace. The tests pin the exact timestamps, so update
# RealCaptureTests after regenerating.
set -eu
out=$(pwd)
ns=ikscli-cap
ip netns add "$ns"
trap 'ip netns delete "$ns"' EXIT
ip -n "$ns" link set lo up

ip netns exec "$ns" tcpdump -i lo -U -w "$out/lo-ethernet-usec.pcap" udp port 500 & p1=$!
ip netns exec "$ns" tcpdump -i any --time-stamp-precision=nano -U -w "$out/any-sll2-nsec.pcap" udp port 500 & p2=$!
ip netns exec "$ns" tcpdump -i any -y LINUX_SLL -U -w "$out/any-sll-usec.pcap" udp port 500 & p3=$!
ip netns exec "$ns" dumpcap -q -i lo -f "udp port 500" -w "$out/lo-ethernet-nsec.pcapng" & p4=$!
sleep 3

ip netns exec "$ns" python3 -c '
import socket, time
rx4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); rx4.bind(("127.0.0.1", 500))
rx6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); rx6.bind(("::1", 500))
tx4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); tx4.bind(("127.0.0.1", 50000))
tx6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); tx6.bind(("::1", 50001))
tx4.sendto(b"IkeSharp capture test: IPv4 datagram one", ("127.0.0.1", 500))
time.sleep(0.2)
tx6.sendto(b"IkeSharp capture test: IPv6 datagram two!", ("::1", 500))
rx4.recvfrom(100); rx6.recvfrom(100)
'
sleep 1
kill -INT "$p1" "$p2" "$p3" "$p4"
wait
chmod 644 "$out"/*.pcap "$out"/*.pcapng
