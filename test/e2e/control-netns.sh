#!/usr/bin/env bash
# Live inspection of a running board (issue 14 point 3, docs/deploy.md "Daily use"): the roaming
# topology (roamtopo.sh) with the home agent, fa1 and two mobile nodes on net1. Checks `mipfw-board
# status` (text and --json) on the home agent's control socket, `log-level`, SIGHUP adding a security
# association (mn2, unknown to the home agent at start, registers after the reload; mn's binding is
# kept), a key rotation (mn's key changed at the home agent and at mn: replaced in place, bindings kept,
# mn re-registers under the new key), refused reloads (a removed association, an invalid file: the
# running configuration stays), and the bindings file.
#
# usage: test/e2e/control-netns.sh [--board F] [--firmware F] [--out DIR] [--keep]
# exit: 0 passed, 1 failed, 77 skipped
set -uo pipefail

. "$(dirname "$0")/nsargs.sh"
while [ $# -gt 0 ]; do
  ns_arg "$@" || { echo "unknown argument $1"; exit 2; }; shift "$NS_SHIFT"
done
ns_require "network namespaces, AF_PACKET, TUN" "mipctl-probe-$$"
[ -c /dev/net/tun ] || skip "/dev/net/tun missing"

[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/mipfw-ctl.XXXXXX)
mkdir -p "$OUT"
P="mc$$"
NSS=(sw ha fa1 fa2 rc r4 cn mn mn2)
PIDS=()
FAILS=0
. "$(dirname "$0")/nslib.sh"
. "$(dirname "$0")/roamtopo.sh"
topo_namespaces
topo_links
link mn wlan0 mn0 br-net1
link mn2 wlan0 mn20 br-net1
topo_ip
topo_agent_configs

mn() { # name last-octet spi key
  cat >"$OUT/$1.json" <<EOT
{ "name": "$1", "board": "esp32", "roles": ["mobile-node"],
  "interfaces": [ { "name": "wlan0", "mac": "02:00:00:01:00:$2", "ipv4": "10.1.0.$2/24" } ],
  "routes": [ { "dest": "default", "via": "10.1.0.1" } ],
  "mobility": { "homeAgent": "10.1.0.1", "lifetimeSec": 20, "colocated": "never" },
  "securityAssociations": [ { "peer": "10.1.0.1", "spi": $3, "algorithm": "hmac-md5", "key": "text:$4" } ] }
EOT
}
mn mn 20 4096 mipfw-demo-mn-ha-key
mn mn2 21 4097 second-mobile-node-key
CTL="$OUT/ha.sock"
STATUS() { ns ha "$BOARD" status --control "$CTL" "$@"; }
json() { python3 -c "import json,sys; v=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# The home agent with a control socket and a bindings file; fa1 and both mobile nodes.
ip netns exec "$P-ha" env MIPFW_EVENTS="$OUT/ha.events.jsonl" "$BOARD" --config="$OUT/ha.json" \
  --firmware "$FIRMWARE" --boards "$ROOT/boards" --control "$CTL" --bindings-file "$OUT/ha.bindings.json" \
  >"$OUT/ha.stdout" 2>"$OUT/ha.log" &
HA=$!
PIDS+=($HA)
start_boards fa1 mn mn2
log "boards started"

wait_binding() { # home-address seconds
  local i
  for i in $(seq $(($2 * 5))); do
    STATUS --json >"$OUT/status.json" 2>"$OUT/status.err" && \
      json "$OUT/status.json" "any(b['home']=='$1' for b in v['tables']['bindings'])" | grep -q True && return 0
    sleep 0.2
  done
  return 1
}
wait_binding 10.1.0.20 20 || { fail "no binding for mn on the home agent's status"; cat "$OUT/status.err"; exit 1; }
log "mn registered (status --json)"

# status --json: stable keys, numbers as numbers, the tables.
json "$OUT/status.json" "v['name'], 'home-agent' in v['roles']" | grep -q "('ha', True)" || fail "status: name/roles $(json "$OUT/status.json" "v['name'], v['roles']")"
json "$OUT/status.json" "[(b['careOf'], b['encapsulation'], type(b['lifetimeSec']).__name__, type(b['expiresSec']).__name__) for b in v['tables']['bindings']]" \
  | grep -q "('10.2.0.1', 'ipip', 'int', 'int')" || fail "status: binding of mn: $(json "$OUT/status.json" "v['tables']['bindings']")"
json "$OUT/status.json" "[t['remote'] for t in v['tables']['tunnels']]" | grep -q "10.2.0.1" || fail "status: no tunnel to 10.2.0.1"
json "$OUT/status.json" "[i['iface'] for i in v['tables']['interfaces']]" | grep -q "\['eth0', 'eth1'\]" || fail "status: interfaces"
json "$OUT/status.json" "all(isinstance(x, int) for x in v['counters'].values()) and v['counters']['rx_frames'] > 0" | grep -q True \
  || fail "status: counters are not numbers: $(json "$OUT/status.json" "v['counters']")"
json "$OUT/status.json" "any(n['address']=='10.0.0.2' for n in v['tables']['neighbours'])" | grep -q True || fail "status: fa1 not in the neighbours"
# The agents table (dump table 11): the home agent's own advertising interface, with its flags and sequence.
json "$OUT/status.json" "[(a['kind'], a['iface'], a['state'], 'H' in a['flags'], a['seq'] > 0) for a in v['tables']['agents']]" \
  | grep -q "('own', 'eth0', 'advertising', True, True)" || fail "status: agents $(json "$OUT/status.json" "v['tables'].get('agents')")"
STATUS >"$OUT/status.txt" || fail "status (text) failed"
grep -q "^agents (1)" "$OUT/status.txt" || fail "status text: no 'agents (1)' table"
grep -q "^bindings (1)" "$OUT/status.txt" || fail "status text: no 'bindings (1)' table"
grep -q "10.1.0.20 *10.2.0.1" "$OUT/status.txt" || fail "status text: the binding row"
grep -q "^counters (non-zero)" "$OUT/status.txt" || fail "status text: counters"
# The socket is the board's user's only.
[ "$(stat -c %a "$CTL")" = 600 ] || fail "control socket mode $(stat -c %a "$CTL"), expected 600"

# log-level: the board says so, and refuses a bad level naming it.
ns ha "$BOARD" log-level debug --control="$CTL" >"$OUT/loglevel.out" 2>&1 || fail "log-level debug: $(cat "$OUT/loglevel.out")"
grep -q "log level debug (was info)" "$OUT/loglevel.out" || fail "log-level reply: $(cat "$OUT/loglevel.out")"
grep -q "info: log level debug (was info)" "$OUT/ha.log" || fail "the board did not log the level change"
STATUS --json | python3 -c "import json,sys; assert json.load(sys.stdin)['logLevel']=='debug'" || fail "status: log level not debug"
ns ha "$BOARD" log-level loud --control "$CTL" >"$OUT/loglevel.bad" 2>&1
[ $? -eq 2 ] || fail "log-level loud: exit status not 2"
grep -q 'expected one of error, warning, info, debug (or 0..3), got "loud"' "$OUT/loglevel.bad" || fail "log-level loud: $(cat "$OUT/loglevel.bad")"

# mn2 has no association at the home agent: denied.
sleep 3
STATUS --json >"$OUT/status2.json"
json "$OUT/status2.json" "any(b['home']=='10.1.0.21' for b in v['tables']['bindings'])" | grep -q False || fail "mn2 registered without an association"
ID1=$(json "$OUT/status2.json" "[b['identification'] for b in v['tables']['bindings'] if b['home']=='10.1.0.20'][0]")

# A refused reload: mn's association removed. The running configuration stays.
cp "$OUT/ha.json" "$OUT/ha.orig.json"
python3 - "$OUT/ha.json" <<'EOP'
import json, sys
c = json.load(open(sys.argv[1])); del c["securityAssociations"][0]
json.dump(c, open(sys.argv[1], "w"))
EOP
kill -HUP $HA; sleep 0.5
grep -q "error: SIGHUP: .*refused, the running configuration is kept: securityAssociations of peer 10.1.0.20: removed" "$OUT/ha.log" \
  || fail "a removed association was not refused: $(grep SIGHUP "$OUT/ha.log")"
# An invalid one: refused naming the field.
echo '{ "name": "ha", "roles": ["home-agent"], "board": "nosuch" }' >"$OUT/ha.json"
kill -HUP $HA; sleep 0.5
grep -q "error: SIGHUP: .*refused, the running configuration is kept: .*board" "$OUT/ha.log" || fail "an invalid configuration was not refused: $(grep SIGHUP "$OUT/ha.log")"

# The reload that adds mn2's association.
python3 - "$OUT/ha.orig.json" "$OUT/ha.json" <<'EOP'
import json, sys
c = json.load(open(sys.argv[1]))
c["securityAssociations"].append({"peer": "10.1.0.21", "spi": 4097, "algorithm": "hmac-md5", "key": "text:second-mobile-node-key"})
json.dump(c, open(sys.argv[2], "w"))
EOP
kill -HUP $HA
sleep 0.5
grep -q "info: SIGHUP: .* reloaded: 1 new security association" "$OUT/ha.log" || fail "reload: $(grep SIGHUP "$OUT/ha.log")"
wait_binding 10.1.0.21 40 || fail "mn2 did not register after the reload"
STATUS --json >"$OUT/status3.json"
ID2=$(json "$OUT/status3.json" "[b['identification'] for b in v['tables']['bindings'] if b['home']=='10.1.0.20'][0]")
[ -n "$ID2" ] || fail "mn's binding was dropped by the reload"
log "reload: mn2 registered, mn's binding kept ($ID1 -> $ID2)"

# Key rotation (SIGHUP): mn's key changes at the home agent and at mn. The home agent replaces the
# association in place (both bindings stay); mn's next registration is accepted under the new key.
for f in ha mn; do
  python3 - "$OUT/$f.json" <<'EOP'
import json, sys
c = json.load(open(sys.argv[1]))
for a in c["securityAssociations"]:
    if a["peer"] in ("10.1.0.20", "10.1.0.1"): a["key"] = "text:rotated-mn-ha-key"
json.dump(c, open(sys.argv[1], "w"))
EOP
done
kill -HUP $HA; sleep 0.3
grep -q "info: SIGHUP: .* reloaded: 0 new security association(s), 1 replaced" "$OUT/ha.log" || fail "rotation at the home agent: $(grep SIGHUP "$OUT/ha.log" | tail -2)"
STATUS --json >"$OUT/status-rot.json"
json "$OUT/status-rot.json" "len(v['tables']['bindings'])" | grep -qx 2 || fail "rotation: bindings $(json "$OUT/status-rot.json" "v['tables']['bindings']")"
# From here the home agent accepts mn only under the new key: a registration accepted later is under it.
ACC=$(json "$OUT/status-rot.json" "v['counters']['ha_reg_accepted']")
ID2=$(json "$OUT/status-rot.json" "[b['identification'] for b in v['tables']['bindings'] if b['home']=='10.1.0.20'][0]")
kill -HUP "${PIDS[2]}"; sleep 0.3
grep -q "info: SIGHUP: .* reloaded: 0 new security association(s), 1 replaced" "$OUT/mn.log" || fail "rotation at mn: $(grep SIGHUP "$OUT/mn.log" | tail -2)"
ROT=0
for i in $(seq 150); do
  STATUS --json >"$OUT/status-rot.json" 2>/dev/null || continue
  ID4=$(json "$OUT/status-rot.json" "[b['identification'] for b in v['tables']['bindings'] if b['home']=='10.1.0.20'][0]")
  [ "$ID4" != "$ID2" ] && [ "$(json "$OUT/status-rot.json" "v['counters']['ha_reg_accepted'] > $ACC")" = True ] && { ROT=1; break; }
  sleep 0.2
done
[ $ROT = 1 ] || fail "rotation: mn's registration under the new key was not accepted ($(json "$OUT/status-rot.json" "v['counters']"))"
json "$OUT/status-rot.json" "sorted(b['home'] for b in v['tables']['bindings'])" | grep -q "\['10.1.0.20', '10.1.0.21'\]" || fail "rotation: bindings $(json "$OUT/status-rot.json" "v['tables']['bindings']")"
ID2=$ID4
log "rotation: mn re-registered under the new key ($ID4), both bindings kept"

# The bindings file: both bindings with their wall-clock expiry.
json "$OUT/ha.bindings.json" "sorted(b['home'] for b in v['bindings'])" | grep -q "\['10.1.0.20', '10.1.0.21'\]" || fail "bindings file: $(cat "$OUT/ha.bindings.json")"
json "$OUT/ha.bindings.json" "all(b['expiresUnixMs'] > v['savedUnixMs'] for b in v['bindings'])" | grep -q True || fail "bindings file: expiry"
[ "$(stat -c %a "$OUT/ha.bindings.json")" = 600 ] || fail "bindings file mode $(stat -c %a "$OUT/ha.bindings.json")"

# Stopped: the socket is gone, and status says no board answers.
kill -INT $HA; wait $HA 2>/dev/null
[ -e "$CTL" ] && fail "the control socket was left behind"
ns ha "$BOARD" status --control "$CTL" >"$OUT/status.none" 2>&1 && fail "status of a stopped board succeeded"
grep -q "cannot reach a board at $CTL" "$OUT/status.none" || fail "status of a stopped board: $(cat "$OUT/status.none")"

# Restarted with the bindings file: both bindings are back at once (before any re-registration), with
# their care-of address and Identification, and the correspondent reaches the mobile node through them.
ip netns exec "$P-ha" env MIPFW_EVENTS="$OUT/ha2.events.jsonl" "$BOARD" --config "$OUT/ha.json" \
  --firmware "$FIRMWARE" --boards "$ROOT/boards" --control "$CTL" --bindings-file "$OUT/ha.bindings.json" \
  >"$OUT/ha2.stdout" 2>"$OUT/ha2.log" &
HA=$!
PIDS+=($HA)
for i in $(seq 30); do [ -S "$CTL" ] && grep -q started "$OUT/ha2.log" && break; sleep 0.1; done
grep -q "bindings file $OUT/ha.bindings.json: 2 binding(s) restored, 0 expired" "$OUT/ha2.log" || fail "restart: $(grep -i binding "$OUT/ha2.log")"
STATUS --json >"$OUT/status4.json" || fail "status after the restart"
json "$OUT/status4.json" "sorted((b['home'], b['careOf']) for b in v['tables']['bindings'])" \
  | grep -q "\[('10.1.0.20', '10.2.0.1'), ('10.1.0.21', '10.2.0.1')\]" || fail "restart: bindings $(json "$OUT/status4.json" "v['tables']['bindings']")"
ID3=$(json "$OUT/status4.json" "[b['identification'] for b in v['tables']['bindings'] if b['home']=='10.1.0.20'][0]")
[ "$ID3" = "$ID2" ] || [ "$(json "$OUT/status4.json" "v['counters']['ha_reg_accepted']")" != 0 ] || fail "restart: identification $ID3, was $ID2"
grep -q '"name":"binding".*"op":"add".*10.1.0.20' "$OUT/ha2.events.jsonl" || fail "restart: no binding add event"
ns cn ping -n -c 2 -i 0.3 -W 2 10.1.0.20 >"$OUT/ping-restart.log" 2>&1 || fail "restart: the correspondent cannot reach mn: $(tail -3 "$OUT/ping-restart.log")"
# Expired by the wall clock: a file whose bindings ended is restored empty.
kill -INT $HA; wait $HA 2>/dev/null
python3 - "$OUT/ha.bindings.json" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
for b in d["bindings"]: b["expiresUnixMs"] = d["savedUnixMs"] - 1000
json.dump(d, open(sys.argv[1], "w"))
EOP
ip netns exec "$P-ha" "$BOARD" --config "$OUT/ha.json" --firmware "$FIRMWARE" --boards "$ROOT/boards" --control "$CTL" \
  --bindings-file "$OUT/ha.bindings.json" --events /dev/null >"$OUT/ha3.stdout" 2>"$OUT/ha3.log" &
HA=$!
PIDS+=($HA)
for i in $(seq 30); do grep -q started "$OUT/ha3.log" && break; sleep 0.1; done
grep -q "0 binding(s) restored, 2 expired" "$OUT/ha3.log" || fail "expired bindings: $(grep -i binding "$OUT/ha3.log")"

[ $FAILS -eq 0 ] && { log "control: all checks passed"; exit 0; }
exit 1
