#!/usr/bin/env bash
# Distributed registration on real Linux interfaces (issue 11 point 8; docs/e2e.md "Distributed
# registration"): the roaming topology of netns.sh plus a home registration server hs (on the home
# link), and in the visited domain (br-core) a registration server rs2 and a care-of agent coa1 — every
# one a `mipfw-board` process, as are ha, fa1, fa2 and the mobile node. The foreign agents advertise rs2.
# The correspondent (Linux) streams UDP (100/s) to the mobile node's home address while it goes
# home -> fa1 -> fa2 -> home. Checked:
#   - at fa1 a local registration with rs2 (R, Binding Registrar rs2) and a home registration with hs
#     relayed by rs2, accepted; coa1 enabled a binding route to fa1, then to fa2;
#   - the tunnel chain on br-core: the home agent tunnels to coa1 (10.0.0.6), coa1 to fa1 / fa2;
#   - the handoff fa1 -> fa2 reaches no node of the home network: hs registered once, the home agent
#     bound once (until the mobile node deregisters at home);
#   - UDP delivery resumes after every move (interruption and loss printed).
# usage: test/e2e/dremip-netns.sh [--board F] [--firmware F] [--out DIR] [--keep]
# exit: 0 passed, 1 failed, 77 skipped (missing prerequisite; reason on stdout as "SKIP: ...")
set -uo pipefail

