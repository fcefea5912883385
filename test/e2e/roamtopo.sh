# The roaming topology of the namespace end-to-end tests (docs/e2e.md "Topology"), shared by netns.sh
# (mobile node: mipfw-board) and mcu-netns.sh (mobile node: the emulated rv32 MCU in qemu). Source it
# after nslib.sh, with P, NSS and OUT set. In this order:
#   topo_namespaces   one namespace per name of NSS (lo up), the bridges in sw
#   topo_links        the veths of ha, fa1, fa2, rc, r4 and cn (the mobile node's link is the driver's)
#   topo_ip           IPv6 off everywhere, the Linux routers rc and r4, the correspondent cn
#   topo_agent_configs  $OUT/{ha,fa1,fa2}.json: home agent and foreign agents of the default scenario
#   link NODE IFNAME SWPORT BRIDGE: veth IFNAME in node's namespace, its peer SWPORT on BRIDGE.

topo_namespaces() {
  local n br
  for n in "${NSS[@]}"; do
    ip netns add "$P-$n" || { fail "ip netns add $P-$n"; exit 1; }
    ns "$n" ip link set lo up
  done
  for br in br-home br-core br-net1 br-net2 br-net4 br-cnet; do
    ns sw ip link add "$br" type bridge stp_state 0 mcast_snooping 0
    ns sw ip link set "$br" up
  done
}

link() {
  ip link add "$2" netns "$P-$1" type veth peer name "$3" netns "$P-sw"
  ns sw ip link set "$3" master "$4" up
}

topo_links() {
  link ha eth0 ha0 br-home;  link ha eth1 ha1 br-core
  link fa1 eth0 fa1a br-net1; link fa1 eth1 fa1b br-core
  link fa2 eth0 fa2a br-net2; link fa2 eth1 fa2b br-core
  link rc eth0 rc0 br-cnet;  link rc eth1 rc1 br-core
  link r4 eth0 r40 br-net4;  link r4 eth1 r41 br-core
  link cn eth0 cn0 br-cnet
}

topo_ip() {
  local n r d
  for n in "${NSS[@]}"; do
    set_sys "$n" net/ipv6/conf/all/disable_ipv6=1 net/ipv6/conf/default/disable_ipv6=1
  done
  # Linux routers and the correspondent.
  ns rc ip addr add 10.9.0.1/24 dev eth0; ns rc ip addr add 10.0.0.9/24 dev eth1
  ns r4 ip addr add 10.4.0.1/24 dev eth0; ns r4 ip addr add 10.0.0.4/24 dev eth1
  for r in rc r4; do
    ns $r ip link set eth0 up; ns $r ip link set eth1 up
    set_sys $r net/ipv4/ip_forward=1 net/ipv4/conf/all/rp_filter=0 net/ipv4/conf/default/rp_filter=0 \
      net/ipv4/conf/eth0/rp_filter=0 net/ipv4/conf/eth1/rp_filter=0
  done
  for d in 10.1.0.0/24:10.0.0.1 10.2.0.0/24:10.0.0.2 10.3.0.0/24:10.0.0.3 10.4.0.0/24:10.0.0.4 10.9.0.0/24:10.0.0.9; do
    for r in rc r4; do
      ns $r ip route add "${d%%:*}" via "${d##*:}" 2>/dev/null || true   # the connected one already exists
    done
  done
  ns cn ip addr add 10.9.0.10/24 dev eth0; ns cn ip link set eth0 up; ns cn ip route add default via 10.9.0.1
}

ROUTES='[{"dest":"10.1.0.0/24","via":"10.0.0.1"},{"dest":"10.2.0.0/24","via":"10.0.0.2"},{"dest":"10.3.0.0/24","via":"10.0.0.3"},{"dest":"10.4.0.0/24","via":"10.0.0.4"},{"dest":"10.9.0.0/24","via":"10.0.0.9"}]'
strip_own() { python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(json.dumps([x for x in r if x["via"]!=sys.argv[2]]))' "$ROUTES" "$1"; }
agent() { # name role net-octet
  cat >"$OUT/$1.json" <<EOT
{ "name": "$1", "board": "emulated", "roles": ["$2"],
  "interfaces": [
    { "name": "eth0", "mac": "02:00:00:0$3:00:01", "ipv4": "10.$3.0.1/24", "advertise": true $( [ "$2" = home-agent ] && echo ', "home": true') },
    { "name": "eth1", "mac": "02:00:00:00:00:0$3", "ipv4": "10.0.0.$3/24" } ],
  "routes": $(strip_own 10.0.0.$3),
  "mobility": { "lifetimeSec": 300, "advertIntervalMs": 1000, "advertLifetimeSec": 3 }
  $( [ "$2" = home-agent ] && echo ', "securityAssociations": [ { "peer": "10.1.0.20", "spi": 4096, "algorithm": "hmac-md5", "key": "text:mipfw-demo-mn-ha-key" } ]') }
EOT
}
topo_agent_configs() { agent ha home-agent 1; agent fa1 foreign-agent 2; agent fa2 foreign-agent 3; }

# wait_ping_reply LABEL T: the correspondent's ping (ping -D into $OUT/ping-cn-mn.log) to the mobile
# node's home address is answered after time T, within 10 s.
wait_ping_reply() {
  local label=$1 t=$2 i
  for i in $(seq 100); do
    awk -v t="$t" '/bytes from/ { gsub(/[\[\]]/, "", $1); if ($1 + 0 > t + 0) { found = 1 } } END { exit !found }' "$OUT/ping-cn-mn.log" && return 0
    sleep 0.1
  done
  fail "$label: the correspondent's ping to 10.1.0.20 got no reply after the move"
}

# start_boards NAME...: one `mipfw-board` per name in its namespace with $OUT/NAME.json (events in
# $OUT/NAME.events.jsonl, log in $OUT/NAME.log), remembered for cleanup; waits until each says
# "started" (else fails and exits). Needs BOARD, FIRMWARE, ROOT (nsargs.sh).
start_boards() {
  local n i
  for n in "$@"; do
    ip netns exec "$P-$n" env MIPFW_EVENTS="$OUT/$n.events.jsonl" "$BOARD" --config "$OUT/$n.json" \
      --firmware "$FIRMWARE" --boards "$ROOT/boards" >"$OUT/$n.stdout" 2>"$OUT/$n.log" &
    PIDS+=($!)
  done
  sleep 0.5
  for n in "$@"; do
    for i in $(seq 20); do grep -q "started" "$OUT/$n.log" && break; sleep 0.1; done
    grep -q "started" "$OUT/$n.log" || { fail "$n did not start:"; sed 's/^/    /' "$OUT/$n.log"; exit 1; }
  done
}

# roam_move LABEL BRIDGE: move the mobile node's switch port mn0 to BRIDGE (noted in $OUT/moves.log),
# wait until UDP delivery to it resumes ($OUT/udp-recv.log, test/e2e/udp.py), then 4 s.
roam_move() {
  local label=$1 br=$2 t
  t=$(date +%s.%N)
  echo "$label $t" >>"$OUT/moves.log"
  ns sw ip link set mn0 down; ns sw ip link set mn0 nomaster; ns sw ip link set mn0 master "$br"
  sleep 0.05
  ns sw ip link set mn0 up
  log "$label: mobile node moved to $br"
  python3 "$ROOT/test/e2e/udp.py" wait "$OUT/udp-recv.log" "$t" 30 && log "$label: UDP delivery resumed" \
    || fail "$label: no UDP datagram reached the mobile node within 30 s"
  sleep 4
}
