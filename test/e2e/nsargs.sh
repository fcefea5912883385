# Shared prologue of the network-namespace test drivers (netns.sh, frag-netns.sh, rev-netns.sh):
# the defaults and options every driver takes, and the prerequisites every driver checks. Source it
# first; nslib.sh (helpers and cleanup) comes once the namespaces are named.
#   ns_arg "$@"        one common option (--board F, --firmware F, --out DIR, --keep): 0 and
#                      NS_SHIFT set when it was one, 1 otherwise (the driver reports it)
#   ns_require WHY NAME  root (WHY: what needs it), ip, python3, the built board and firmware, and a
#                      network namespace NAME that can be created and deleted; else exit 77 (skip)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BOARD=$ROOT/host/wasm3/target/release/mipfw-board
FIRMWARE=$ROOT/build/firmware.wasm
OUT=""
KEEP=0
NS_SHIFT=0

skip() { echo "SKIP: $*"; exit 77; }

ns_arg() {
  case "$1" in
    --board) BOARD=$2; NS_SHIFT=2 ;;
    --firmware) FIRMWARE=$2; NS_SHIFT=2 ;;
    --out) OUT=$2; NS_SHIFT=2 ;;
    --keep) KEEP=1; NS_SHIFT=1 ;;
    *) return 1 ;;
  esac
}

ns_require() {
  [ "$(id -u)" -eq 0 ] || skip "needs root ($1)"
  command -v ip >/dev/null || skip "iproute2 (ip) not installed"
  command -v python3 >/dev/null || skip "python3 not installed"
  [ -x "$BOARD" ] || skip "$BOARD not built (cargo build --release in host/wasm3)"
  [ -f "$FIRMWARE" ] || skip "$FIRMWARE not built (npm run build)"
  ip netns add "$2" 2>/dev/null || skip "cannot create network namespaces here"
  ip netns del "$2"
}
