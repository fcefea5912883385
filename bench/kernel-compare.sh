#!/usr/bin/env bash
# Home agent forwarding, the Linux kernel against mipfw-board, side by side in one run (issue 8 target:
# mipfw/kernel forwarding rate >= 0.6, CPU per packet <= 2x). Run as root: sudo bench/kernel-compare.sh
#
# Three identical paths in network namespaces, correspondent (cn) -> home agent (ha) -> care-of address
# (fa: a co-located mobile node's care-of address 10.0.0.2, the tunnel's far end):
#   k  the Linux kernel is the home agent: forwards 10.1.0.20/32 through an LWT-BPF xmit route whose
#      program (kernel-compare/ipip_encap.bpf.c) pushes the IP-in-IP header (this kernel has no ipip
#      module; RFC 2003 encapsulation HA -> care-of address, DF copied, TTL 64);
#   m  mipfw-board (the firmware under wasm3, batched: recvmmsg / rx_batch / sendmmsg) is the home agent,
#      with a binding 10.1.0.20 -> 10.0.0.2 registered by kernel-compare/register.py;
#   u  the same with --no-batch (one recvmsg, one rx call, one send per frame: the driver before batching).
# The sender (kernel-compare/blast.c, UDP with sendmmsg, 64-byte payload, UDP checksum off) offers each
# rate for --seconds to 10.1.0.20; the receiver in fa counts the tunnelled datagrams on a raw IPPROTO_IPIP
# socket and takes the one-way latency from the send time in the payload to the kernel's receive
# timestamp (SO_TIMESTAMPNS; one host, one clock). Trials are interleaved k, m, u at each rate.
#
# CPU of the home agent (a separate pass after the rate trials, at --cpu-rate, 3 interleaved trials,
# medians; the rate trials run with the default veth set-up): the veth from cn into ha and the veth from ha into fa run NAPI in their own
# kernel threads (GRO on + /sys/class/net/*/threaded), so the home agent's kernel work — ip_rcv, forwarding,
# the LWT-BPF encapsulation and the transmit into fa's veth for k; the frame's way to the packet socket
# for m and u — is the CPU time of the ha ingress veth's NAPI thread, and fa's receive path runs in fa's
# thread, not counted. CPU per forwarded packet = (NAPI thread of ha's ingress veth + the mipfw-board
# process, for m and u) / datagrams received at fa, from /proc/<pid>/schedstat (ns on CPU; softirq work
# done in a thread's context is in its time). The sender's own cost (its syscalls, veth transmit) is not.
#
# usage: bench/kernel-compare.sh [--seconds 4] [--rates "25000 50000 100000 150000 200000 0"]
#                                [--latency-rate 20000] [--cpu-rate 50000] [--out DIR] [--keep]
#   a rate of 0 = as fast as the sender goes. Writes DIR/results.json and prints a table and the ratios.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
HERE=$ROOT/bench/kernel-compare
BOARD=$ROOT/host/wasm3/target/release/mipfw-board
FIRMWARE=$ROOT/build/firmware.wasm
SECS=4
RATES="25000 50000 100000 150000 200000 0"
LATRATE=20000
CPURATE=50000
OUT=""
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECS=$2; shift 2 ;;
    --rates) RATES=$2; shift 2 ;;
    --latency-rate) LATRATE=$2; shift 2 ;;
    --cpu-rate) CPURATE=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --board) BOARD=$2; shift 2 ;;
    *) echo "unknown argument $1"; exit 2 ;;
  esac
done
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, AF_PACKET, BPF)"
for c in ip clang gcc ethtool python3; do command -v $c >/dev/null || skip "$c not installed"; done
[ -x "$BOARD" ] || skip "$BOARD not built (cd host/wasm3 && cargo build --release --locked)"
[ -f "$FIRMWARE" ] || skip "$FIRMWARE not built (npm run build)"
[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/mipfw-kc.XXXXXX)
mkdir -p "$OUT"

P="kc$$"
VARIANTS=(k m u)
NSS=()
for v in "${VARIANTS[@]}"; do NSS+=("${v}cn" "${v}ha" "${v}fa"); done
PIDS=()
FAILS=0
. "$ROOT/test/e2e/nslib.sh"

