#!/bin/sh
# Entry point of every lab container: wire the container into the lab's own routers, then run the
# command. Compose attaches networks in no fixed order, so interfaces are found by address.
#   LAB_RENAME="198.51.100.10=wan0 20.0.5.1=lan0"   name the interface holding each address
#   LAB_ROUTES="default via 20.0.5.1;172.16.0.0/12 via 20.0.5.1"   ip route replace ... (';'-separated)
#   LAB_ADDRS="110.220.10.7/32 110.220.10.135/32"    extra addresses on lo
# Containers never route through the bridge gateway podman or Docker put on the host: every route
# points at another container of the lab, so the lab stays closed.
set -eu
renamed=""
rename() { # FROM TO
    ip link set "$1" down && ip link set "$1" name "$2" && ip link set "$2" up
}
for pair in ${LAB_RENAME:-}; do
    address=${pair%%=*} name=${pair#*=}
    dev=$(ip -o -4 addr show | awk -v a="$address" '{ split($4, p, "/"); if (p[1] == a) print $2 }')
    [ -n "$dev" ] || { echo "lab-init: no interface holds $address" >&2; exit 1; }
    if [ "$dev" != "$name" ]; then
        rename "$dev" "$name"
        renamed="$renamed $name=$dev"
    fi
done
for address in ${LAB_ADDRS:-}; do ip addr add "$address" dev lo; done
echo "${LAB_ROUTES:-}" | tr ';' '\n' | while read -r route; do
    # shellcheck disable=SC2086 # a route is several words
    [ -z "$route" ] || ip route replace $route
done
[ -n "$renamed" ] || exec "$@"

# The engine removes a container's interfaces by the names it gave them: give them back on the way out.
"$@" &
child=$!
trap 'kill -TERM $child 2>/dev/null' TERM INT
status=0
wait $child || status=$?
if kill -0 $child 2>/dev/null; then wait $child || status=$?; fi
for pair in $renamed; do rename "${pair%%=*}" "${pair#*=}" || true; done
exit $status
