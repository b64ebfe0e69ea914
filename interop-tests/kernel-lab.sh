#!/usr/bin/env bash
# The kernel lab: IPsec scenarios against the Linux kernel's own ESP datapath (XFRM), which this
# machine's kernel lacks (no CONFIG_INET_ESP). Boots a stock Debian kernel under QEMU (software
# emulation, no network device at all) that shares this machine's root file system read-only over
# 9p, and runs interop-tests/kernel-lab/guest.sh inside it: network namespaces with strongSwan
# (kernel-netlink) on the right and the implementation under test on the left.
#
#   interop-tests/kernel-lab.sh [--left strongswan|ikesharp] [--scenarios LIST] [--timeout SECONDS]
#   interop-tests/kernel-lab.sh --prepare-only     # install packages, build the kernel cache, exit
#
# Scenarios (comma-separated, default all eight): psk-gcm psk-cbc nat-t trap stop gateway reserved-eip rekey; dotnet-info
# only measures .NET start-up inside the VM. The same settings come from KERNEL_LAB_LEFT,
# KERNEL_LAB_SCENARIOS and KERNEL_LAB_TIMEOUT. --left ikesharp runs the Release build in
# src/IkeSharp.Daemon and src/IkeSharp.Cli (build it first).
#
# Needs root (apt-get, namespaces inside the VM). The kernel and initramfs are cached under
# /var/tmp/ikesharp-kernel-lab, keyed by kernel version; each run gets a directory under
# runs/ there with the guest's log, daemon logs and captures (the last five runs are kept).
# Exits with the guest's exit code: 0 only when every scenario passed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
lab=$here/kernel-lab
# The VM sees this machine's files, except /tmp and /run (its own tmpfs): /var/tmp it is.
cache=/var/tmp/ikesharp-kernel-lab

left=${KERNEL_LAB_LEFT:-strongswan}
scenarios=${KERNEL_LAB_SCENARIOS:-psk-gcm,psk-cbc,nat-t,trap,stop,gateway,reserved-eip,rekey,peer-reauth}
vm_timeout=${KERNEL_LAB_TIMEOUT:-1800}
prepare_only=no

die() {
    echo "kernel-lab: $*" >&2
    exit 1
}

usage() {
    sed -n '8,9p' "${BASH_SOURCE[0]}" | sed 's/^#  */usage: /'
    exit "${1:-0}"
}

while (($#)); do
    case $1 in
        --left) left=${2:?--left needs strongswan or ikesharp}; shift 2 ;;
        --scenarios) scenarios=${2:?--scenarios needs a list}; shift 2 ;;
        --timeout) vm_timeout=${2:?--timeout needs seconds}; shift 2 ;;
        --prepare-only) prepare_only=yes; shift ;;
        -h | --help) usage ;;
        *) echo "kernel-lab: unknown argument '$1'" >&2; usage 2 ;;
    esac
done
case $left in strongswan | ikesharp) ;; *) die "--left must be strongswan or ikesharp, not '$left'" ;; esac
[[ $(id -u) -eq 0 ]] || die "needs root (apt-get, and network namespaces inside the VM)"

started=$EPOCHREALTIME
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

