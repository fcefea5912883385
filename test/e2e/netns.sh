#!/usr/bin/env bash
# End-to-end Mobile IP test on real Linux interfaces (docs/e2e.md): network namespaces, veth pairs and
# bridges rebuild the default scenario's topology; the home agent, both foreign agents and the mobile
# node are `mipfw-board` processes (the firmware under wasm3); the correspondent and the routers are
# plain Linux. The mobile node's link moves home -> fa1 -> fa2 -> net4 (DHCP, co-located care-of
# address, no foreign agent) -> home while the correspondent pings and streams UDP to its home
# address. Asserts delivery after each move, records interruption and loss, checks the bridge
# captures with tshark. Everything is torn down on exit.
#
# usage: test/e2e/netns.sh [--board target/release/mipfw-board] [--firmware build/firmware.wasm]
#                          [--out DIR] [--keep] [--no-colocated]
# exit: 0 passed, 1 failed, 77 skipped (missing prerequisite; reason on stdout as "SKIP: ...")
set -uo pipefail

. "$(dirname "$0")/nsargs.sh"   # ROOT BOARD FIRMWARE OUT KEEP, skip, ns_arg, ns_require
COLOCATED=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-colocated) COLOCATED=0; shift ;;
    *) ns_arg "$@" || { echo "unknown argument $1"; exit 2; }; shift "$NS_SHIFT" ;;
  esac
done

ns_require "network namespaces, AF_PACKET, TUN" "mipe2e-probe-$$"
command -v ping >/dev/null || skip "ping (iputils-ping) not installed"
[ -c /dev/net/tun ] || skip "/dev/net/tun missing"
HAVE_TSHARK=0; command -v tshark >/dev/null && command -v dumpcap >/dev/null && HAVE_TSHARK=1
HAVE_DNSMASQ=0; command -v dnsmasq >/dev/null && HAVE_DNSMASQ=1
[ $HAVE_DNSMASQ -eq 1 ] || COLOCATED=0

[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/mipfw-e2e.XXXXXX)
mkdir -p "$OUT"
P="me$$"                      # namespace prefix, unique per run
NSS=(sw ha fa1 fa2 rc r4 cn mn)
PIDS=()
CAPS=()
FAILS=0

. "$(dirname "$0")/nslib.sh"

# ---------------------------------------------------------------- topology
. "$(dirname "$0")/roamtopo.sh"  # topo_namespaces topo_links topo_ip topo_agent_configs link
topo_namespaces
topo_links
link mn wlan0 mn0 br-home
topo_ip

# ---------------------------------------------------------------- firmware nodes
topo_agent_configs
cat >"$OUT/mn.json" <<EOF
{ "name": "mn", "board": "esp32", "roles": ["mobile-node"],
  "interfaces": [ { "name": "wlan0", "mac": "02:00:00:01:00:20", "ipv4": "10.1.0.20/24", "dhcp": true } ],
  "routes": [ { "dest": "default", "via": "10.1.0.1" } ],
  "mobility": { "homeAgent": "10.1.0.1", "lifetimeSec": 60, "colocated": "$( [ $COLOCATED -eq 1 ] && echo auto || echo never)" },
  "securityAssociations": [ { "peer": "10.1.0.1", "spi": 4096, "algorithm": "hmac-md5", "key": "text:mipfw-demo-mn-ha-key" } ] }
EOF

# Captures on every bridge (a promiscuous bridge passes every forwarded frame to the capture).
if [ $HAVE_TSHARK -eq 1 ]; then
  for br in br-home br-core br-net1 br-net2 br-net4; do
    bg sw "$OUT/$br.dumpcap.log" dumpcap -q -P -i "$br" -w "$OUT/$br.pcap"
    CAPS+=($!)
  done
  for i in $(seq 50); do [ "$(ls "$OUT"/*.pcap 2>/dev/null | wc -l)" -ge 5 ] && break; sleep 0.1; done
