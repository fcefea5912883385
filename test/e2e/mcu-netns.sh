#!/usr/bin/env bash
# The namespace end-to-end test with the emulated microcontroller as the mobile node (issue 9.3,
# docs/mcu.md "Roaming on real interfaces"): netns.sh's topology (test/e2e/roamtopo.sh), the home
# agent and both foreign agents `mipfw-board` processes, the mobile node build/mcu-rv32.elf (rv32imc,
# 320 KiB of RAM, the firmware under Wasm3) in qemu-system-riscv32 on a TAP device `mn0` in the
# switch namespace. The TAP moves br-home -> br-net1 -> br-net2 -> br-home; each move is also
# signalled to the guest with the qemu monitor's set_link (a TAP's carrier does not reach it). The
# correspondent pings 10.1.0.20 (the firmware answers) and streams UDP to port 7 of it, where the
# board's UDP echo responder sends every datagram back: both directions after each move.
#
# usage: test/e2e/mcu-netns.sh [--board target/release/mipfw-board] [--firmware build/firmware.wasm]
#                              [--elf build/mcu-rv32.elf] [--memory-limit BYTES] [--out DIR] [--keep]
#   --memory-limit: the MCU's linear memory cap (default: its board profile's, 64 KiB)
# exit: 0 passed, 1 failed, 77 skipped (missing prerequisite; reason on stdout as "SKIP: ...")
set -uo pipefail

. "$(dirname "$0")/nsargs.sh"   # ROOT BOARD FIRMWARE OUT KEEP, skip, ns_arg, ns_require
ELF=$ROOT/build/mcu-rv32.elf
MEMLIMIT=()
while [ $# -gt 0 ]; do
  case "$1" in
    --elf) ELF=$2; shift 2 ;;
    --memory-limit) MEMLIMIT=(--memory-limit "$2"); shift 2 ;;
    *) ns_arg "$@" || { echo "unknown argument $1"; exit 2; }; shift "$NS_SHIFT" ;;
  esac
done

ns_require "network namespaces, AF_PACKET, TAP" "mipmcu-probe-$$"
command -v ping >/dev/null || skip "ping (iputils-ping) not installed"
command -v node >/dev/null || skip "node not installed"
[ -c /dev/net/tun ] || skip "/dev/net/tun missing"
command -v qemu-system-riscv32 >/dev/null || skip "qemu-system-riscv32 not installed (qemu-system-misc)"
[ -f "$ELF" ] || skip "$ELF not built (make -C host/c/rv32-virt; needs gcc-riscv64-unknown-elf, picolibc-riscv64-unknown-elf)"

[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/mipfw-mcu-e2e.XXXXXX)
mkdir -p "$OUT"
P="mm$$"                      # namespace prefix, unique per run
NSS=(sw ha fa1 fa2 rc r4 cn)  # the MCU's qemu runs in sw, next to the bridges
PIDS=()
FAILS=0
ECHO_PORT=7

. "$(dirname "$0")/nslib.sh"
. "$(dirname "$0")/roamtopo.sh"
# mon CMD: one command to the qemu monitor over the connection kept open by the MON coprocess.
mon() {
  local r
  echo "$1" >&"${MON[1]}"
  read -r -t 5 r <&"${MON[0]}" || r="error: no answer"
  [ "$r" = ok ] || fail "monitor: $1: $r"
}

# ---------------------------------------------------------------- topology
topo_namespaces
topo_links
ns sw ip tuntap add mode tap name mn0 || { fail "ip tuntap add mode tap mn0"; exit 1; }
ns sw ip link set mn0 master br-home up
topo_ip

