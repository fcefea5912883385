#!/usr/bin/env bash
# Route optimization on real Linux interfaces (issue 10 point 9; docs/e2e.md "Route optimization"): the
# roaming topology of netns.sh, with the correspondent itself a `mipfw-board` (role host, route
# optimization on, a correspondent association with the home agent): its Linux programs send through
# the board's TUN, so a plain Linux server gets optimized routes. The mobile node goes home -> fa1 -> fa2
# -> home while the correspondent streams UDP (100/s) to its home address. Checked:
#   - after the first Binding Update the correspondent's datagrams go straight to the care-of address
#     (IP in IP from 10.9.0.10 to 10.2.0.1 on br-core; the home agent stops tunnelling them), captured on
#     the bridges;
#   - the handoff fa1 -> fa2 is smooth: the mobile node's Previous Foreign Agent Notification makes fa1
#     forward to fa2 and warn the home agent, which updates the correspondent: delivery resumes;
#   - the mobile node back home: the correspondent's entry is deleted (it sends to the home address).
# usage: test/e2e/ro-netns.sh [--board F] [--firmware F] [--out DIR] [--keep]
# exit: 0 passed, 1 failed, 77 skipped (missing prerequisite; reason on stdout as "SKIP: ...")
set -uo pipefail

. "$(dirname "$0")/nsargs.sh"
while [ $# -gt 0 ]; do ns_arg "$@" || { echo "unknown argument $1"; exit 2; }; shift "$NS_SHIFT"; done
ns_require "network namespaces, AF_PACKET, TUN" "mipro-probe-$$"
[ -c /dev/net/tun ] || skip "/dev/net/tun missing"
command -v tshark >/dev/null && command -v dumpcap >/dev/null || skip "tshark/dumpcap not installed (the path is checked on captures)"

[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/mipfw-ro-e2e.XXXXXX)
mkdir -p "$OUT"
P="mr$$"
NSS=(sw ha fa1 fa2 rc r4 cn mn)
PIDS=()
CAPS=()
FAILS=0
. "$(dirname "$0")/nslib.sh"
. "$(dirname "$0")/roamtopo.sh"
topo_namespaces
topo_links
link mn wlan0 mn0 br-home
topo_ip
# The correspondent's eth0 belongs to its board (the TUN carries 10.9.0.10): Linux keeps no address there.
ns cn ip route del default 2>/dev/null
ns cn ip addr flush dev eth0

topo_agent_configs
# Route optimization on every agent; associations: home agent - correspondent, mobile node - each
# foreign agent (the Previous Foreign Agent Notification's authenticator, 001 §5.1).
python3 - "$OUT" <<'EOF'
import json, sys
out = sys.argv[1]
ro = {"enabled": True, "smoothHandoff": True, "updateIntervalMs": 500}
for n in ("ha", "fa1", "fa2"):
    c = json.load(open(f"{out}/{n}.json"))
    c["mobility"]["routeOptimization"] = ro
    sas = c.get("securityAssociations", [])
    if n == "ha":
        sas.append({"peer": "10.9.0.10", "spi": 5000, "algorithm": "hmac-md5", "key": "text:mipfw-demo-cn-ha-key", "use": "correspondent"})
    else:
        sas.append({"peer": "10.1.0.20", "spi": 6000, "algorithm": "hmac-md5", "key": "text:mipfw-demo-mn-fa-key", "use": "mobile-foreign"})
    c["securityAssociations"] = sas
    json.dump(c, open(f"{out}/{n}.json", "w"), indent=1)
EOF
cat >"$OUT/mn.json" <<EOF
{ "name": "mn", "board": "esp32", "roles": ["mobile-node"],
  "interfaces": [ { "name": "wlan0", "mac": "02:00:00:01:00:20", "ipv4": "10.1.0.20/24" } ],
  "routes": [ { "dest": "default", "via": "10.1.0.1" } ],
  "mobility": { "homeAgent": "10.1.0.1", "lifetimeSec": 60, "colocated": "never",
                "routeOptimization": { "enabled": true, "smoothHandoff": true, "cacheLifetimeSec": 10 } },
  "securityAssociations": [
    { "peer": "10.1.0.1", "spi": 4096, "algorithm": "hmac-md5", "key": "text:mipfw-demo-mn-ha-key" },
    { "peer": "10.2.0.1", "spi": 6000, "algorithm": "hmac-md5", "key": "text:mipfw-demo-mn-fa-key", "use": "mobile-foreign" },
    { "peer": "10.3.0.1", "spi": 6000, "algorithm": "hmac-md5", "key": "text:mipfw-demo-mn-fa-key", "use": "mobile-foreign" } ] }
EOF
cat >"$OUT/cn.json" <<EOF
{ "name": "cn", "board": "linux", "roles": ["host"],
  "interfaces": [ { "name": "eth0", "mac": "02:00:00:09:00:10", "ipv4": "10.9.0.10/24" } ],
  "routes": [ { "dest": "default", "via": "10.9.0.1" } ],
  "mobility": { "routeOptimization": { "enabled": true } },
  "securityAssociations": [ { "peer": "10.1.0.1", "spi": 5000, "algorithm": "hmac-md5", "key": "text:mipfw-demo-cn-ha-key", "use": "correspondent" } ] }
EOF

for br in br-home br-core br-net1 br-net2 br-cnet; do
  bg sw "$OUT/$br.dumpcap.log" dumpcap -q -P -i "$br" -w "$OUT/$br.pcap"
  CAPS+=($!)
done
for i in $(seq 50); do [ "$(ls "$OUT"/*.pcap 2>/dev/null | wc -l)" -ge 5 ] && break; sleep 0.1; done

start_boards ha fa1 fa2 mn cn
for n in mn cn; do for i in $(seq 50); do ns $n ip link show mip0 >/dev/null 2>&1 && break; sleep 0.1; done; done
log "boards started (logs in $OUT)"

bg mn "$OUT/udp-recv.err" python3 "$ROOT/test/e2e/udp.py" recv 5000 "$OUT/udp-recv.log"
sleep 0.3
bg cn "$OUT/udp-send.err" python3 "$ROOT/test/e2e/udp.py" send 10.1.0.20 5000 100 "$OUT/udp-sent.log"
: >"$OUT/moves.log"

echo "start $(date +%s.%N)" >>"$OUT/moves.log"
python3 "$ROOT/test/e2e/udp.py" wait "$OUT/udp-recv.log" "$(date +%s.%N)" 30 || fail "start: no delivery at home"
sleep 1
roam_move fa1 br-net1
roam_move fa2 br-net2
roam_move home br-home
sleep 0.5

python3 "$ROOT/test/e2e/udp.py" report "$OUT/udp-sent.log" "$OUT/udp-recv.log" "$OUT/moves.log" "$OUT/result.json" || fail "report"
ev() { grep -c "\"name\":\"$2\"" "$OUT/$1.events.jsonl" 2>/dev/null || echo 0; }
grep -q '"name":"ro_binding".*"op":"add".*"coa":"10.2.0.1"' "$OUT/cn.events.jsonl" || fail "cn: no binding cache entry for care-of 10.2.0.1"
grep -q '"name":"ro_binding".*"coa":"10.3.0.1"' "$OUT/cn.events.jsonl" || fail "cn: the entry never moved to fa2 (10.3.0.1)"
grep -q '"name":"ro_binding".*"op":"add".*"coa":"10.3.0.1"' "$OUT/fa1.events.jsonl" || fail "fa1: no forwarding binding to fa2 (smooth handoff)"

for pid in "${CAPS[@]}"; do kill -INT "$pid" 2>/dev/null; done
for pid in "${CAPS[@]}"; do wait "$pid" 2>/dev/null; done
count() { tshark -r "$1" -Y "$2" 2>/dev/null | wc -l; }
c=$OUT/br-core.pcap
# Outer header = layer 1 (ip.*#1): a tunnelled datagram has the correspondent's address inside too.
direct=$(count "$c" "ip.proto#1 == 4 && ip.src#1 == 10.9.0.10 && ip.dst#1 == 10.2.0.1 && udp.dstport == 5000")
viaha=$(count "$c" "ip.proto#1 == 4 && ip.src#1 == 10.1.0.1 && ip.dst#1 == 10.2.0.1 && udp.dstport == 5000")
plain=$(count "$c" "ip.proto#1 == 17 && ip.src#1 == 10.9.0.10 && ip.dst#1 == 10.1.0.20 && udp.dstport == 5000")
fwd=$(count "$c" "ip.proto#1 == 4 && ip.src#1 == 10.0.0.2 && ip.dst#1 == 10.3.0.1 && udp.dstport == 5000")
direct2=$(count "$c" "ip.proto#1 == 4 && ip.src#1 == 10.9.0.10 && ip.dst#1 == 10.3.0.1 && udp.dstport == 5000")
# Binding Updates (type 18: modern Wireshark names it otherwise; tools/wireshark/mipfw.lua decodes it).
bu=$(tshark -X lua_script:"$ROOT/tools/wireshark/mipfw.lua" -r "$c" -Y "mipfw.type == 18 && ip.dst#1 == 10.9.0.10" 2>/dev/null | wc -l)
echo "br-core at fa1: $direct straight from the correspondent, $viaha through the home agent; plain to the home address $plain; fa1 -> fa2 forwarded $fwd; straight to fa2 $direct2; Binding Updates to cn $bu"
[ "$direct" -ge 200 ] || fail "br-core: only $direct datagrams went straight to fa1's care-of address"
[ "$viaha" -le 20 ] || fail "br-core: $viaha datagrams still went through the home agent to fa1 (triangle)"
[ "$direct2" -ge 200 ] || fail "br-core: only $direct2 datagrams went straight to fa2's care-of address"
[ "$bu" -ge 2 ] || fail "br-core: $bu Binding Updates from the home agent to the correspondent"

echo "result: $(tr -d '\n ' <"$OUT/result.json")"
if [ $FAILS -gt 0 ]; then
  echo "ro e2e: $FAILS failure(s); files kept in $OUT"
  for n in ha fa1 fa2 mn cn; do echo "--- $n.log (tail)"; tail -5 "$OUT/$n.log"; done
  exit 1
fi
echo "ro e2e: passed"
exit 0