fi
if [ $COLOCATED -eq 1 ]; then
  bg r4 "$OUT/dnsmasq.log" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --port=0 \
    --user=root --interface=eth0 --bind-interfaces --dhcp-range=10.4.0.100,10.4.0.150,255.255.255.0,2m \
    --dhcp-option=3,10.4.0.1 --dhcp-leasefile="$OUT/dnsmasq.leases" --pid-file= --log-dhcp --no-ping
fi

for n in ha fa1 fa2 mn; do
  ip netns exec "$P-$n" env MIPFW_EVENTS="$OUT/$n.events.jsonl" "$BOARD" --config "$OUT/$n.json" \
    --firmware "$FIRMWARE" --boards "$ROOT/boards" >"$OUT/$n.stdout" 2>"$OUT/$n.log" &
  PIDS+=($!)
done
sleep 0.5
for n in ha fa1 fa2 mn; do
  if ! grep -q "started" "$OUT/$n.log"; then
    sleep 1
    grep -q "started" "$OUT/$n.log" || { fail "$n did not start:"; sed 's/^/    /' "$OUT/$n.log"; exit 1; }
  fi
done
for i in $(seq 50); do ns mn ip link show mip0 >/dev/null 2>&1 && break; sleep 0.1; done
log "boards started (logs in $OUT)"

# ---------------------------------------------------------------- traffic
bg mn "$OUT/udp-recv.err" python3 "$ROOT/test/e2e/udp.py" recv 5000 "$OUT/udp-recv.log"
sleep 0.3
bg cn "$OUT/udp-send.err" python3 "$ROOT/test/e2e/udp.py" send 10.1.0.20 5000 100 "$OUT/udp-sent.log"
bg cn "$OUT/ping-cn-mn.log" ping -D -n -i 0.1 10.1.0.20
: >"$OUT/moves.log"
RESULTS=()

# wait_delivery LABEL T: UDP sent after T reaches the mobile node, the correspondent's ping is
# answered, and the mobile node reaches the correspondent (ping from its home address).
wait_delivery() {
  local label=$1 t=$2
  if python3 "$ROOT/test/e2e/udp.py" wait "$OUT/udp-recv.log" "$t" 30; then
    log "$label: UDP delivery resumed"
  else
    fail "$label: no UDP datagram reached the mobile node within 30 s"
    return
  fi
  wait_ping_reply "$label" "$t"
  ns mn ping -n -c 3 -i 0.2 -W 1 10.9.0.10 >"$OUT/ping-mn-cn.$label.log" 2>&1 \
    || fail "$label: ping from the mobile node's home address to the correspondent failed"
}

# move LABEL BRIDGE: carrier down, re-plug the mobile node's link on BRIDGE, carrier up.
move() {
  local label=$1 br=$2 t
  t=$(date +%s.%N)
  echo "$label $t" >>"$OUT/moves.log"
  ns sw ip link set mn0 down
  ns sw ip link set mn0 nomaster
  ns sw ip link set mn0 master "$br"
  sleep 0.05                                  # layer-2 association time
  ns sw ip link set mn0 up
  log "$label: mobile node moved to $br"
  wait_delivery "$label" "$t"
  sleep 3                                     # dwell: steady traffic on the new network
}

echo "start $(date +%s.%N)" >>"$OUT/moves.log"
wait_delivery start "$(date +%s.%N)"
sleep 2
move fa1 br-net1
move fa2 br-net2
[ $COLOCATED -eq 1 ] && move colocated br-net4
move home br-home
sleep 0.5

# ---------------------------------------------------------------- results
python3 "$ROOT/test/e2e/udp.py" report "$OUT/udp-sent.log" "$OUT/udp-recv.log" "$OUT/moves.log" "$OUT/result.json" \
  "$OUT/ping-cn-mn.log" \
  || fail "report"
