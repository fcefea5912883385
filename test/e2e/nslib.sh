# Shared helpers of the network-namespace test drivers (netns.sh, ro-netns.sh, dremip-netns.sh, mcu-netns.sh,
# control-netns.sh, deploy-netns.sh, frag-netns.sh). Source it after
# setting P (namespace prefix, unique per run), NSS (namespace names), PIDS=(), FAILS=0, KEEP and OUT;
# it installs the cleanup traps: every started process is stopped and every namespace deleted on exit.

# log MSG: MSG with the seconds since this file was sourced (the driver's start).
T0=$(date +%s.%N)
log() { echo "[$(awk -v a="$(date +%s.%N)" -v b="$T0" 'BEGIN { printf "%6.2fs", a - b }')] $*"; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ns() { local n=$1; shift; ip netns exec "$P-$n" "$@"; }
# set NODE KEY=VALUE...: sysctl through /proc (per namespace; no procps needed); a missing key is skipped.
set_sys() { local n=$1 kv; shift; for kv in "$@"; do ns "$n" sh -c "echo ${kv#*=} > /proc/sys/${kv%%=*}" 2>/dev/null; done; }
# bg NODE OUTFILE CMD...: run CMD in the namespace in the background, remembered for cleanup.
bg() { local n=$1 out=$2; shift 2; ip netns exec "$P-$n" "$@" >"$out" 2>&1 & PIDS+=($!); }

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -INT "$pid" 2>/dev/null; done
  sleep 0.3
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  for n in "${NSS[@]}"; do ip netns del "$P-$n" 2>/dev/null; done
  [ "$KEEP" -eq 1 ] || [ "$FAILS" -gt 0 ] || rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
