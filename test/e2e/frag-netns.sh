#!/usr/bin/env bash
# Fragmentation at the tunnel entry on real interfaces (issue 7.15, RFC 2003 §5.1): `mipfw-board` is the
# home agent; a Linux correspondent on its home link sends a 1400-byte UDP datagram without DF to a
# mobile node's home address; the care-of address is a Linux namespace behind the home agent's uplink,
# whose MTU is 1000. The home agent must send the IP-in-IP datagram (1420 bytes) as two fragments, and
# the Linux peer must reassemble them: the kernel has no ipip module here, so a raw socket for IP
# protocol 4 (test/e2e/frag.py) receives the datagram after the kernel's reassembly, and a capture on
# the care-of veth shows the two fragments on the wire.
#
#   cn (10.1.0.20) ── home link ── [eth0 10.1.0.1  mipfw-board HA  eth1 10.2.0.1 (MTU 1000)] ── coa (10.2.0.5, MTU 1000)
#
# usage: test/e2e/frag-netns.sh [--board target/release/mipfw-board] [--firmware build/firmware.wasm] [--out DIR] [--keep]
# exit: 0 passed, 1 failed, 77 skipped (missing prerequisite; reason on stdout as "SKIP: ...")
# Namespaces are named mfrag-<pid>-* (never the e2e test's) and always deleted on exit.
set -uo pipefail

. "$(dirname "$0")/nsargs.sh"   # ROOT BOARD FIRMWARE OUT KEEP, skip, ns_arg, ns_require
while [ $# -gt 0 ]; do
  case "$1" in
    *) ns_arg "$@" || { echo "unknown argument $1"; exit 2; }; shift "$NS_SHIFT" ;;
  esac
done

ns_require "network namespaces, AF_PACKET, raw sockets" "mfrag-$$-probe"
P="mfrag-$$"
CAPTURE=""
if command -v dumpcap >/dev/null; then CAPTURE=dumpcap
elif command -v tcpdump >/dev/null; then CAPTURE=tcpdump
fi

[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/mipfw-frag.XXXXXX)
mkdir -p "$OUT"
NSS=(ha cn coa)
PIDS=()
FAILS=0
. "$(dirname "$0")/nslib.sh"

# ---------------------------------------------------------------- topology
for n in "${NSS[@]}"; do
  ip netns add "$P-$n" || { fail "ip netns add $P-$n"; exit 1; }
  ns "$n" ip link set lo up
  set_sys "$n" net/ipv6/conf/all/disable_ipv6=1 net/ipv6/conf/default/disable_ipv6=1
done
ip link add eth0 netns "$P-ha" type veth peer name eth0 netns "$P-cn"
ip link add eth1 netns "$P-ha" type veth peer name eth0 netns "$P-coa"
ns ha ip link set eth1 mtu 1000
ns coa ip link set eth0 mtu 1000
ns cn ip addr add 10.1.0.20/24 dev eth0; ns cn ip link set eth0 up
ns coa ip addr add 10.2.0.5/24 dev eth0; ns coa ip link set eth0 up
ns coa ip route add default via 10.2.0.1
set_sys coa net/ipv4/conf/all/rp_filter=0 net/ipv4/conf/default/rp_filter=0 net/ipv4/conf/eth0/rp_filter=0

cat >"$OUT/ha.json" <<EOF
{ "name": "ha", "board": "emulated", "roles": ["home-agent"],
  "interfaces": [
    { "name": "eth0", "mac": "02:00:00:01:00:01", "ipv4": "10.1.0.1/24", "home": true },
    { "name": "eth1", "mac": "02:00:00:00:00:01", "ipv4": "10.2.0.1/24", "mtu": 1000 } ],
  "mobility": { "lifetimeSec": 300 },
  "securityAssociations": [ { "peer": "10.1.0.5", "spi": 4096, "algorithm": "hmac-md5", "key": "text:mfrag-test-key" } ] }
EOF
ip netns exec "$P-ha" "$BOARD" --config "$OUT/ha.json" --firmware "$FIRMWARE" --boards "$ROOT/boards" \
  >"$OUT/ha.stdout" 2>"$OUT/ha.log" &
PIDS+=($!)
for i in $(seq 30); do grep -q "started" "$OUT/ha.log" 2>/dev/null && break; sleep 0.1; done
grep -q "started" "$OUT/ha.log" || { fail "home agent did not start:"; sed 's/^/    /' "$OUT/ha.log"; exit 1; }
sleep 0.3

if [ "$CAPTURE" = dumpcap ]; then
  ip netns exec "$P-coa" dumpcap -q -P -i eth0 -f "ip proto 4" -w "$OUT/coa.pcap" >"$OUT/dumpcap.log" 2>&1 & PIDS+=($!); CAP_PID=$!
