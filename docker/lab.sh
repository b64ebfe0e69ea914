#!/usr/bin/env bash
# The IkeSharp interop lab in containers: IkeSharp as the NAT instance next to a strongSwan
# "third party", on closed compose networks.
#
#   docker/lab.sh [--layout seed|reserved-eip] up          build the images and start the topology
#   docker/lab.sh [--layout ...] check                     prove the tunnel, the NAT policy and egress
#   docker/lab.sh [--layout ...] logs [SERVICE]            negotiation logs (natgw = IkeSharp)
#   docker/lab.sh [--layout ...] break-psk                 wrong PSK on the customer side: what IkeSharp says
#   docker/lab.sh [--layout ...] exec SERVICE COMMAND...   e.g. exec natgw ikesharp status
#   docker/lab.sh [--layout ...] down                      remove containers, networks and the API service
#
# Uses Docker when an engine answers; otherwise podman's Docker-compatible API with a private
# containers.conf (runc, ulimits), started here and stopped by `down`. Images are kept for the
# next run. Where no registry answers, the base image is built from Debian packages (debootstrap).
set -euo pipefail
LAB=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$LAB")
LAYOUT=seed
if [[ ${1:-} == --layout ]]; then LAYOUT=${2:?--layout needs seed or reserved-eip}; shift 2; fi
COMMAND=${1:-}
shift || true
case $LAYOUT in # the compose file, IkeSharp's tunnel and Child SA in it
    seed) COMPOSE_FILE=$LAB/docker-compose.yml TUNNEL=customer CHILD=net ;;
    reserved-eip) COMPOSE_FILE=$LAB/docker-compose.reserved-eip.yml TUNNEL=partner CHILD=apps ;;
    *) echo "lab.sh: unknown layout '$LAYOUT' (seed or reserved-eip)" >&2; exit 2 ;;