. "$(dirname "$0")/nsargs.sh"
while [ $# -gt 0 ]; do ns_arg "$@" || { echo "unknown argument $1"; exit 2; }; shift "$NS_SHIFT"; done
ns_require "network namespaces, AF_PACKET, TUN" "midr-probe-$$"
[ -c /dev/net/tun ] || skip "/dev/net/tun missing"
command -v tshark >/dev/null && command -v dumpcap >/dev/null || skip "tshark/dumpcap not installed (the chain is checked on captures)"

[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/mipfw-dr-e2e.XXXXXX)
mkdir -p "$OUT"
P="md$$"
NSS=(sw ha fa1 fa2 rc r4 cn mn hs rs2 coa1)
PIDS=()
CAPS=()
FAILS=0
. "$(dirname "$0")/nslib.sh"
. "$(dirname "$0")/roamtopo.sh"
topo_namespaces
topo_links
link mn wlan0 mn0 br-home
link hs eth0 hs0 br-home
link rs2 eth0 rs20 br-core
link coa1 eth0 coa10 br-core
topo_ip
for n in hs rs2 coa1; do set_sys "$n" net/ipv6/conf/all/disable_ipv6=1 net/ipv6/conf/default/disable_ipv6=1; done
# Linux routers: the visited domain's route to the home address's mobile node goes by the normal routes.

topo_agent_configs
python3 - "$OUT" "$(strip_own 10.0.0.5)" "$(strip_own 10.0.0.6)" <<'EOF'
import json, sys
out, rs2_routes, coa1_routes = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
K = lambda s: "text:mipfw-e2e-" + s
def sa(peer, spi, key, use=None):
    d = {"peer": peer, "spi": spi, "algorithm": "hmac-md5", "key": K(key)}
    if use: d["use"] = use
    return d
def save(n, c): json.dump(c, open(f"{out}/{n}.json", "w"), indent=1)
ha = json.load(open(f"{out}/ha.json"))
ha["securityAssociations"].append(sa("10.1.0.2", 800, "hs-ha", "agent-server"))
save("ha", ha)
for n, coa in (("fa1", "10.2.0.1"), ("fa2", "10.3.0.1")):
    c = json.load(open(f"{out}/{n}.json"))
    c["mobility"]["dremip"] = {"enabled": True, "servers": [{"kind": "advertise", "address": "10.0.0.5", "priority": 1}]}
    c["securityAssociations"] = [sa("10.0.0.5", 700 + int(coa.split(".")[1]), n + "-rs2", "agent-server")]
    save(n, c)
save("hs", {"name": "hs", "board": "linux", "roles": ["registration-server"],
  "interfaces": [{"name": "eth0", "mac": "02:00:00:01:00:02", "ipv4": "10.1.0.2/24"}],
  "routes": [{"dest": "default", "via": "10.1.0.1"}],
  "mobility": {"dremip": {"servers": [{"kind": "care-of-agent", "address": "10.1.0.1"}]}},
  "securityAssociations": [sa("10.1.0.20", 4097, "mn-hs", "mobile-server"), sa("10.1.0.1", 800, "hs-ha", "agent-server"),
                           sa("10.0.0.5", 900, "rs2-hs", "server-server")]})
save("rs2", {"name": "rs2", "board": "linux", "roles": ["registration-server"],
  "interfaces": [{"name": "eth0", "mac": "02:00:00:00:00:05", "ipv4": "10.0.0.5/24"}],
  "routes": rs2_routes,
  "mobility": {"dremip": {"servers": [{"kind": "care-of-agent", "address": "10.0.0.6"}]}},
  "securityAssociations": [sa("10.1.0.20", 4098, "mn-rs2", "mobile-server"), sa("10.2.0.1", 702, "fa1-rs2", "agent-server"),
    sa("10.3.0.1", 703, "fa2-rs2", "agent-server"), sa("10.0.0.6", 706, "coa1-rs2", "agent-server"), sa("10.1.0.2", 900, "rs2-hs", "server-server")]})
save("coa1", {"name": "coa1", "board": "linux", "roles": ["care-of-agent"],
  "interfaces": [{"name": "eth0", "mac": "02:00:00:00:00:06", "ipv4": "10.0.0.6/24"}],
  "routes": coa1_routes,
  "securityAssociations": [sa("10.0.0.5", 706, "coa1-rs2", "agent-server")]})
save("mn", {"name": "mn", "board": "esp32", "roles": ["mobile-node"],
  "interfaces": [{"name": "wlan0", "mac": "02:00:00:01:00:20", "ipv4": "10.1.0.20/24"}],
  "routes": [{"dest": "default", "via": "10.1.0.1"}],
  "mobility": {"homeAgent": "10.1.0.1", "lifetimeSec": 300, "colocated": "never",
               "dremip": {"enabled": True, "homeServer": "10.1.0.2", "localLifetimeSec": 30}},
  "securityAssociations": [{"peer": "10.1.0.1", "spi": 4096, "algorithm": "hmac-md5", "key": "text:mipfw-demo-mn-ha-key"},
                           sa("10.1.0.2", 4097, "mn-hs", "mobile-server"), sa("10.0.0.5", 4098, "mn-rs2", "mobile-server")]})
EOF

for br in br-home br-core; do
  bg sw "$OUT/$br.dumpcap.log" dumpcap -q -P -i "$br" -w "$OUT/$br.pcap"
  CAPS+=($!)
done
for i in $(seq 50); do [ "$(ls "$OUT"/*.pcap 2>/dev/null | wc -l)" -ge 2 ] && break; sleep 0.1; done

BOARDS=(ha hs rs2 coa1 fa1 fa2 mn)
start_boards "${BOARDS[@]}"
for i in $(seq 50); do ns mn ip link show mip0 >/dev/null 2>&1 && break; sleep 0.1; done
log "boards started (logs in $OUT)"

bg mn "$OUT/udp-recv.err" python3 "$ROOT/test/e2e/udp.py" recv 5000 "$OUT/udp-recv.log"
sleep 0.3
bg cn "$OUT/udp-send.err" python3 "$ROOT/test/e2e/udp.py" send 10.1.0.20 5000 100 "$OUT/udp-sent.log"
: >"$OUT/moves.log"

echo "start $(date +%s.%N)" >>"$OUT/moves.log"
python3 "$ROOT/test/e2e/udp.py" wait "$OUT/udp-recv.log" "$(date +%s.%N)" 30 || fail "start: no delivery at home"
sleep 1
roam_move fa1 br-net1
# What reached the home network so far, to compare after the move inside the domain.
hs_before=$(grep -c '"name":"dr_reg".*"op":"pending"' "$OUT/hs.events.jsonl" 2>/dev/null || echo 0)
ha_before=$(grep -c '"name":"binding"' "$OUT/ha.events.jsonl" 2>/dev/null || echo 0)
roam_move fa2 br-net2
hs_after=$(grep -c '"name":"dr_reg".*"op":"pending"' "$OUT/hs.events.jsonl" 2>/dev/null || echo 0)
ha_after=$(grep -c '"name":"binding"' "$OUT/ha.events.jsonl" 2>/dev/null || echo 0)
roam_move home br-home
sleep 0.5

python3 "$ROOT/test/e2e/udp.py" report "$OUT/udp-sent.log" "$OUT/udp-recv.log" "$OUT/moves.log" "$OUT/result.json" || fail "report"
grep -q '"name":"reg_request".*"ha":"10.0.0.5".*"flagNames":"R"' "$OUT/mn.events.jsonl" || fail "mn: no local registration with rs2 (R)"
grep -q '"name":"reg_reply".*"ha":"10.1.0.2".*"accepted":true' "$OUT/mn.events.jsonl" || fail "mn: no accepted home registration with hs"
grep -q '"name":"dr_route".*"op":"enable".*"nextHop":"10.2.0.1"' "$OUT/coa1.events.jsonl" || fail "coa1: no binding route to fa1"
grep -q '"name":"dr_route".*"nextHop":"10.3.0.1"' "$OUT/coa1.events.jsonl" || fail "coa1: the binding route never moved to fa2"
grep -q '"name":"binding".*"op":"add".*"coa":"10.0.0.6"' "$OUT/ha.events.jsonl" || fail "ha: no binding to coa1 (the home server's Route Request)"
[ "$hs_before" -ge 1 ] || fail "hs: no home registration at fa1"
[ "$hs_after" -eq "$hs_before" ] || fail "hs: the move fa1 -> fa2 reached the home server ($hs_before -> $hs_after registrations)"
[ "$ha_after" -eq "$ha_before" ] || fail "ha: the move fa1 -> fa2 changed the binding ($ha_before -> $ha_after events)"

for pid in "${CAPS[@]}"; do kill -INT "$pid" 2>/dev/null; done
for pid in "${CAPS[@]}"; do wait "$pid" 2>/dev/null; done
count() { tshark -r "$1" -Y "$2" 2>/dev/null | wc -l; }
c=$OUT/br-core.pcap
hacoa=$(count "$c" "ip.proto#1 == 4 && ip.dst#1 == 10.0.0.6 && udp.dstport == 5000")
tofa1=$(count "$c" "ip.proto#1 == 4 && ip.src#1 == 10.0.0.6 && ip.dst#1 == 10.2.0.1 && udp.dstport == 5000")
tofa2=$(count "$c" "ip.proto#1 == 4 && ip.src#1 == 10.0.0.6 && ip.dst#1 == 10.3.0.1 && udp.dstport == 5000")
direct=$(count "$c" "ip.proto#1 == 4 && ip.dst#1 == 10.2.0.1 && !(ip.src#1 == 10.0.0.6) && udp.dstport == 5000")
echo "br-core: $hacoa tunnelled to coa1, coa1 -> fa1 $tofa1, coa1 -> fa2 $tofa2, to fa1 not through coa1 $direct; home server registrations $hs_after, home agent binding events before home $ha_after"
[ "$hacoa" -ge 500 ] || fail "br-core: only $hacoa datagrams tunnelled to coa1"
[ "$tofa1" -ge 200 ] || fail "br-core: only $tofa1 datagrams from coa1 to fa1"
[ "$tofa2" -ge 200 ] || fail "br-core: only $tofa2 datagrams from coa1 to fa2"
[ "$direct" -le 5 ] || fail "br-core: $direct datagrams reached fa1 around the chain"

echo "result: $(tr -d '\n ' <"$OUT/result.json")"
if [ $FAILS -gt 0 ]; then
  echo "dremip e2e: $FAILS failure(s); files kept in $OUT"
  for n in "${BOARDS[@]}"; do echo "--- $n.log (tail)"; tail -5 "$OUT/$n.log"; done
  exit 1
fi
echo "dremip e2e: passed"
exit 0