# ---------------------------------------------------------------- nodes
topo_agent_configs
cat >"$OUT/mn.json" <<EOT
{ "name": "mn", "board": "mcu-rv32-virt", "roles": ["mobile-node"],
  "interfaces": [ { "name": "wlan0", "mac": "02:00:00:01:00:20", "ipv4": "10.1.0.20/24" } ],
  "routes": [ { "dest": "default", "via": "10.1.0.1" } ],
  "mobility": { "homeAgent": "10.1.0.1", "lifetimeSec": 60, "colocated": "never" },
  "securityAssociations": [ { "peer": "10.1.0.1", "spi": 4096, "algorithm": "hmac-md5", "key": "text:mipfw-demo-mn-ha-key" } ] }
EOT

for n in ha fa1 fa2; do
  ip netns exec "$P-$n" env MIPFW_EVENTS="$OUT/$n.events.jsonl" "$BOARD" --config "$OUT/$n.json" \
    --firmware "$FIRMWARE" --boards "$ROOT/boards" >"$OUT/$n.stdout" 2>"$OUT/$n.log" &
  PIDS+=($!)
done
# The MCU: qemu's stdin from a FIFO held open here (to send 'c'), its UART (stdout) through mcu.py.
mkfifo "$OUT/uart.in" "$OUT/uart.out"
exec 3<>"$OUT/uart.in"
python3 "$ROOT/test/e2e/mcu.py" uart "$OUT/uart.out" "$OUT/mn.uart.log" "$OUT/mn.events.jsonl" &
PIDS+=($!)
ip netns exec "$P-sw" node "$ROOT/host/c/rv32-virt/qemu.mjs" run --config "$OUT/mn.json" --elf "$ELF" \
  --firmware "$FIRMWARE" --boards "$ROOT/boards" --nic mn0 --monitor "$OUT/mon.sock" --udp-echo $ECHO_PORT "${MEMLIMIT[@]}" \
  <"$OUT/uart.in" >"$OUT/uart.out" 2>"$OUT/mn.qemu.err" &
PIDS+=($!)
for i in $(seq 100); do grep -q "mcu: running" "$OUT/mn.uart.log" 2>/dev/null && [ -S "$OUT/mon.sock" ] && break; sleep 0.1; done
for n in ha fa1 fa2; do
  grep -q "started" "$OUT/$n.log" || { fail "$n did not start:"; sed 's/^/    /' "$OUT/$n.log"; exit 1; }
done
grep -q "mcu: running" "$OUT/mn.uart.log" 2>/dev/null \
  || { fail "the MCU did not start:"; cat "$OUT/mn.uart.log" "$OUT/mn.qemu.err" 2>/dev/null | sed 's/^/    /'; exit 1; }
coproc MON { python3 "$ROOT/test/e2e/mcu.py" monitor "$OUT/mon.sock" - 2>&1; }
PIDS+=($MON_PID)
log "agents and MCU started (files in $OUT)"

# ---------------------------------------------------------------- traffic
bg cn "$OUT/udp-echo.err" python3 "$ROOT/test/e2e/udp.py" echo 10.1.0.20 $ECHO_PORT 100 "$OUT/udp-sent.log" "$OUT/udp-recv.log"
bg cn "$OUT/ping-cn-mn.log" ping -D -n -i 0.1 10.1.0.20
: >"$OUT/moves.log"

# wait_delivery LABEL T: a datagram sent after T comes back from the MCU's echo responder and the
# correspondent's ping is answered.
wait_delivery() {
  local label=$1 t=$2
  if python3 "$ROOT/test/e2e/udp.py" wait "$OUT/udp-recv.log" "$t" 15; then
    log "$label: UDP echo from the MCU resumed"
  else
    fail "$label: no UDP datagram came back from the MCU's home address within 15 s"
    return
  fi
  wait_ping_reply "$label" "$t"
}