gcc -O2 -Wall -o "$OUT/blast" "$HERE/blast.c" || { echo "cannot build blast.c"; exit 1; }
clang -O2 -g -target bpf -I"/usr/include/$(gcc -dumpmachine)" -DHA_ADDR=0x0a000001 -DCOA_ADDR=0x0a000002 \
  -c "$HERE/ipip_encap.bpf.c" -o "$OUT/ipip_encap.o" || { echo "cannot build ipip_encap.bpf.c"; exit 1; }

# threaded_napi NS DEV PEER_NS PEER: NAPI for the veth DEV (GRO on) in kernel threads, one per receive queue;
# prints the threads' pids.
threaded_napi() {
  # veth hands a frame to the peer's NAPI only if the sending veth has no TSO (veth_skb_is_eligible_for_gro).
  ns "$1" ethtool -K "$2" gro on >/dev/null 2>&1
  ns "$3" ethtool -K "$4" tso off >/dev/null 2>&1
  ns "$1" sh -c "echo 1 > /sys/class/net/$2/threaded" 2>/dev/null
  local p found=""
  for p in /proc/[0-9]*; do
    case "$(cat "$p/comm" 2>/dev/null)" in "napi/$2-"*) found="$found ${p#/proc/}" ;; esac
  done
  [ -n "$found" ] && echo $found
}

declare -A HAPIDS   # variant -> pids whose CPU is the home agent's
setup() {
  local v=$1
  for n in cn ha fa; do ip netns add "$P-$v$n"; ns "$v$n" ip link set lo up
    set_sys "$v$n" net/ipv6/conf/all/disable_ipv6=1 net/ipv6/conf/default/disable_ipv6=1; done
  ip link add "${v}h2" netns "$P-${v}ha" type veth peer name "${v}c0" netns "$P-${v}cn"   # cn link
  ip link add "${v}h1" netns "$P-${v}ha" type veth peer name "${v}f0" netns "$P-${v}fa"   # tunnel link
  ip link add "${v}h0" netns "$P-${v}ha" type veth peer name "${v}h0p" netns "$P-${v}ha"  # home link
  ns "${v}cn" ip addr add 10.9.0.10/24 dev "${v}c0"; ns "${v}cn" ip link set "${v}c0" up
  ns "${v}cn" ip route add 10.1.0.0/24 via 10.9.0.1
  ns "${v}fa" ip addr add 10.0.0.2/24 dev "${v}f0"; ns "${v}fa" ip link set "${v}f0" up
  ns "${v}fa" ip route add 10.1.0.0/24 via 10.0.0.1
  set_sys "${v}fa" net/ipv4/conf/all/rp_filter=0 net/ipv4/conf/default/rp_filter=0 "net/ipv4/conf/${v}f0/rp_filter=0"
  ns "${v}ha" ip link set "${v}h0p" up
  local napi_ha napi_fa
  if [ "$v" = k ]; then
    ns kha ip addr add 10.1.0.1/24 dev kh0; ns kha ip addr add 10.0.0.1/24 dev kh1; ns kha ip addr add 10.9.0.1/24 dev kh2
    for d in kh0 kh1 kh2; do ns kha ip link set $d up; done
    set_sys kha net/ipv4/ip_forward=1 net/ipv4/conf/all/rp_filter=0 net/ipv4/conf/default/rp_filter=0
    ns kha ip route add 10.1.0.20/32 encap bpf xmit obj "$OUT/ipip_encap.o" section lwt_xmit headroom 20 via 10.0.0.2 dev kh1 \
      || { fail "LWT-BPF route"; exit 1; }
  else
    cat >"$OUT/$v-ha.json" <<JSON
{ "name": "ha-$v", "board": "linux", "roles": ["home-agent"],
  "interfaces": [
    { "name": "${v}h0", "mac": "02:00:00:01:00:01", "ipv4": "10.1.0.1/24", "home": true },
    { "name": "${v}h1", "mac": "02:00:00:00:00:01", "ipv4": "10.0.0.1/24" },
    { "name": "${v}h2", "mac": "02:00:00:09:00:01", "ipv4": "10.9.0.1/24" } ],
  "mobility": { "lifetimeSec": 65534 },
  "securityAssociations": [ { "peer": "10.1.0.20", "spi": 4096, "algorithm": "hmac-md5", "key": "text:kernel-compare" } ] }
JSON
    local flag=""; [ "$v" = u ] && flag=--no-batch
    ip netns exec "$P-${v}ha" env MIPFW_EVENTS="$OUT/$v-ha.events.jsonl" "$BOARD" --config "$OUT/$v-ha.json" \
      --firmware "$FIRMWARE" --boards "$ROOT/boards" --verbose $flag >"$OUT/$v-ha.stdout" 2>"$OUT/$v-ha.log" &
    PIDS+=($!)
    HAPIDS[$v]=$!
    for i in $(seq 50); do grep -q started "$OUT/$v-ha.log" && break; sleep 0.1; done
    grep -q started "$OUT/$v-ha.log" || { fail "mipfw-board ($v) did not start"; cat "$OUT/$v-ha.log"; exit 1; }
    ns "${v}fa" python3 "$HERE/register.py" 10.1.0.1 10.1.0.20 10.0.0.2 4096 kernel-compare 65534 >"$OUT/$v-register.log" 2>&1 \
      || { fail "registration with mipfw-board ($v) failed"; cat "$OUT/$v-register.log"; exit 1; }
  fi
}