install_packages() {
    # VM: qemu-system-x86 busybox-static kmod cpio; inside it (via the shared root file system):
    # strongSwan with kernel-netlink, tcpdump, iproute2, ping, nftables for the NAT namespace and jq.
    local packages=(qemu-system-x86 busybox-static kmod cpio strongswan-charon strongswan-swanctl
        libcharon-extra-plugins tcpdump iproute2 iputils-ping nftables jq)
    local missing=() p
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if ((${#missing[@]})); then
        echo "== installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# apt-get download as root into a directory the _apt user cannot write warns; root may download.
apt_download() { (cd "$1" && apt-get -qq -o APT::Sandbox::User=root download "$2"); }

# Sets kernel_release, vmlinuz and initrd, downloading and building what the cache lacks.
prepare_kernel() {
    local meta_version
    meta_version=$(apt-cache policy linux-image-amd64 | awk '$1 == "Candidate:" { print $2 }')
    if [[ -z $meta_version || $meta_version == "(none)" ]]; then
        apt-get update -qq
        meta_version=$(apt-cache policy linux-image-amd64 | awk '$1 == "Candidate:" { print $2 }')
    fi
    # The metapackage names the versioned kernel package, e.g. linux-image-6.1.0-56-amd64.
    local meta_dir=$cache/meta/$meta_version
    if ! compgen -G "$meta_dir/linux-image-amd64_*.deb" >/dev/null; then
        mkdir -p "$meta_dir"
        apt_download "$meta_dir" linux-image-amd64
    fi
    local package
    package=$(dpkg-deb -f "$meta_dir"/linux-image-amd64_*.deb Depends | grep -o 'linux-image-[0-9][^ ,]*' | head -n 1)
    [[ -n $package ]] || die "cannot find the kernel package that linux-image-amd64 $meta_version depends on"
    kernel_release=${package#linux-image-}

    local dir=$cache/kernel/$kernel_release tree
    tree=$dir/tree
    vmlinuz=$dir/vmlinuz
    # The initramfs changes with init, the module list and busybox.
    local busybox key
    busybox=$(dpkg -L busybox-static | grep -m 1 '/bin/busybox$')
    key=$(cat "$lab/init" "$lab/modules" "$busybox" | sha256sum | cut -c 1-12)
    initrd=$dir/initrd-$key.gz
    [[ -f $vmlinuz && -f $initrd ]] && return

    echo "== preparing kernel $kernel_release and its initramfs in $dir"
    mkdir -p "$dir"
    if [[ ! -d $tree/lib/modules/$kernel_release ]]; then
        compgen -G "$dir/$package"_*.deb >/dev/null || apt_download "$dir" "$package"
        rm -rf "$tree"
        dpkg-deb -x "$dir/$package"_*.deb "$tree"
    fi
    cp "$tree/boot/vmlinuz-$kernel_release" "$vmlinuz"
    build_initrd "$tree" "$busybox" "$initrd"
    rm -rf "$tree" # the .deb stays for rebuilding the initramfs offline
    find "$dir" -maxdepth 1 -name 'initrd-*.gz' ! -path "$initrd" -delete
}

# busybox with /sbin/modprobe (the kernel runs that path to load crypto templates on demand), the
# listed modules with their dependencies plus the crypto modules, and modules.dep for them.
build_initrd() {
    local tree=$1 busybox=$2 out=$3 root modules
    root=$(mktemp -d "$cache/initrd-root.XXXXXX")
    mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,host}
    cp "$busybox" "$root/bin/busybox"
    ln -s busybox "$root/bin/sh"
    ln -s ../bin/busybox "$root/sbin/modprobe"
    cp "$lab/init" "$root/init"
    cp "$lab/modules" "$root/modules"
    chmod 755 "$root/init"

    depmod -b "$tree" "$kernel_release" # the .deb ships no modules.dep
    mapfile -t modules < <(grep -v -e '^#' -e '^$' "$lab/modules" | awk '{ print $1 }')
    local m=lib/modules/$kernel_release
    (
        cd "$tree"
        modprobe -d "$tree" -S "$kernel_release" -a --show-depends "${modules[@]}" |
            awk -v tree="$tree/" '$1 == "insmod" { sub("^" tree, "", $2); print $2 }' | sort -u |
            xargs cp --parents -t "$root"
        cp -r --parents -t "$root" "$m/kernel/crypto" "$m/kernel/arch/x86/crypto" "$m/kernel/lib/crypto" \
            "$m/modules.builtin" "$m/modules.builtin.modinfo" "$m/modules.order"
    )
    depmod -b "$root" "$kernel_release"
    (cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out.part"
    mv "$out.part" "$out"
    echo "== initramfs: $(find "$root" -name '*.ko' | wc -l) modules, $(du -h "$out" | cut -f 1)"
    rm -rf "$root"
}

# A fresh run directory with everything the guest needs (the repo may live under /tmp).
prepare_run() {
    mkdir -p "$cache/runs"
    find "$cache/runs" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' | sort -rn | tail -n +5 |
        cut -d ' ' -f 2- | xargs -r rm -rf
    run=$(mktemp -d "$cache/runs/$(date +%Y%m%d-%H%M%S)-XXXX")
    chmod 755 "$run"
    mkdir -p "$run/guest" "$run/results"
    cp "$lab/guest.sh" "$run/guest/"
    local daemon=$repo/src/IkeSharp.Daemon/bin/Release/net10.0 cli=$repo/src/IkeSharp.Cli/bin/Release/net10.0
    if [[ -f $daemon/ikesharpd.dll && -f $cli/ikesharp.dll ]]; then
        mkdir -p "$run/ikesharp"
        cp -r "$daemon" "$run/ikesharp/daemon"
        cp -r "$cli" "$run/ikesharp/cli"
    elif [[ $left == ikesharp ]]; then
        die "no Release build in $daemon and $cli (run: dotnet build IkeSharp.sln -c Release)"
    fi
    printf 'LEFT=%q\nSCENARIOS=%q\n' "$left" "$scenarios" >"$run/args"
}

install_packages
mkdir -p "$cache"
# Concurrent runs share the cache: one prepares it at a time (the lock ends with the block).
{
    flock 9
    prepare_kernel
} 9>"$cache/lock"
echo "== kernel $kernel_release, initramfs $(basename "$initrd") (prepared in $(since "$started") s)"
[[ $prepare_only == no ]] || exit 0
prepare_run

echo "== booting the VM (left=$left, scenarios=$scenarios, timeout ${vm_timeout}s); run directory $run"
boot_started=$EPOCHREALTIME
# -nic none: the VM has no network device (QEMU would otherwise add one with user networking).
# The guest's console is its log; \r and SeaBIOS's terminal escapes come from the serial line.
set +e
timeout -k 10 "$vm_timeout" qemu-system-x86_64 -accel tcg -cpu max -m 2048 -smp 2 -nographic -no-reboot \
    -nic none -kernel "$vmlinuz" -initrd "$initrd" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap \
    -virtfs "local,path=$run,mount_tag=labrun,security_model=passthrough,multidevs=remap" \
    -append "console=ttyS0 panic=-1 edd=off quiet lab_run=$run" </dev/null 2>&1 | sed -u -e 's/\r$//' -e 's/\x1b\(c\|\[[0-9;?]*[a-zA-Z]\)//g'
vm_status=${PIPESTATUS[0]}
set -e
rm -rf "$run/ikesharp" # the copied build; logs and captures stay

echo "== summary (VM $(since "$boot_started") s, total $(since "$started") s; logs in $run/results)"
grep -E '^(PASS|FAIL)' "$run/results/guest.log" 2>/dev/null || true
if [[ $vm_status -eq 124 || $vm_status -eq 137 ]]; then
    echo "FAIL: the VM did not finish within ${vm_timeout}s"
    exit 1
fi
if [[ ! -s $run/results/exit-code ]]; then
    echo "FAIL: the guest left no exit code (QEMU exited with $vm_status; see the console output above)"
    exit 1
fi
guest_status=$(<"$run/results/exit-code")
echo "guest exit code: $guest_status"
exit "$guest_status"
