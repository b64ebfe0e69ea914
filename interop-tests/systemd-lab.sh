#!/usr/bin/env bash
# The systemd lab: ikesharpd installed as README.md says (published self-contained for linux-x64,
# docs/systemd/ikesharpd.service, docs/systemd/ikesharpd.logrotate) under a real systemd, booted
# with systemd-nspawn in a Debian 12 root of its own. This machine's PID 1 is not systemd, so this is
# where Type=notify, the watchdog, the hardening, reload, restart and the log file are seen working.
# The container's network is private (lo and a veth pair inside it): no packet leaves it.
# Prints pass:/fail: per check and a closing "Passed! - Failed: ..." line; exits 1 if a check failed.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
    echo "systemd-lab.sh: needs root (systemd-nspawn)" >&2
    exit 1
fi

work=/var/tmp/ikesharp-systemd-lab
root=$work/rootfs
for p in systemd-container debootstrap; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null
    fi
done

# The root file system is built once (about 3 minutes) and reused.
if [[ ! -x $root/usr/sbin/nft ]]; then
    echo "== building a Debian 12 root for the container in $root"
    mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
    rm -rf "$root.partial"
    debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,iproute2,nftables,logrotate bookworm "$root.partial" "$mirror" >"$work.debootstrap.log"
    mv "$root.partial" "$root"
fi

echo "== dotnet publish -r linux-x64 --self-contained, as README.md installs it"
rm -rf "$root/opt/ikesharp"
dotnet publish src/IkeSharp.Daemon -c Release -r linux-x64 --self-contained -o "$root/opt/ikesharp" --verbosity quiet -nologo
dotnet publish src/IkeSharp.Cli -c Release -r linux-x64 --self-contained -o "$root/opt/ikesharp" --verbosity quiet -nologo
cp docs/systemd/ikesharpd.service "$root/etc/systemd/system/"
cp docs/systemd/ikesharpd.logrotate "$root/etc/logrotate.d/ikesharpd"
mkdir -p "$root/etc/ikesharp" && chmod 700 "$root/etc/ikesharp"
rm -rf "$root/var/log/ikesharp" "$root/var/log/journal"

# A NAT tunnel (so that sysctls and the nftables table are set under the unit's hardening) that
# never comes up: its peer does not exist. The internal subnet is on the veth pair.
cat >"$root/etc/ikesharp/ikesharp.conf" <<'EOF'
daemon {
    listen = 127.0.0.1
    datapath = record
    sysctl = set
    log_file = /var/log/ikesharp/ikesharpd.log
}
tunnels {
    peer {
        local_addrs = 127.0.0.1
        remote_addrs = 127.0.0.2
        children {
            net {
                remote_ts = 10.9.0.0/24
            }
        }
        nat {
            public_ip = 1.2.3.4
            snat_sources = 10.0.0.0/24
        }
    }
}
EOF
printf 'secrets {\n    peer {\n        psk = systemd-lab-pre-shared-key-0123456789\n    }\n}\n' >"$root/etc/ikesharp/secrets.conf"
chmod 600 "$root/etc/ikesharp/secrets.conf"

cat >"$root/etc/systemd/system/lab-net.service" <<'EOF'
[Unit]
Before=ikesharpd.service
[Service]
Type=oneshot
ExecStart=/bin/sh -c "ip link add in0 type veth peer name in1 && ip addr add 10.0.0.1/24 dev in0 && ip link set in0 up && ip link set in1 up"
EOF
cat >"$root/etc/systemd/system/lab-check.service" <<'EOF'
[Unit]
After=ikesharpd.service
[Service]
Type=oneshot
ExecStart=/usr/local/bin/lab-check
EOF

cat >"$root/usr/local/bin/lab-check" <<'EOF'
#!/bin/sh
# Runs inside the container after ikesharpd's start job; writes one pass:/fail: line per check.
out=/result/results
: >$out
pass() { echo "pass: $1" >>$out; }
fail() { echo "fail: $1: $2" >>$out; }
state() { systemctl show ikesharpd -p ActiveState,SubState --value | paste -sd/; }
wait_for() { i=0; while [ $i -lt "$1" ]; do eval "$2" && return 0; sleep 1; i=$((i + 1)); done; return 1; }
journal() { journalctl -u ikesharpd --no-pager -o cat; }

