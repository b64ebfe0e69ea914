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
    if [[ -z ${DOCKER_HOST:-} ]] && command -v docker >/dev/null && timeout 10 docker info >/dev/null 2>&1; then
        ENGINE=docker
        install_packages docker-compose
        return
    fi
    ENGINE=podman
    export CONTAINERS_CONF=$STATE/containers.conf DOCKER_HOST=unix://$STATE/podman.sock
    if [[ -f $STATE/podman.pid ]] && kill -0 "$(cat "$STATE/podman.pid")" 2>/dev/null && [[ -S $STATE/podman.sock ]]; then
        return
    fi
    [[ $COMMAND == up || $COMMAND == down ]] || fail "no lab is running (no Docker engine, no podman API service in $STATE); run: docker/lab.sh up"
    install_packages podman runc docker-compose debootstrap
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
    step "stopping the podman API service (pid $(cat "$STATE/podman.pid"))"
    kill "$(cat "$STATE/podman.pid")" 2>/dev/null || true
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
    if cli image inspect docker.io/library/debian:bookworm-slim >/dev/null 2>&1 \
        || timeout 120 "$ENGINE" pull -q docker.io/library/debian:bookworm-slim >/dev/null 2>&1; then
        export BASE_IMAGE=docker.io/library/debian:bookworm-slim
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
    for project in IkeSharp.Daemon IkeSharp.Cli; do
        dotnet publish "$REPO/src/$project" -c Release -r linux-x64 --self-contained --artifacts-path "$CACHE/build" \
            -o "$out" --nologo -v quiet >/dev/null || fail "dotnet publish $project failed"
    done
}

# Drops routed traffic between the lab's bridges (iks-*) and the rest of this machine, both ways:
# the lab's addresses must never reach the uplink, whatever a container's routes say.
seal_lab() {
    install_packages nftables
    nft -f - <<'NFT'
table inet ikesharp_lab
delete table inet ikesharp_lab
table inet ikesharp_lab {
    chain forward {
        type filter hook forward priority -5; policy accept;
        iifname "iks-*" oifname != "iks-*" counter drop
        oifname "iks-*" iifname != "iks-*" counter drop
    }
    chain input {
        type filter hook input priority -5; policy accept;
        iifname "iks-*" counter drop
    }
    chain output {
        type filter hook output priority -5; policy accept;
        oifname "iks-*" counter drop
    }
}
NFT
}

# netavark sometimes leaves a bridge behind when several containers leave it at once.
remove_bridges() {
    local bridge
    while read -r bridge; do
        ! ip link show "$bridge" >/dev/null 2>&1 || { ip link delete "$bridge" && echo "removed leftover bridge $bridge"; }
    done < <(sed -n 's/.*com\.docker\.network\.bridge\.name: \(iks-[a-z-]*\).*/\1/p' "$COMPOSE_FILE")
}

unseal_lab() {
    # Other layouts may still be up: keep the seal while any iks-* bridge exists.
    ip -o link show type bridge 2>/dev/null | grep ' iks-' >/dev/null || nft delete table inet ikesharp_lab 2>/dev/null || true
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
    [[ $(id -u) -eq 0 ]] || fail "the lab needs root (containers with NET_ADMIN, TUN devices, nftables)"
    select_engine
    select_base_image
    publish_ikesharp
    step "building the images (ikesharp-lab/ikesharp, ikesharp-lab/strongswan, ikesharp-lab/host)"
    compose build
    step "sealing the lab: nftables table inet ikesharp_lab drops routed traffic between iks-* bridges and the rest"
    seal_lab
    # git keeps no file modes: ikesharpd refuses a secrets file others can read.
    chmod 600 "$LAB/$LAYOUT"/*/secrets.conf
    step "starting the $LAYOUT topology ($COMPOSE_FILE)"
    compose up -d --no-build || { show_failure_context; fail "docker-compose up failed"; }
    compose ps
    step "waiting for the tunnel"
    wait_for 90 "the Child SA in ikesharp status (natgw)" tunnel_up || { show_failure_context; fail "the tunnel did not come up"; }
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
    compose down --remove-orphans --timeout 5 || true
    remove_bridges
    unseal_lab
    if [[ $ENGINE == podman ]] && ! podman ps -q --filter "label=com.docker.compose.project" | grep . >/dev/null; then stop_engine; fi
}

case $COMMAND in
    up) cmd_up ;;
    check) select_engine; check_"${LAYOUT//-/_}" ;;
    logs) cmd_logs "$@" ;;
    break-psk) select_engine; break_psk ;;
    exec) select_engine; compose exec "$@" ;;
    down) cmd_down ;;
    *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