python3 "$ROOT/test/e2e/udp.py" handoffs "$OUT/mn.events.jsonl" | tee "$OUT/handoffs.txt"
ev() { grep -c "\"name\":\"$2\"" "$OUT/$1.events.jsonl" 2>/dev/null || echo 0; }
[ "$(ev mn reg_reply)" -ge 3 ] || fail "mobile node: expected registration replies for fa1, fa2 and home, got $(ev mn reg_reply)"
grep -q '"name":"reg_reply".*"coa":"10.2.0.1"' "$OUT/mn.events.jsonl" || fail "no registration via fa1 (care-of 10.2.0.1)"
grep -q '"name":"reg_reply".*"coa":"10.3.0.1"' "$OUT/mn.events.jsonl" || fail "no registration via fa2 (care-of 10.3.0.1)"
if [ $COLOCATED -eq 1 ]; then
  grep -q '"name":"dhcp".*"op":"bound"' "$OUT/mn.events.jsonl" || fail "no DHCP lease on net4"
  grep -q '"name":"reg_reply".*"coa":"10.4.0.1[0-5][0-9]"' "$OUT/mn.events.jsonl" || fail "no registration with a co-located care-of address on net4"
fi
grep -q '"name":"binding"' "$OUT/ha.events.jsonl" || fail "home agent: no binding event"
grep -q '"name":"visitor"' "$OUT/fa1.events.jsonl" || fail "fa1: no visitor event"

if [ $HAVE_TSHARK -eq 1 ]; then
  for pid in "${CAPS[@]}"; do kill -INT "$pid" 2>/dev/null; done
  for pid in "${CAPS[@]}"; do wait "$pid" 2>/dev/null; done
  count() { tshark -r "$1" -Y "$2" 2>/dev/null | wc -l; }
  for f in "$OUT"/*.pcap; do
    tshark -r "$f" -V >"$f.txt" 2>&1 || { fail "tshark cannot read $f"; continue; }
    grep -q "Malformed" "$f.txt" && fail "$(basename "$f"): malformed packet ($(grep -m1 -B30 Malformed "$f.txt" | grep '^Frame' | tail -1))"
  done
  c=$OUT/br-core.pcap
  n1=$(count "$OUT/br-net1.pcap" "mip.type == 1"); n3=$(count "$OUT/br-net1.pcap" "mip.type == 3")
  [ "$n1" -ge 1 ] && [ "$n3" -ge 1 ] || fail "br-net1: registration request/reply not dissected ($n1/$n3)"
  r1=$(count "$c" "mip.type == 1"); r3=$(count "$c" "mip.type == 3")
  [ "$r1" -ge 2 ] && [ "$r3" -ge 2 ] || fail "br-core: relayed registration requests/replies not dissected ($r1/$r3)"
  tun=$(count "$c" "ip.proto == 4 && ip.dst == 10.2.0.1 && ip.dst == 10.1.0.20")
  [ "$tun" -ge 10 ] || fail "br-core: IP-in-IP to fa1 carrying the home address not dissected ($tun)"
  adv=$(count "$OUT/br-net1.pcap" "icmp.type == 9 && mip.ext")
  [ "$adv" -ge 1 ] || [ "$(count "$OUT/br-net1.pcap" "icmp.type == 9")" -ge 1 ] || fail "br-net1: no agent advertisement"
  if [ $COLOCATED -eq 1 ]; then
    [ "$(count "$OUT/br-net4.pcap" dhcp)" -ge 2 ] || fail "br-net4: no DHCP exchange"
    [ "$(count "$OUT/br-net4.pcap" "ip.proto == 4 && ip.dst == 10.1.0.20")" -ge 10 ] || fail "br-net4: no IP-in-IP to the co-located care-of address"
  fi
  echo "tshark: $(ls "$OUT"/*.pcap | wc -l) captures dissected, no malformed packets; br-core: $r1 requests, $r3 replies, $tun IP-in-IP to fa1"
fi

echo "result: $(tr -d '\n ' <"$OUT/result.json")"
if [ $FAILS -gt 0 ]; then
  echo "e2e: $FAILS failure(s); files kept in $OUT"
  for n in ha fa1 fa2 mn; do echo "--- $n.log (tail)"; tail -5 "$OUT/$n.log"; done
  exit 1
fi
echo "e2e: passed"
exit 0
