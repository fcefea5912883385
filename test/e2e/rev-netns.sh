#!/usr/bin/env bash
# Reverse tunnelling with a third-party mobile node on real interfaces (issue 7.16, RFC 3024 with the
# "rfc3344" registration profile): `mipfw-board` is the home agent; the mobile node is NOT mipfw but a
# Python RFC 3344 mobile node (test/e2e/rev.py) with a co-located care-of address, written from the RFCs.
# It registers with T (0x02) and D (0x20), resynchronising its timestamp on the home agent's 133, checks
# the replies' HMAC-MD5 authenticators, then sends UDP datagrams from its home address to a Linux
# correspondent on the home link: through the reverse tunnel (IP in IP from the care-of address, built
# on a raw socket: the kernel has no ipip module here), untunnelled, through a forged tunnel (outer
# source not the binding's care-of address), and home-prefix-sourced datagrams to its home address from
# off the home link. The correspondent's receptions and the home agent's counters (its events file's
# final stats line) are checked.
#
#   cn (10.1.0.20) ── home link ── [eth0 10.1.0.1  mipfw-board HA  eth1 10.2.0.1] ── mn (10.2.0.5 = co-located care-of; home 10.1.0.50)
#
# usage: test/e2e/rev-netns.sh [--board target/release/mipfw-board] [--firmware build/firmware.wasm] [--out DIR] [--keep]
# exit: 0 passed, 1 failed, 77 skipped (missing prerequisite; reason on stdout as "SKIP: ...")
# Namespaces are named mrev-<pid>-* (never the e2e test's) and always deleted on exit.
set -uo pipefail

. "$(dirname "$0")/nsargs.sh"   # ROOT BOARD FIRMWARE OUT KEEP, skip, ns_arg, ns_require
N=20
while [ $# -gt 0 ]; do
  case "$1" in
    *) ns_arg "$@" || { echo "unknown argument $1"; exit 2; }; shift "$NS_SHIFT" ;;
  esac
done

ns_require "network namespaces, raw sockets" "mrev-$$-probe"
P="mrev-$$"

[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/mipfw-rev.XXXXXX)
mkdir -p "$OUT"
NSS=(ha cn mn)
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
ip link add eth1 netns "$P-ha" type veth peer name eth0 netns "$P-mn"
ns cn ip addr add 10.1.0.20/24 dev eth0; ns cn ip link set eth0 up
ns cn ip route add default via 10.1.0.1
ns mn ip addr add 10.2.0.5/24 dev eth0; ns mn ip link set eth0 up
ns mn ip route add 10.1.0.0/24 via 10.2.0.1
for n in cn mn; do set_sys "$n" net/ipv4/conf/all/rp_filter=0 net/ipv4/conf/default/rp_filter=0 net/ipv4/conf/eth0/rp_filter=0; done

KEY=mrev-interop-key
cat >"$OUT/ha.json" <<EOF
{ "name": "ha", "board": "emulated", "roles": ["home-agent"],
  "interfaces": [
    { "name": "eth0", "mac": "02:00:00:01:00:01", "ipv4": "10.1.0.1/24", "home": true },
    { "name": "eth1", "mac": "02:00:00:00:00:01", "ipv4": "10.2.0.1/24" } ],
  "mobility": { "lifetimeSec": 300, "registrationProfile": "rfc3344" },
  "securityAssociations": [ { "peer": "10.1.0.50", "spi": 4096, "algorithm": "hmac-md5", "key": "text:$KEY" } ] }
EOF
ip netns exec "$P-ha" "$BOARD" --config "$OUT/ha.json" --firmware "$FIRMWARE" --boards "$ROOT/boards" \
  --events "$OUT/ha.events.jsonl" >"$OUT/ha.stdout" 2>"$OUT/ha.log" &
HA=$!; PIDS+=($HA)
for i in $(seq 30); do grep -q "started" "$OUT/ha.log" 2>/dev/null && break; sleep 0.1; done
grep -q "started" "$OUT/ha.log" || { fail "home agent did not start:"; sed 's/^/    /' "$OUT/ha.log"; exit 1; }
sleep 0.3