esac
PROJECT=ikesharp-lab-$LAYOUT
SEAL=ikesharp_lab_${LAYOUT//-/_}   # nftables table (inet) that closes this layout's bridges
STATE=/run/ikesharp-lab          # podman API socket, its pid and containers.conf
CACHE=/var/tmp/ikesharp-lab      # debootstrap root of the local base image
LOCAL_BASE=localhost/ikesharp-lab/debian:bookworm

if [[ -t 1 ]]; then BOLD=$'\033[1m' RED=$'\033[31m' GREEN=$'\033[32m' PLAIN=$'\033[0m'; else BOLD='' RED='' GREEN='' PLAIN=''; fi
step() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$PLAIN"; }
fail() { printf '%slab.sh: %s%s\n' "$RED" "$*" "$PLAIN" >&2; exit 1; }

install_packages() {
    local missing=()
    for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" >/dev/null || missing+=("$p"); done
    ((${#missing[@]})) || return 0
    step "installing ${missing[*]} (Debian packages)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Sets ENGINE (docker|podman) and, for podman, DOCKER_HOST to the API service this script runs.
select_engine() {
    if [[ ${DOCKER_HOST:-} != "unix://$STATE/podman.sock" ]] && command -v docker >/dev/null && timeout 10 docker info >/dev/null 2>&1; then
        ENGINE=docker
        # Debian's docker-compose 1.29 asks for API 1.41 by default, which current engines refuse.
        export COMPOSE_API_VERSION=auto
        [[ $COMMAND == down ]] || install_packages docker-compose
        return
    fi
    ENGINE=podman
    export CONTAINERS_CONF=$STATE/containers.conf DOCKER_HOST=unix://$STATE/podman.sock
    if [[ -f $STATE/podman.pid ]] && kill -0 "$(cat "$STATE/podman.pid")" 2>/dev/null && [[ -S $STATE/podman.sock ]]; then
        return
    fi
    if [[ $COMMAND == down ]] && ! { command -v podman && command -v docker-compose; } >/dev/null; then
        echo "no Docker engine and no podman here: nothing to remove"
        exit 0
    fi
    [[ $COMMAND == up || $COMMAND == down ]] || fail "no lab is running (no Docker engine, no podman API service in $STATE); run: docker/lab.sh up"
    [[ $COMMAND == down ]] || install_packages podman runc catatonit docker-compose debootstrap
    step "no Docker engine: starting podman's Docker-compatible API at $STATE/podman.sock"
    mkdir -p "$STATE"
    # crun rejects this kind of machine's hybrid cgroups; containers fail above the host's hard ulimits.
    cat >"$CONTAINERS_CONF" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
CONF
    rm -f "$STATE/podman.sock"
    setsid podman system service --time=0 "$DOCKER_HOST" >"$STATE/podman.log" 2>&1 &
    echo $! >"$STATE/podman.pid"
    for _ in $(seq 1 100); do [[ -S $STATE/podman.sock ]] && return; sleep 0.1; done
    fail "podman system service did not create $STATE/podman.sock; its log: $(tail -5 "$STATE/podman.log")"
}

stop_engine() {
    [[ $ENGINE == podman && -f $STATE/podman.pid ]] || return 0
    local pid
    pid=$(cat "$STATE/podman.pid")
    step "stopping the podman API service (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$STATE/podman.pid" "$STATE/podman.sock"
}

cli() { if [[ $ENGINE == docker ]]; then docker "$@"; else podman "$@"; fi; }
compose() { docker-compose --project-name "$PROJECT" --file "$COMPOSE_FILE" "$@"; }
in_container() { local service=$1; shift; compose exec -T "$service" "$@"; }

debian_mirror() {
    local uri
    uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [[ -n $uri ]] || uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
    echo "${uri:-http://deb.debian.org/debian}"
}

# BASE_IMAGE: debian:bookworm-slim from a registry when one answers, else one built from Debian packages.
select_base_image() {
    if [[ -n ${BASE_IMAGE:-} ]]; then step "base image: $BASE_IMAGE (from BASE_IMAGE)"; return; fi
    # Only Docker is asked to pull: with podman the lab is for machines without a registry.
    if [[ $ENGINE == docker ]] && { docker image inspect debian:bookworm-slim >/dev/null 2>&1 \
        || timeout 120 docker pull -q debian:bookworm-slim >/dev/null 2>&1; }; then
        export BASE_IMAGE=debian:bookworm-slim
        step "base image: $BASE_IMAGE"
        return
    fi
    export BASE_IMAGE=$LOCAL_BASE
    if cli image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
        step "base image: $BASE_IMAGE (built earlier from Debian packages)"
        return
    fi
    local mirror
    mirror=$(debian_mirror)
    step "no registry answers: building $BASE_IMAGE with debootstrap from $mirror"
    rm -rf "$CACHE/rootfs" && mkdir -p "$CACHE"
    debootstrap --variant=minbase bookworm "$CACHE/rootfs" "$mirror" >"$CACHE/debootstrap.log" 2>&1 \
        || fail "debootstrap failed; last lines of $CACHE/debootstrap.log: $(tail -5 "$CACHE/debootstrap.log")"
    tar -C "$CACHE/rootfs" -c . | cli import - "$BASE_IMAGE" >/dev/null
    rm -rf "$CACHE/rootfs"
}

publish_ikesharp() {
    command -v dotnet >/dev/null || fail "the IkeSharp image needs a self-contained build: install the .NET 10 SDK (dotnet) first"
    local out=$LAB/images/ikesharp/publish
    step "dotnet publish IkeSharp (self-contained, linux-x64) into docker/images/ikesharp/publish"
    rm -rf "$out"
    # Its own bin/obj folders (artifacts path): a test run may be using the checkout's build output.
    mkdir -p "$CACHE"
    for project in IkeSharp.Daemon IkeSharp.Cli; do
        dotnet publish "$REPO/src/$project" -c Release -r linux-x64 --self-contained --artifacts-path "$CACHE/build" \
            -o "$out" --nologo -v quiet >"$CACHE/publish.log" 2>&1 \
            || fail "dotnet publish $project failed; last lines of $CACHE/publish.log:"$'\n'"$(tail -15 "$CACHE/publish.log")"
    done
}

bridges() { sed -n 's/.*com\.docker\.network\.bridge\.name: \(iks-[a-z-]*\).*/\1/p' "$COMPOSE_FILE"; }
subnets() { sed -n 's/.*subnet: \([0-9./]*\).*/\1/p' "$COMPOSE_FILE"; }

# A lab subnet this machine already routes elsewhere (a cloud VPC, a VPN) would be cut off while
# the lab is up: refuse instead.
check_subnets_free() {
    local subnet routes
    for subnet in $(subnets); do
        routes=$(ip -4 route show root "$subnet"; ip -4 route show match "$subnet" | grep -v '^default' || true)
        routes=$(grep -v ' dev iks-' <<<"$routes" || true)
        [[ -z $routes ]] || fail "this machine already routes $subnet (${routes%%$'\n'*}); the lab would cut it off. Use a machine without it."
    done
}

# Drops routed traffic between each of the layout's bridges and any other interface, both ways
# (also between two lab bridges, which would let this machine bypass the NAT instance), and the
# lab's packets to this machine itself: the lab's addresses never reach the uplink.
seal_lab() {
    install_packages nftables
    local bridge rules="" set
    for bridge in $(bridges); do
        rules+="        iifname \"$bridge\" oifname != \"$bridge\" counter drop"$'\n'
        rules+="        oifname \"$bridge\" iifname != \"$bridge\" counter drop"$'\n'
    done
    set=$(bridges | sed 's/.*/"&"/' | paste -sd, -)
    nft -f - <<NFT
table inet $SEAL
delete table inet $SEAL
table inet $SEAL {
    chain forward {
        type filter hook forward priority -5; policy accept;
$rules    }
    chain input {
        type filter hook input priority -5; policy accept;
        iifname { $set } counter drop
    }
    chain output {
        type filter hook output priority -5; policy accept;
        oifname { $set } counter drop
    }
}
NFT
}

# A container stopped by force keeps netavark from deleting the bridge it was the last port of.
remove_bridges() {
    local bridge
    for bridge in $(bridges); do
        if ip link show "$bridge" >/dev/null 2>&1 && ip link delete "$bridge" 2>/dev/null; then echo "removed leftover bridge $bridge"; fi
    done
}

show_failure_context() {
    for service in $(compose ps --services 2>/dev/null); do
        echo "--- last log lines of $service:"
        compose logs --no-color --tail 15 "$service" 2>&1 | sed 's/^/    /'
    done
}

wait_for() { # SECONDS DESCRIPTION COMMAND...
    local seconds=$1 what=$2; shift 2
    for _ in $(seq 1 $((seconds * 2))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
    echo "timed out after ${seconds}s waiting for: $what"
    return 1
}

source "$LAB/checks.sh"

cmd_up() {
    select_engine
    select_base_image
    publish_ikesharp
    step "building the images (ikesharp-lab/ikesharp, ikesharp-lab/strongswan, ikesharp-lab/host)"
    compose build || fail "building the images failed (output above); the base image is $BASE_IMAGE"
    check_subnets_free
    step "sealing the lab: nftables table inet $SEAL closes its bridges ($(bridges | paste -sd' ' -)) to the rest of this machine"
    seal_lab
    # git keeps no file modes: ikesharpd refuses a secrets file others can read.
    chmod 600 "$LAB/$LAYOUT"/*/secrets.conf
    step "starting the $LAYOUT topology ($COMPOSE_FILE)"
    compose up -d --no-build || { show_failure_context; fail "docker-compose up failed; clean up with: docker/lab.sh down"; }
    compose ps
    step "waiting for the tunnel"
    wait_for 90 "the Child SA in ikesharp status (natgw)" tunnel_up || { show_failure_context; fail "the tunnel did not come up; the lab stays up for a look (logs, exec); remove it with: docker/lab.sh down"; }
    in_container natgw ikesharp status
    echo
    local again=docker/lab.sh
    [[ $LAYOUT == seed ]] || again+=" --layout $LAYOUT"
    echo "Lab up. Next: $again check | logs natgw | break-psk | down"
}

cmd_logs() {
    select_engine
    if (($#)); then compose logs --no-color "$@"; else compose logs --no-color natgw custgw; fi
}

cmd_down() {
    select_engine
    step "removing the $LAYOUT lab's containers and networks (images stay for the next run)"
    compose down --remove-orphans --timeout 10 || true
    local left
    left=$(cli ps -aq --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null || true)
    if [[ -n $left ]]; then
        echo "removing containers docker-compose left: $left"
        # shellcheck disable=SC2086 # one ID per word
        cli rm -f $left >/dev/null 2>&1 || true
        left=$(cli ps -aq --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null || true)
    fi
    remove_bridges
    [[ -n $left ]] || nft delete table inet "$SEAL" 2>/dev/null || true
    if [[ $ENGINE == podman && -z $(cli ps -aq --filter "label=com.docker.compose.project" 2>/dev/null) ]]; then stop_engine; fi
    [[ -z $left ]] || fail "containers $left are still there (the seal stays): remove them with '$ENGINE rm -f', then run down again"
}

case $COMMAND in
    up | check | logs | break-psk | exec | down)
        [[ $(id -u) -eq 0 ]] || fail "the lab needs root (containers with NET_ADMIN, TUN devices, nftables): sudo $0 --layout $LAYOUT $COMMAND" ;;
esac
case $COMMAND in
    up) cmd_up ;;
    check) select_engine; check_"${LAYOUT//-/_}" ;;
    logs) cmd_logs "$@" ;;
    break-psk) select_engine; break_psk ;;
    exec) select_engine; compose exec "$@" ;;
    down) cmd_down ;;
    *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
