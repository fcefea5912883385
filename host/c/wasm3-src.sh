#!/bin/sh
# Print the directory of Wasm3's C sources (wasm3.h, m3_*.c): the ones the `wasm3x-sys` crate of
# host/wasm3 builds (Wasm3 0.9), taken from the cargo registry, never copied into the project.
# Used by host/c/Makefile and by the rv32 and ESP-IDF builds. Order: $WASM3_SRC, then
# `cargo metadata` of host/wasm3 (offline), then a glob over ~/.cargo/registry/src.
# Exit status 1 (and a message on stderr) when none is found: fetch it with
#   cd host/wasm3 && cargo fetch --locked
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ok() { [ -f "$1/wasm3.h" ] && [ -f "$1/m3_env.c" ]; }
if [ -n "${WASM3_SRC:-}" ]; then
  if ok "$WASM3_SRC"; then echo "$WASM3_SRC"; exit 0; fi
  echo "wasm3-src.sh: WASM3_SRC=$WASM3_SRC holds no wasm3.h/m3_env.c" >&2; exit 1
fi
if command -v cargo >/dev/null 2>&1; then
  m=$(cargo metadata --format-version 1 --offline --manifest-path "$here/../wasm3/Cargo.toml" 2>/dev/null \
      | grep -o '"manifest_path":"[^"]*/wasm3x-sys-[^"/]*/Cargo.toml"' | head -n 1 \
      | sed 's/^"manifest_path":"//; s/"$//') || m=
  if [ -n "$m" ]; then
    d="$(dirname "$m")/wasm3/source"
    if ok "$d"; then echo "$d"; exit 0; fi
  fi
fi
for d in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/wasm3x-sys-0.2.1/wasm3/source; do
  if ok "$d"; then echo "$d"; exit 0; fi
done
echo "wasm3-src.sh: Wasm3 sources not found (wasm3x-sys 0.2.1 in the cargo registry): cd host/wasm3 && cargo fetch --locked" >&2
exit 1