# Type=notify: the start job ends only after READY=1, so the unit is active/running now.
[ "$(state)" = active/running ] && pass "Type=notify: active once ready" || fail "Type=notify: active once ready" "$(state); $(journal | tail -n 5)"
journal | grep -q "systemd watchdog: pinging every 00:00:15" && pass "watchdog pings (WatchdogSec=30)" || fail "watchdog pings (WatchdogSec=30)" "no watchdog line"
caps=$(awk '/^CapBnd/ { print $2 }' /proc/"$(systemctl show ikesharpd -p MainPID --value)"/status)
[ "$caps" = 0000000000003400 ] && pass "capabilities: NET_ADMIN, NET_BIND_SERVICE, NET_RAW only" || fail "capabilities: NET_ADMIN, NET_BIND_SERVICE, NET_RAW only" "CapBnd $caps"
modes="$(stat -c %a /run/ikesharp /run/ikesharp/ikesharp.sock /var/log/ikesharp /var/log/ikesharp/ikesharpd.log | paste -sd' ')"
[ "$modes" = "700 600 750 640" ] && pass "modes: runtime dir, socket, log dir, log file" || fail "modes: runtime dir, socket, log dir, log file" "$modes"
/opt/ikesharp/ikesharp --socket /run/ikesharp/ikesharp.sock status | grep -q "^peer: down" && pass "ikesharp --socket PATH status" || fail "ikesharp --socket PATH status" "$(/opt/ikesharp/ikesharp --socket /run/ikesharp/ikesharp.sock status 2>&1)"
nft list table ip ikesharp | grep -q "snat to 1.2.3.4" && [ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ] && pass "NAT table and sysctls under ProtectSystem=strict" || fail "NAT table and sysctls under ProtectSystem=strict" "$(journal | tail -n 3)"
grep -q "control socket /run/ikesharp/ikesharp.sock" /var/log/ikesharp/ikesharpd.log && pass "log file written" || fail "log file written" "$(ls -l /var/log/ikesharp)"

logrotate -f /etc/logrotate.d/ikesharpd
wait_for 10 'grep -q reloaded /var/log/ikesharp/ikesharpd.log 2>/dev/null' && [ -f /var/log/ikesharp/ikesharpd.log.1 ] \
    && pass "logrotate: renamed, reopened on reload" || fail "logrotate: renamed, reopened on reload" "$(ls /var/log/ikesharp)"

cp /etc/ikesharp/ikesharp.conf /etc/ikesharp/good.conf
sed -i 's/remote_addrs/remote_addr/' /etc/ikesharp/ikesharp.conf
if systemctl reload ikesharpd 2>/dev/null; then reloaded=yes; else reloaded=no; fi
[ $reloaded = no ] && [ "$(state)" = active/running ] && journal | grep -q "reload refused" \
    && pass "a broken config fails systemctl reload, the daemon runs on" || fail "a broken config fails systemctl reload, the daemon runs on" "reload succeeded: $reloaded; $(state)"
mv /etc/ikesharp/good.conf /etc/ikesharp/ikesharp.conf

systemctl kill -s KILL ikesharpd
wait_for 30 '[ "$(systemctl show ikesharpd -p NRestarts --value)" = 1 ] && [ "$(state)" = active/running ]' \
    && pass "restarted after SIGKILL (Restart=on-failure)" || fail "restarted after SIGKILL (Restart=on-failure)" "$(state)"

systemctl stop ikesharpd
[ "$(systemctl show ikesharpd -p ExecMainStatus --value)" = 0 ] && ! nft list table ip ikesharp >/dev/null 2>&1 \
    && pass "clean stop: exit 0, NAT table removed" || fail "clean stop: exit 0, NAT table removed" "$(journal | tail -n 3)"
systemctl poweroff
EOF
chmod +x "$root/usr/local/bin/lab-check"
wants=$root/etc/systemd/system/multi-user.target.wants
mkdir -p "$wants"
for unit in ikesharpd lab-net lab-check; do
    ln -sf "/etc/systemd/system/$unit.service" "$wants/$unit.service"
done

echo "== booting the container (systemd-nspawn --boot --private-network)"
mkdir -p "$work/result" && rm -f "$work/result/results"
timeout 300 systemd-nspawn --quiet --directory "$root" --boot --private-network --register=no --keep-unit \
    --bind="$work/result:/result" --console=pipe >"$work/console.log" 2>&1 || true

echo "== summary"
if [[ ! -s $work/result/results ]]; then
    echo "fail: the container wrote no results; see $work/console.log"
    echo "Failed! - Failed: 1, Passed: 0, Skipped: 0 (systemd lab)"
    exit 1
fi
cat "$work/result/results"
passed=$(grep -c "^pass:" "$work/result/results" || true)
failed=$(grep -c "^fail:" "$work/result/results" || true)
echo "$([[ $failed -eq 0 ]] && echo Passed || echo Failed)! - Failed: $failed, Passed: $passed, Skipped: 0 (systemd lab)"
[[ $failed -eq 0 ]]