elif [ "$CAPTURE" = tcpdump ]; then
  ip netns exec "$P-coa" tcpdump -n -i eth0 -w "$OUT/coa.pcap" "ip proto 4" >"$OUT/tcpdump.log" 2>&1 & PIDS+=($!); CAP_PID=$!
fi
for i in $(seq 50); do [ -z "$CAPTURE" ] || [ -s "$OUT/coa.pcap" ] && break; sleep 0.1; done

# ---------------------------------------------------------------- registration, traffic
ip netns exec "$P-coa" python3 "$ROOT/test/e2e/frag.py" recv-ipip "$OUT/ipip.json" 15 >"$OUT/recv.log" 2>&1 &
RECV=$!; PIDS+=($RECV)
sleep 0.2
ns coa python3 "$ROOT/test/e2e/frag.py" register 10.2.0.1 10.1.0.5 10.1.0.1 10.2.0.5 4096 mfrag-test-key \
  >"$OUT/register.log" 2>&1 || { fail "registration: $(cat "$OUT/register.log")"; exit 1; }
echo "registered: $(cat "$OUT/register.log")"
ns cn python3 "$ROOT/test/e2e/frag.py" send 10.1.0.5 9000 1372 3 >"$OUT/send.log" 2>&1 || fail "send: $(cat "$OUT/send.log")"
wait "$RECV" || fail "the care-of namespace received no IP-in-IP datagram: $(cat "$OUT/recv.log")"

# ---------------------------------------------------------------- checks
if [ -s "$OUT/ipip.json" ]; then
  python3 - "$OUT/ipip.json" <<'EOF' || FAILS=$((FAILS + 1))
import json, sys
r = json.load(open(sys.argv[1]))
want = {"outerLen": 1420, "received": 1420, "outerSrc": "10.1.0.1", "outerDst": "10.2.0.5", "outerProto": 4,
        "innerLen": 1400, "innerProto": 17, "innerSrc": "10.1.0.20", "innerDst": "10.1.0.5",
        "payloadLen": 1372, "payloadIntact": True}
bad = {k: (r.get(k), v) for k, v in want.items() if r.get(k) != v}
if bad:
    print("FAIL: reassembled IP-in-IP datagram differs (got, want):", bad)
    sys.exit(1)
print("reassembled at the Linux peer: 1420-byte IP-in-IP datagram, inner 1400 bytes from 10.1.0.20 to 10.1.0.5, payload intact")
EOF
fi
if [ -n "$CAPTURE" ]; then
  sleep 0.3
  kill -INT "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null
  # The outer headers as captured (read from the pcap here: no dependence on a dissector's field format).
  python3 - "$OUT/coa.pcap" >"$OUT/fragments.txt" <<'EOF'
import struct, sys
b = open(sys.argv[1], "rb").read()
end = "<" if b[:4] == bytes.fromhex("d4c3b2a1") else ">"
o = 24
while o + 16 <= len(b):
    n = struct.unpack(end + "I", b[o + 8:o + 12])[0]
    f = b[o + 16:o + 16 + n]
    o += 16 + n
    if len(f) < 34 or f[12:14] != b"\x08\x00" or f[23] != 4:
        continue
    w = struct.unpack("!H", f[20:22])[0]
    print(struct.unpack("!H", f[18:20])[0], (w >> 13) & 1, (w & 0x1fff) * 8, struct.unpack("!H", f[16:18])[0])
EOF
  echo "IP-in-IP frames on the care-of link (id, MF, offset, length):"; sed 's/^/    /' "$OUT/fragments.txt"
  # The first datagram's fragments: two, 996 bytes (20 + 976, a multiple of 8 under MTU 1000) with MF at
  # offset 0, and 444 bytes at offset 976.
  python3 - "$OUT/fragments.txt" <<'EOF' || FAILS=$((FAILS + 1))
import sys
frags = [tuple(int(x) for x in l.split()) for l in open(sys.argv[1]) if l.strip()]
first = [f[1:] for f in frags if f[0] == frags[0][0]] if frags else []
if first != [(1, 0, 996), (0, 976, 444)]:
    print("FAIL: expected two fragments (MF, offset 0, 996 bytes) + (offset 976, 444 bytes), got", first)
    sys.exit(1)
print(f"two fragments on the wire: {first}; {len(frags)} IP-in-IP frames captured")
EOF
  if [ "$CAPTURE" = dumpcap ] && command -v tshark >/dev/null; then tshark -r "$OUT/coa.pcap" -o ip.defragment:FALSE >"$OUT/coa.txt" 2>&1; fi
else
  echo "note: neither dumpcap nor tcpdump installed: the wire capture was not checked"
fi

if [ $FAILS -gt 0 ]; then
  echo "frag-netns: $FAILS failure(s); files kept in $OUT"
  echo "--- ha.log (tail)"; tail -5 "$OUT/ha.log"
  exit 1
fi
echo "frag-netns: passed"
exit 0
