# shellcheck shell=bash
# What `docker/lab.sh check` and `break-psk` prove, per layout; sourced by lab.sh (which defines
# compose, in_container, step, wait_for, TUNNEL, CHILD).

VERDICTS=()
verdict() { # NAME PASSED(yes|no)
    VERDICTS+=("$2 $1")
    if [[ $2 == yes ]]; then printf '%sPASS%s %s\n' "$GREEN" "$PLAIN" "$1"; else printf '%sFAIL%s %s\n' "$RED" "$PLAIN" "$1"; fi
}

expect() { # NAME COMMAND... : the verdict NAME is whether COMMAND succeeds
    local name=$1; shift
    if "$@"; then verdict "$name" yes; else verdict "$name" no; fi
}

finish_check() {
    local failed=0 line
    for line in "${VERDICTS[@]}"; do [[ $line == yes* ]] || failed=$((failed + 1)); done
    step "lab check ($LAYOUT): $((${#VERDICTS[@]} - failed)) passed, $failed failed"
    if ((failed)); then show_failure_context; exit 1; fi
}

# Output captured first: grep -q quitting early would fail the pipeline (pipefail) by SIGPIPE.
tunnel_up() { local status; status=$(in_container natgw ikesharp status) && grep -Eq "^ +$CHILD: reqid" <<<"$status"; }
strongswan_installed() { local sas; sas=$(in_container custgw swanctl --list-sas) && grep -q INSTALLED <<<"$sas"; }

capturing() { in_container "$1" grep -q "listening on" /tmp/capture.err; }
# tcpdump inside SERVICE into /tmp/capture.txt until stop_capture; returns once it listens.
start_capture() { # SERVICE FILTER
    compose exec -T -d "$1" sh -c "exec tcpdump -l -n -i any '$2' >/tmp/capture.txt 2>/tmp/capture.err"
    wait_for 10 "tcpdump in $1" capturing "$1" || true
}
stop_capture() { # SERVICE -> the captured lines on stdout
    in_container "$1" sh -c 'pkill tcpdump; sleep 0.3; cat /tmp/capture.txt' 2>/dev/null || true
}

answered() { grep -Eq " 0% packet loss"; }
absent() { # ADDRESS... : none of them occurs on stdin
    local text address
    text=$(cat)
    for address in "$@"; do [[ $text != *"$address "* && $text != *"$address."* ]] || return 1; done
}

check_tunnel() {
    step "natgw: ikesharp status"
    in_container natgw ikesharp status || true
    expect "IkeSharp has Child SA '$CHILD' of tunnel '$TUNNEL'" tunnel_up
    step "custgw: swanctl --list-sas"
    in_container custgw swanctl --list-sas || true
    expect "strongSwan shows the Child SA INSTALLED" strongswan_installed
}

# The networks are internal bridges named as the seal expects, the seal holds them, and a
# container cannot reach the engine's gateway address on this machine.
check_lab_closed() {
    local network bridge found="" closed=yes format='{{.NetworkInterface}} {{.Internal}}'
    [[ $ENGINE == podman ]] || format='{{index .Options "com.docker.network.bridge.name"}} {{.Internal}}'
    for network in $(cli network ls --format '{{.Name}}' | grep "^${PROJECT}_" || true); do
        found+=$(cli network inspect --format "$format" "$network")$'\n'
    done
    local sealed
    sealed=$(nft list table inet "$SEAL" 2>/dev/null || true)
    for bridge in $(bridges); do
        grep -qx "$bridge true" <<<"$found" || { echo "no internal network with bridge $bridge"; closed=no; }
        grep -q "\"$bridge\"" <<<"$sealed" || { echo "the seal (nftables table inet $SEAL) does not hold $bridge"; closed=no; }
    done
    local gateway
    gateway=$(sed -n 's/.*gateway: \([0-9.]*\).*/\1/p' "$COMPOSE_FILE" | head -1)
    if in_container natgw ping -c 1 -W 1 "$gateway" >/dev/null 2>&1; then echo "natgw reached this machine at $gateway"; closed=no; fi
    verdict "every lab network is internal and sealed from this machine's uplink" $closed
}

