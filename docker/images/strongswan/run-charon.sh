#!/bin/sh
# Start charon with the datapath this kernel offers, load /etc/swanctl/swanctl.conf (mounted from
# the lab's config folder), and log to stdout for `docker/lab.sh logs`.
set -eu
if ip xfrm state add src 127.0.0.1 dst 127.0.0.1 proto esp spi 0x100 mode tunnel \
       aead 'rfc4106(gcm(aes))' 0x0000000000000000000000000000000000000000 128 2>/dev/null; then
    ip xfrm state delete src 127.0.0.1 dst 127.0.0.1 proto esp spi 0x100
    datapath="kernel-netlink"
    echo "run-charon: kernel ESP available: strongSwan uses the kernel's XFRM datapath"
else
    datapath="kernel-libipsec kernel-netlink"
    echo "run-charon: no kernel ESP: strongSwan uses kernel-libipsec (user-space ESP over TUN, always UDP-encapsulated)"
fi
cat >/run/strongswan.conf <<CONF
charon {
  load = random nonce aes sha1 sha2 hmac gcm pem pkcs1 x509 pubkey gmp openssl kdf $datapath socket-default vici updown
  install_virtual_ip = no
  filelog {
    stdout {
      default = 1
      ike = 2
      time_format = %H:%M:%S
      flush_line = yes
    }
  }
}
CONF
export STRONGSWAN_CONF=/run/strongswan.conf
/usr/lib/ipsec/charon &
charon=$!
trap 'kill -TERM $charon' TERM INT
for _ in $(seq 1 100); do [ -S /run/charon.vici ] && break; sleep 0.1; done
swanctl --load-all
wait $charon || true      # returns early when the trap runs
wait $charon 2>/dev/null || true
