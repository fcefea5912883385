#!/usr/bin/env bash
# The deployment of docs/deploy.md, unchanged (host/wasm3/dist/etc/mipfw/{ha,fa,mn}.json), on veth links
# in network namespaces: home link ha:eth0 -- cn:eth0 (a Linux correspondent 10.1.0.50), core link
# ha:eth1 -- fa:eth0, foreign link fa:wlan0 -- mn:wlan0. Every board runs as an unprivileged user with
# only the ambient capabilities of the systemd unit (CAP_NET_RAW CAP_NET_ADMIN), as
# host/wasm3/dist/mipfw-board@.service does. Checks: the mobile node registers through the foreign
# agent, the correspondent on the home link pings its home address, the mobile node pings the
# correspondent (its default route), `status` on each board, and the control socket's owner.
#
# usage: test/e2e/deploy-netns.sh [--board F] [--firmware F] [--out DIR] [--keep]
# exit: 0 passed, 1 failed, 77 skipped
set -uo pipefail

. "$(dirname "$0")/nsargs.sh"
while [ $# -gt 0 ]; do
  ns_arg "$@" || { echo "unknown argument $1"; exit 2; }; shift "$NS_SHIFT"
done
ns_require "network namespaces, AF_PACKET, TUN" "mipdep-probe-$$"
[ -c /dev/net/tun ] || skip "/dev/net/tun missing"
command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"
command -v ping >/dev/null || skip "ping not installed"

[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/mipfw-deploy.XXXXXX)
mkdir -p "$OUT"
chmod 1777 "$OUT"   # the boards run as nobody: their sockets and event files
P="md$$"
NSS=(ha fa mn cn)
PIDS=()
FAILS=0
. "$(dirname "$0")/nslib.sh"
# /etc/mipfw as docs/deploy.md installs it: the configurations unchanged, the key in keys/ (mode 0600,
# owned by the service user).
DIST="$OUT/etc-mipfw"
mkdir -p "$DIST/keys"
cp "$ROOT"/host/wasm3/dist/etc/mipfw/*.json "$DIST/"
printf 'text:change-this-mn-ha-key\n' >"$DIST/keys/mn-ha.key"
chmod 0600 "$DIST/keys/mn-ha.key"
chmod 0755 "$DIST" "$DIST/keys"
chown 65534 "$DIST/keys/mn-ha.key"

for n in "${NSS[@]}"; do ip netns add "$P-$n" || { fail "ip netns add"; exit 1; }; ns "$n" ip link set lo up; done
pair() { ip link add "$2" netns "$P-$1" type veth peer name "$4" netns "$P-$3"; }
pair ha eth0 cn eth0
pair ha eth1 fa eth0
pair fa wlan0 mn wlan0
for n in "${NSS[@]}"; do set_sys "$n" net/ipv6/conf/all/disable_ipv6=1 net/ipv6/conf/default/disable_ipv6=1; done
ns cn ip addr add 10.1.0.50/24 dev eth0; ns cn ip link set eth0 up

# As the systemd unit runs it: user nobody, CAP_NET_RAW and CAP_NET_ADMIN ambient, nothing else.
USERNS="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,+net_raw,+net_admin --ambient-caps=-all,+net_raw,+net_admin --bounding-set=-all,+net_raw,+net_admin --"
# The mobile node opens /dev/net/tun: world read-write on distributions (crw-rw-rw-); where it is root's
# only (some containers), the mobile node keeps uid 0 but with the same two capabilities and no other.
CAPSONLY="setpriv --inh-caps=-all,+net_raw,+net_admin --ambient-caps=-all,+net_raw,+net_admin --bounding-set=-all,+net_raw,+net_admin --"
MNPRIV=$USERNS
[ "$(stat -c %a /dev/net/tun)" = 666 ] || { MNPRIV=$CAPSONLY; log "/dev/net/tun is $(stat -c %a /dev/net/tun): the mobile node as uid 0 with only CAP_NET_RAW CAP_NET_ADMIN"; }
# (Its key then belongs to uid 0: a copy of /etc/mipfw for it.)
MNDIST=$DIST
if [ "$MNPRIV" = "$CAPSONLY" ]; then
  MNDIST="$OUT/etc-mipfw-mn"; cp -a "$DIST" "$MNDIST"; chown 0 "$MNDIST/keys/mn-ha.key"
fi
for n in ha fa mn; do
  PRIV=$USERNS; D=$DIST; [ $n = mn ] && { PRIV=$MNPRIV; D=$MNDIST; }
  ip netns exec "$P-$n" $PRIV "$BOARD" --config "$D/$n.json" --firmware "$FIRMWARE" \
    --control "$OUT/$n.sock" --events "$OUT/$n.events.jsonl" >"$OUT/$n.stdout" 2>"$OUT/$n.log" &
  PIDS+=($!)
done
for n in ha fa mn; do
  for i in $(seq 30); do grep -q started "$OUT/$n.log" && break; sleep 0.1; done
  grep -q started "$OUT/$n.log" || { fail "$n did not start as an unprivileged user:"; sed 's/^/    /' "$OUT/$n.log"; exit 1; }
done
log "boards started as uid 65534 with CAP_NET_RAW CAP_NET_ADMIN"
grep -q "warning" "$OUT/mn.log" && fail "the documented mobile node has warnings: $(grep warning "$OUT/mn.log")"

for i in $(seq 100); do grep -q '"name":"reg_reply".*"coa":"10.2.0.1"' "$OUT/mn.events.jsonl" 2>/dev/null && break; sleep 0.2; done
grep -q '"name":"reg_reply".*"coa":"10.2.0.1"' "$OUT/mn.events.jsonl" || fail "mn: no registration through the foreign agent"
ns cn ping -n -c 3 -i 0.3 -W 2 10.1.0.20 >"$OUT/ping-cn.log" 2>&1 || fail "the correspondent cannot reach the mobile node's home address: $(tail -2 "$OUT/ping-cn.log")"
ns mn ping -n -c 3 -i 0.3 -W 2 10.1.0.50 >"$OUT/ping-mn.log" 2>&1 || fail "the mobile node cannot reach the correspondent: $(tail -2 "$OUT/ping-mn.log")"
ns ha "$BOARD" status --control "$OUT/ha.sock" --json >"$OUT/ha.status.json" || fail "status of ha"
python3 -c "import json,sys; v=json.load(open(sys.argv[1])); assert [(b['home'], b['careOf']) for b in v['tables']['bindings']] == [('10.1.0.20', '10.2.0.1')], v['tables']['bindings']" "$OUT/ha.status.json" || fail "ha: binding"
ns fa "$BOARD" status --control "$OUT/fa.sock" >"$OUT/fa.status.txt" || fail "status of fa"
grep -q "^visitors (1)" "$OUT/fa.status.txt" || fail "fa: no visitor: $(cat "$OUT/fa.status.txt")"
ns mn "$BOARD" status --control "$OUT/mn.sock" --json >"$OUT/mn.status.json" || fail "status of mn"
python3 -c "import json,sys; v=json.load(open(sys.argv[1])); r=v['registration']['reg_reply']; assert r['coa']=='10.2.0.1' and r['code'] in (0, 'accepted'), r" "$OUT/mn.status.json" || fail "mn: registration state $(cat "$OUT/mn.status.json" | head -c 300)"
[ "$(stat -c '%u %a' "$OUT/ha.sock")" = "65534 600" ] || fail "control socket: $(stat -c '%u %a' "$OUT/ha.sock"), expected the service user's, mode 600"

[ $FAILS -eq 0 ] && { log "deploy: all checks passed"; exit 0; }
exit 1