check_seed() {
    check_tunnel
    start_capture custhost "icmp or tcp port 80"
    start_capture web "tcp port 80"
    start_capture app "icmp or tcp port 443"

    step "app 20.0.5.10: ping 172.31.38.197 (through the tunnel)"
    local out
    out=$(in_container app ping -c 3 -i 0.3 -W 2 172.31.38.197 2>&1 || true); echo "$out"
    expect "ping from the app host reaches the customer host" answered <<<"$out"

    step "app 20.0.5.10: fetch http://172.31.38.197/"
    out=$(in_container app timeout 5 busybox wget -q -O - http://172.31.38.197/ 2>&1 || true); echo "$out"
    expect "HTTP from the app host reaches the customer host" grep -q "customer host" <<<"$out"

    step "app 20.0.5.10: fetch http://198.51.100.80/ (internet egress, not the tunnel)"
    out=$(in_container app timeout 5 busybox wget -q -O - http://198.51.100.80/ 2>&1 || true); echo "$out"
    expect "HTTP from the app host reaches the internet" grep -q "from the internet" <<<"$out"

    step "custhost 172.31.38.197: ping 1.2.3.4 (DNAT to the app host, ICMP only)"
    out=$(in_container custhost ping -c 2 -i 0.3 -W 2 1.2.3.4 2>&1 || true); echo "$out"
    expect "the customer host reaches the app host at the Elastic IP (ICMP)" answered <<<"$out"

    step "custhost 172.31.38.197: TCP 443 to 1.2.3.4 (the app host listens, the NAT policy forwards ICMP only)"
    if in_container custhost timeout 3 busybox wget -q -O /dev/null http://1.2.3.4:443/ 2>/dev/null; then
        echo "connected"; verdict "TCP 443 to the Elastic IP is not forwarded" no
    else
        echo "no connection"; verdict "TCP 443 to the Elastic IP is not forwarded" yes
    fi

    step "what the customer host saw (tcpdump on 172.31.38.197)"
    local seen
    seen=$(stop_capture custhost); echo "$seen" | head -12
    expect "the customer host saw ping from the Elastic IP 1.2.3.4" grep -q "IP 1.2.3.4 > 172.31.38.197: ICMP echo request" <<<"$seen"
    expect "the customer host saw HTTP from the Elastic IP 1.2.3.4" grep -Eq "IP 1\.2\.3\.4\.[0-9]+ > 172\.31\.38\.197\.80:" <<<"$seen"
    expect "the customer host never saw the private address 20.0.5.10" absent "20.0.5.10" <<<"$seen"

    step "what the app host saw (tcpdump on 20.0.5.10)"
    seen=$(stop_capture app); echo "$seen" | grep -v "IP 20.0.5.10 > 172.31.38.197" | head -4
    expect "the customer's ping to 1.2.3.4 reached the app host (DNAT)" grep -q "IP 172.31.38.197 > 20.0.5.10: ICMP echo request" <<<"$seen"
    expect "no TCP 443 from the customer reached the app host" absent "172.31.38.197" <<<"$(grep "\.443" <<<"$seen" || true)"

    step "what the internet web server saw (tcpdump on 198.51.100.80)"
    seen=$(stop_capture web); echo "$seen" | head -6
    expect "internet egress is masqueraded behind the NAT instance's 198.51.100.10" grep -Eq "IP 198\.51\.100\.10\.[0-9]+ > 198\.51\.100\.80\.80:" <<<"$seen"
    expect "internet egress shows neither the private address nor the Elastic IP" absent "20.0.5.10" "1.2.3.4" <<<"$seen"

    check_lab_closed
    finish_check
}

check_reserved_eip() {
    check_tunnel
    start_capture custgw "icmp"
    start_capture app1 "icmp"
    start_capture app2 "icmp"
    start_capture internet "tcp port 80"
    local out host
    step "app1 172.16.0.5: ping 110.220.10.7 (through the tunnel, from the reserved EIP 54.17.45.23)"
    out=$(in_container app1 ping -c 3 -i 0.3 -W 2 110.220.10.7 2>&1 || true); echo "$out"
    expect "ping from 172.16.0.5 reaches the partner host 110.220.10.7" answered <<<"$out"

    for host in 110.220.10.7 110.220.10.135; do
        step "partner host $host: ping 54.17.45.23 (DNAT to its own target)"
        out=$(in_container custgw ping -c 2 -i 0.3 -W 2 -I "$host" 54.17.45.23 2>&1 || true); echo "$out"
        expect "$host reaches its target at the reserved EIP" answered <<<"$out"
    done

    step "app1 172.16.0.5: fetch http://198.51.100.80/ (internet egress, not the tunnel)"
    out=$(in_container app1 timeout 5 busybox wget -q -O - http://198.51.100.80/ 2>&1 || true); echo "$out"
    expect "HTTP from 172.16.0.5 reaches the internet" grep -q "from the internet" <<<"$out"

    local seen
    step "what the partner saw (tcpdump on custgw)"
    seen=$(stop_capture custgw); echo "$seen" | head -6
    expect "the partner saw 172.16.0.5's ping from the reserved EIP 54.17.45.23" grep -q "IP 54.17.45.23 > 110.220.10.7: ICMP echo request" <<<"$seen"
    expect "the partner never saw the private addresses 172.16.0.x" absent "172.16.0.5" "172.16.0.6" <<<"$seen"
    step "what app1 and app2 saw"
    seen=$(stop_capture app1); echo "$seen" | head -4
    expect "110.220.10.7 was forwarded to its target 172.16.0.5" grep -q "IP 110.220.10.7 > 172.16.0.5: ICMP echo request" <<<"$seen"
    expect "110.220.10.135 was not forwarded to 172.16.0.5" absent "110.220.10.135" <<<"$seen"
    seen=$(stop_capture app2); echo "$seen" | head -4
    expect "110.220.10.135 was forwarded to its target 172.16.0.6" grep -q "IP 110.220.10.135 > 172.16.0.6: ICMP echo request" <<<"$seen"
    step "what the internet saw"
    seen=$(stop_capture internet); echo "$seen" | head -4
    expect "internet egress is masqueraded behind the NAT instance's 54.17.32.74" grep -Eq "IP 54\.17\.32\.74\.[0-9]+ > 198\.51\.100\.80\.80:" <<<"$seen"

    check_lab_closed
    finish_check
}

restore_psk() {
    step "custgw: restore the shared PSK; natgw: ikesharp up $TUNNEL"
    in_container custgw swanctl --load-creds --clear || true
    in_container natgw ikesharp up "$TUNNEL" || true
}

# The customer side loads another PSK; IkeSharp must say what went wrong, from its side alone.
break_psk() {
    trap restore_psk EXIT   # whatever happens below, the customer gets its PSK back
    step "custgw: load a PSK for the NAT instance that differs from IkeSharp's (swanctl --load-creds)"
    in_container custgw sh -c "sed 's/secret = .*/secret = not-the-psk-ikesharp-has/' /etc/swanctl/conf.d/swanctl.conf >/run/wrong-psk.conf && swanctl --load-creds --clear --file /run/wrong-psk.conf"
    step "natgw: ikesharp down $TUNNEL; ikesharp up $TUNNEL"
    rejections() { compose logs --no-color natgw | grep -c "peer rejected our authentication" || true; }
    local before
    before=$(rejections)
    in_container natgw ikesharp down "$TUNNEL" || true
    in_container natgw ikesharp up "$TUNNEL" || true
    # shellcheck disable=SC2317 # called through wait_for
    ikesharp_explained() { (($(rejections) > before)); }
    step "IkeSharp's log (the negotiation, from our side only)"
    expect "IkeSharp reports AUTHENTICATION_FAILED and what to check (ID and PSK)" wait_for 30 "IkeSharp to report the rejected authentication" ikesharp_explained
    compose logs --no-color natgw | grep -E "sending IKE_AUTH|received IKE_AUTH|peer rejected|failed|retrying" | tail -6 || true
    step "strongSwan's side of the story (custgw)"
    # shellcheck disable=SC2317 # called through wait_for
    strongswan_explained() { compose logs --no-color custgw | grep "MAC mismatched" >/dev/null; }
    wait_for 10 "strongSwan's log of the failed authentication" strongswan_explained || true
    compose logs --no-color custgw | grep -E "authentication of|MAC mismatch|AUTHENTICATION_FAILED" | tail -4 || true

    trap - EXIT
    restore_psk
    expect "the tunnel comes back with the right PSK" wait_for 90 "the tunnel to come back" tunnel_up
    finish_check
}