# cpu_setup VARIANT: the CPU pass's configuration (see the header): threaded NAPI on ha's and fa's ingress.
cpu_setup() {
  local v=$1 napi_ha
  napi_ha=$(threaded_napi "${v}ha" "${v}h2" "${v}cn" "${v}c0") || { fail "no NAPI thread for ${v}h2 (veth GRO/threaded NAPI unsupported?)"; exit 1; }
  threaded_napi "${v}fa" "${v}f0" "${v}ha" "${v}h1" >/dev/null || { fail "no NAPI thread for ${v}f0"; exit 1; }
  HAPIDS[$v]="${HAPIDS[$v]:-} $napi_ha"
}

cpu_ns() { local t=0 p; for p in "$@"; do t=$((t + $(cut -d' ' -f1 "/proc/$p/schedstat"))); done; echo $t; }
jget() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# trial VARIANT RATE PHASE: one JSON line appended to $OUT/trials.jsonl
trial() {
  local v=$1 rate=$2 phase=$3 c0 c1 s r
  c0=$(cpu_ns ${HAPIDS[$v]:-})
  ns "${v}fa" "$OUT/blast" recv "$(python3 -c "print($SECS + 1.0)")" >"$OUT/recv.json" &
  local rp=$!
  sleep 0.3
  s=$(ns "${v}cn" "$OUT/blast" send 10.1.0.20 9 "$rate" "$SECS")
  wait $rp
  c1=$(cpu_ns ${HAPIDS[$v]:-})
  r=$(cat "$OUT/recv.json")
  python3 - "$v" "$rate" "$s" "$r" "$((c1 - c0))" "$phase" >>"$OUT/trials.jsonl" <<'PY'
import json, sys
v, rate, s, r, cpu = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), json.loads(sys.argv[4]), int(sys.argv[5])
got = r["received"]
print(json.dumps({"phase": sys.argv[6], "variant": v, "offered": rate, "sentPps": round(s["pps"]), "sent": s["sent"], "received": got,
  "rxPps": round(got / s["seconds"]), "loss": round(1 - got / max(1, s["sent"]), 4),
  "cpuNsPerPkt": round(cpu / got) if got else None, "cpuShare": round(cpu / 1e9 / s["seconds"], 3),
  "latUsP50": r["latUsP50"], "latUsP99": r["latUsP99"]}))
PY
  tail -1 "$OUT/trials.jsonl"
}