# move LABEL BRIDGE: the guest's link down (monitor), re-plug the TAP on BRIDGE, the guest's link up.
move() {
  local label=$1 br=$2 t
  t=$(date +%s.%N)
  echo "$label $t" >>"$OUT/moves.log"
  mon "set_link n0 off"
  ns sw ip link set mn0 down
  ns sw ip link set mn0 nomaster
  ns sw ip link set mn0 master "$br"
  sleep 0.05                                  # layer-2 association time
  ns sw ip link set mn0 up
  mon "set_link n0 on"
  log "$label: MCU moved to $br"
  wait_delivery "$label" "$t"
  sleep 3                                     # dwell: steady traffic on the new network
}

echo "start $(date +%s.%N)" >>"$OUT/moves.log"
wait_delivery start "$(date +%s.%N)"
sleep 2
move fa1 br-net1
move fa2 br-net2
move home br-home
sleep 0.5

# ---------------------------------------------------------------- results
printf c >&3                                  # the MCU's counters and figures on its UART
for i in $(seq 50); do grep -q "counters end" "$OUT/mn.uart.log" && break; sleep 0.1; done
python3 "$ROOT/test/e2e/udp.py" report "$OUT/udp-sent.log" "$OUT/udp-recv.log" "$OUT/moves.log" "$OUT/result.json" \
  "$OUT/ping-cn-mn.log" || fail "report"
python3 "$ROOT/test/e2e/mcu.py" figures "$OUT/mn.uart.log" "$OUT/result.json" || fail "no figures from the MCU"
python3 "$ROOT/test/e2e/udp.py" handoffs "$OUT/mn.events.jsonl" | tee "$OUT/handoffs.txt"
ev() { grep -c "\"name\":\"$2\"" "$OUT/$1.events.jsonl" 2>/dev/null || echo 0; }
[ "$(ev mn reg_reply)" -ge 3 ] || fail "MCU: expected registration replies for fa1, fa2 and home, got $(ev mn reg_reply)"
grep -q '"name":"reg_reply".*"coa":"10.2.0.1".*"code":0,' "$OUT/mn.events.jsonl" \
  || fail "MCU: no accepted registration via fa1 (care-of 10.2.0.1)"
grep -q '"name":"reg_reply".*"coa":"10.3.0.1".*"code":0,' "$OUT/mn.events.jsonl" \
  || fail "MCU: no accepted registration via fa2 (care-of 10.3.0.1)"
# The home agent checks the MCU's identification (NTP time from the goldfish RTC, replay protection):
# every reply is an acceptance, none a 133 (identification mismatch).
grep '"name":"reg_reply"' "$OUT/mn.events.jsonl" | grep -v '"code":0,' && fail "MCU: a registration was not accepted (above)"
grep -q '"name":"binding","op":"add",.*"home":"10.1.0.20","coa":"10.2.0.1"' "$OUT/ha.events.jsonl" || fail "home agent: no binding 10.1.0.20 -> 10.2.0.1"
grep -q '"name":"binding",.*"home":"10.1.0.20","coa":"10.3.0.1"' "$OUT/ha.events.jsonl" || fail "home agent: no binding 10.1.0.20 -> 10.3.0.1"
grep -q '"name":"binding","op":"deregister"' "$OUT/ha.events.jsonl" || fail "home agent: no deregistration when the MCU came home"
grep -q '"name":"visitor"' "$OUT/fa1.events.jsonl" || fail "fa1: no visitor event"
grep -q '"name":"visitor"' "$OUT/fa2.events.jsonl" || fail "fa2: no visitor event"
grep -q "mcu: trap\|fatal: trap" "$OUT/mn.uart.log" && fail "the MCU trapped"

echo "result: $(tr -d '\n ' <"$OUT/result.json")"
if [ $FAILS -gt 0 ]; then
  echo "mcu e2e: $FAILS failure(s); files kept in $OUT"
  for n in ha fa1 fa2; do echo "--- $n.log (tail)"; tail -5 "$OUT/$n.log"; done
  echo "--- mn.uart.log (tail)"; tail -15 "$OUT/mn.uart.log"
  exit 1
fi
echo "mcu e2e: passed"
exit 0