# ---------------------------------------------------------------- registration, traffic
ip netns exec "$P-cn" python3 "$ROOT/test/e2e/rev.py" recv 9999 "$OUT/cn.json" 12 >"$OUT/cn.log" 2>&1 &
RECV=$!; PIDS+=($RECV)
sleep 0.2
ns mn python3 "$ROOT/test/e2e/rev.py" mn 10.1.0.1 10.1.0.50 10.2.0.5 10.1.0.20 9999 $N 4096 "$KEY" "$OUT/mn.json" \
  >"$OUT/mn.log" 2>&1 || fail "mobile node: $(cat "$OUT/mn.log")"
wait "$RECV" || fail "correspondent: $(cat "$OUT/cn.log")"
sleep 0.2
# Stop the home agent: its events file ends with the stats line (every firmware counter).
kill -INT "$HA" 2>/dev/null; wait "$HA" 2>/dev/null
for i in $(seq 20); do grep -q '"name":"stats"' "$OUT/ha.events.jsonl" 2>/dev/null && break; sleep 0.1; done

# ---------------------------------------------------------------- checks
python3 - "$OUT/mn.json" "$OUT/cn.json" "$OUT/ha.events.jsonl" $N <<'EOF' || FAILS=$((FAILS + 1))
import json, sys
mn = json.load(open(sys.argv[1]))
cn = json.load(open(sys.argv[2])) if open(sys.argv[2]).read().strip() else []
stats = [json.loads(l) for l in open(sys.argv[3]) if '"name":"stats"' in l]
n = int(sys.argv[4])
bad = []
reg = mn["registration"]
codes = [r["code"] for r in reg]
print("registration replies:", ", ".join(f"code {r['code']} (authenticator {'ok' if r['authOk'] else 'BAD'}, "
      f"id high {r['replyIdHigh']}, lifetime {r['lifetime']})" for r in reg))
if codes != [133, 0] or not all(r["authOk"] for r in reg):
    bad.append(f"expected replies 133 then 0, both authenticated: {reg}")
kinds = {}
for src, p in cn:
    k = p.split("-")[0]
    kinds.setdefault(k, set()).add(src)
    kinds[k + "#"] = kinds.get(k + "#", 0) + 1
print(f"correspondent received: tunnelled {kinds.get('tun#', 0)}/{n} (sources {sorted(kinds.get('tun', []))}), "
      f"untunnelled {kinds.get('plain#', 0)}/{n}, forged tunnel {kinds.get('forged#', 0)}/{n}, end marker {kinds.get('end#', 0)}")
if kinds.get("tun#", 0) != n or kinds.get("tun") != {"10.1.0.50"}:
    bad.append(f"the correspondent must receive all {n} reverse-tunnelled datagrams from 10.1.0.50")
# Untunnelled, the same datagrams reach the correspondent too: the home agent routes them as any
# router would (its RFC 2827 check drops home-prefix sources from off the home link only toward its
# bindings, below; on a foreign network with ingress filtering they would be lost, which is what the
# reverse tunnel is for).
if kinds.get("plain#", 0) != n:
    bad.append(f"untunnelled: {kinds.get('plain#', 0)} of {n} routed, expected all")
if kinds.get("forged#", 0):
    bad.append("a forged reverse tunnel was forwarded")
if kinds.get("end#", 0) != 1:
    bad.append("the end marker (through the tunnel) did not arrive")
if not stats:
    bad.append("no stats line in the home agent's events file")
else:
    c = stats[-1]["counters"]
    keys = ["ha_reg_rx", "ha_reg_accepted", "ha_reg_denied", "tunnel_decapsulated", "ha_reverse_tunnelled",
            "drop_ha_reverse_spoofed", "drop_ha_spoofed_home_src", "forwarded", "tunnel_tx"]
    print("home agent counters: " + ", ".join(f"{k} {c.get(k)}" for k in keys))
    want = {"ha_reg_accepted": 1, "ha_reg_denied": 1, "ha_reverse_tunnelled": n + 1,
            "drop_ha_reverse_spoofed": n, "drop_ha_spoofed_home_src": n, "tunnel_tx": 0}
    for k, v in want.items():
        if c.get(k) != v:
            bad.append(f"counter {k}: {c.get(k)}, expected {v}")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
EOF

if [ $FAILS -gt 0 ]; then
  echo "rev-netns: $FAILS failure(s); files kept in $OUT"
  echo "--- ha.log (tail)"; tail -5 "$OUT/ha.log"
  exit 1
fi
echo "rev-netns: passed"
exit 0