for v in "${VARIANTS[@]}"; do setup "$v"; done
echo "namespaces up; home agent CPU pids: k=${HAPIDS[k]:-} m=${HAPIDS[m]} u=${HAPIDS[u]}; out $OUT"
: >"$OUT/trials.jsonl"
for rate in $LATRATE $RATES; do
  for v in "${VARIANTS[@]}"; do trial "$v" "$rate" rate; done
done
for v in "${VARIANTS[@]}"; do cpu_setup "$v"; done
echo "CPU pass (threaded NAPI): home agent CPU pids: k=${HAPIDS[k]} m=${HAPIDS[m]} u=${HAPIDS[u]}"
for i in 1 2 3; do
  for v in "${VARIANTS[@]}"; do trial "$v" "$CPURATE" cpu; done
done
for v in m u; do kill -INT "${HAPIDS[$v]%% *}" 2>/dev/null; done
sleep 0.5
python3 - "$OUT/trials.jsonl" "$LATRATE" "$SECS" "$(nproc)" >"$OUT/summary.txt" <<'PY'
import json, sys
allrows = [json.loads(l) for l in open(sys.argv[1])]
rows = [r for r in allrows if r["phase"] == "rate"]
cpurows = [r for r in allrows if r["phase"] == "cpu"]
lat_rate = int(sys.argv[2])
names = {"k": "kernel (LWT-BPF ipip)", "m": "mipfw-board batched", "u": "mipfw-board --no-batch"}
print(f"{sys.argv[4]} CPUs, {sys.argv[3]} s per trial; rate 0 = the sender's maximum")
print(f"{'variant':24} {'offered':>8} {'sent/s':>8} {'recv/s':>8} {'loss':>7} {'HA ns/pkt':>9} {'HA CPU':>7} {'p50 us':>7} {'p99 us':>7}")
for r in rows + cpurows:
    if r is cpurows[0] if cpurows else False: print("CPU pass (threaded NAPI on the ingress veths; HA ns/pkt counts the NAPI thread + mipfw-board):")
    print(f"{names[r['variant']]:24} {r['offered'] or 'max':>8} {r['sentPps']:>8} {r['rxPps']:>8} {r['loss']*100:6.2f}% {r['cpuNsPerPkt'] or '-':>9} {r['cpuShare']*100:6.1f}% {r['latUsP50']:>7} {r['latUsP99']:>7}")
def best(v):
    ok = [r for r in rows if r["variant"] == v and r["loss"] <= 0.01]
    return max(ok, key=lambda r: r["rxPps"]) if ok else None
def peak(v):
    return max((r for r in rows if r["variant"] == v), key=lambda r: r["rxPps"])
def at(v, rate):
    return next((r for r in rows if r["variant"] == v and r["offered"] == rate), None)
k = best("k"); kp = peak("k")
print()
for v in ("m", "u"):
    b, p = best(v), peak(v)
    print(f"{names[v]}:")
    if b and k:
        print(f"  max rate with <= 1% loss: {b['rxPps']} vs kernel {k['rxPps']} pkt/s -> ratio {b['rxPps']/k['rxPps']:.2f} (target >= 0.6)")
    if kp["rxPps"]:
        print(f"  peak received rate:       {p['rxPps']} vs kernel {kp['rxPps']} pkt/s -> ratio {p['rxPps']/kp['rxPps']:.2f}")
    med = lambda v: sorted(r["cpuNsPerPkt"] for r in cpurows if r["variant"] == v and r["cpuNsPerPkt"])
    a, kk = med(v), med("k")
    if a and kk:
        a, kk = a[len(a) // 2], kk[len(kk) // 2]
        print(f"  CPU per packet (median of {len(med(v))}, CPU pass): {a} vs kernel {kk} ns -> ratio {a/kk:.2f} (target <= 2)")
    a, kk = at(v, lat_rate), at("k", lat_rate)
    if a and kk:
        print(f"  one-way latency p50 at {lat_rate} pkt/s: {a['latUsP50']} vs kernel {kk['latUsP50']} us (+{a['latUsP50'] - kk['latUsP50']} us)")
PY
cat "$OUT/summary.txt"
for v in m u; do grep -h "stopped" "$OUT/$v-ha.log" | sed "s/^/[$v] /" | cut -c1-300; done
