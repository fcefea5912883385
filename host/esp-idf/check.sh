#!/usr/bin/env bash
# Compile check of the ESP-IDF port for esp32c3 against the vendored ESP-IDF headers (docs/esp32.md).
#
#   host/esp-idf/check.sh                 compile every C file of the port, the C host core and Wasm3
#   host/esp-idf/check.sh --list          print the files that would be compiled
#   host/esp-idf/check.sh --compile F ... compile one file F with the example's flags and include
#                                         directories (extra arguments go to the compiler)
#
# What is compiled comes from the components' own CMakeLists.txt (evaluated by tools/component-sources.cmake
# with a stand-in idf_component_register), so the check compiles what a real ESP-IDF build compiles.
# Every directory named include or public under the vendored components/ is on the include path, plus
# the few that ESP-IDF's component files add under other names, plus sdkconfig/ (a minimal sdkconfig.h).
#
# Environment: MIPFW_ESP_IDF (the vendored ESP-IDF; default ../shared/vendor/esp-idf from the repository
# root, then ../../shared/vendor/esp-idf for a git worktree one level deeper, then this machine type's
# /work/shared/vendor/esp-idf for a clone elsewhere, e.g. CI's), MIPFW_RISCV_CC
# (riscv64-unknown-elf-gcc), MIPFW_WASM3_DIR (Wasm3's sources, see components/mipfw/CMakeLists.txt).
#
# Exit status: 0 all compiled, 1 a compilation failed, 3 a prerequisite is missing (message on stderr).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
CC=${MIPFW_RISCV_CC:-riscv64-unknown-elf-gcc}

missing() { echo "esp-idf check: $*" >&2; exit 3; }

if [[ -n "${MIPFW_ESP_IDF:-}" ]]; then
  idf=$MIPFW_ESP_IDF
  [[ -f "$idf/components/esp_wifi/include/esp_wifi.h" ]] || missing "MIPFW_ESP_IDF=$idf holds no components/esp_wifi/include/esp_wifi.h"
else
  idf=""
  for c in "$repo/../shared/vendor/esp-idf" "$repo/../../shared/vendor/esp-idf" /work/shared/vendor/esp-idf; do
    if [[ -f "$c/components/esp_wifi/include/esp_wifi.h" ]]; then idf=$(cd "$c" && pwd); break; fi
  done
  [[ -n "$idf" ]] || missing "vendored ESP-IDF headers not found at $repo/../shared/vendor/esp-idf (set MIPFW_ESP_IDF)"
fi
command -v "$CC" >/dev/null || missing "$CC not found (Debian: apt-get install gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf)"
command -v cmake >/dev/null || missing "cmake not found (Debian: apt-get install cmake)"
ARCH=(-march=rv32imc_zicsr_zifencei -mabi=ilp32 --specs=picolibc.specs)
echo 'int x;' | "$CC" "${ARCH[@]}" -x c -c -o /dev/null - 2>/dev/null \
  || missing "$CC cannot compile for rv32imc/ilp32 with picolibc (apt-get install picolibc-riscv64-unknown-elf)"

comp="$idf/components"
# ESP-IDF's own compile options for components (tools/cmake/build.cmake) and the three that make a
# wrong ESP-IDF call an error with GCC 12 (which only warns about an undeclared function).
CFLAGS=("${ARCH[@]}" -std=gnu17 -Os -ffunction-sections -fdata-sections
  -DESP_PLATFORM -D_GNU_SOURCE '-DIDF_VER="v6.2-dev"'
  -Wall -Werror=all -Wno-error=unused-function -Wno-error=unused-variable -Wno-error=unused-but-set-variable
  -Wno-error=deprecated-declarations -Wextra -Wno-unused-parameter -Wno-sign-compare -Wno-enum-conversion
  -Werror=implicit-function-declaration -Werror=incompatible-pointer-types -Werror=int-conversion)
# The port's own files must be warning-free.
PORT_STRICT=(-Werror)

INC=(-I"$here/sdkconfig")
while IFS= read -r d; do INC+=(-I"$d"); done < <(find "$comp" -type d \( -name include -o -name public \) | LC_ALL=C sort)
# Include directories that ESP-IDF's component files add under other names.
for d in freertos/config/include/freertos freertos/FreeRTOS-Kernel/portable/riscv/include/freertos \
         esp_wifi/include/local soc/esp32c3/register esp_libc/platform_include; do
  [[ -d "$comp/$d" ]] || missing "vendored ESP-IDF lacks components/$d (the vendored tree changed: update check.sh)"
  INC+=(-I"$comp/$d")
done

# What a component builds, from its CMakeLists.txt: lines "KIND value".
component() { # dir [cmake -D...]
  local dir=$1; shift
  cmake -DCOMPONENT_DIR="$dir" "$@" -P "$here/tools/component-sources.cmake" 2>&1
}
if ! mipfw_lines=$(component "$here/components/mipfw"); then
  grep -q "Wasm3 sources not found" <<<"$mipfw_lines" && missing "Wasm3 sources not found (cd host/wasm3 && cargo fetch --locked, or set MIPFW_WASM3_DIR)"
  echo "$mipfw_lines" >&2
  exit 1
fi
main_dir="$here/examples/mobile-node/main"
main_nvs=$(component "$main_dir")
main_emb=$(component "$main_dir" -DCONFIG_MIPFW_CONFIG_EMBEDDED=y)
field() { sed -n "s/^-- $1 //p"; }

MIPFW_INC=(); MIPFW_PUB=(); DEFS=(); WOPT=()
while IFS= read -r d; do [[ -n "$d" ]] && MIPFW_INC+=(-I"$d"); done < <(echo "$mipfw_lines" | field INC)
while IFS= read -r d; do [[ -n "$d" ]] && DEFS+=(-D"$d"); done < <(echo "$mipfw_lines" | field DEF)
while IFS= read -r d; do [[ -n "$d" ]] && WOPT+=("$d"); done < <(echo "$mipfw_lines" | field WOPT)
wasm3_dir=$(echo "$mipfw_lines" | field WASM3)
# The example sees the mipfw component's public include directories (include/ and host/c/include).
MIPFW_PUB=(-I"$here/components/mipfw/include" -I"$repo/host/c/include")
MAIN_INC=(-I"$main_dir" "${MIPFW_PUB[@]}")

if [[ "${1:-}" == "--compile" ]]; then
  shift
  f=$1; shift
  exec "$CC" "${CFLAGS[@]}" "${INC[@]}" "${MAIN_INC[@]}" "$@" -c "$f" -o /dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0; failed=0; warnings=0; files=()
compile() { # label file args...
  local label=$1 f=$2; shift 2
  n=$((n + 1))
  local log="$tmp/$n.log" obj="$tmp/$n-$(basename "$f" .c).o"
  if "$CC" "${CFLAGS[@]}" "$@" -c "$f" -o "$obj" 2>"$log"; then
    local w; w=$(grep -c 'warning:' "$log" || true)
    warnings=$((warnings + w))
    # Wasm3's warnings are counted, not shown (not ours to fix; see components/mipfw/CMakeLists.txt)
    if [[ $w -gt 0 && $label != wasm3 ]]; then echo "WARN $label: $f"; cat "$log"; fi
    echo "$label $obj" >>"$tmp/objects"
  else
    failed=$((failed + 1))
    echo "FAIL $label: $f"
    cat "$log"
  fi
}

list_only=0
[[ "${1:-}" == "--list" ]] && list_only=1
start=$(date +%s%N)
while IFS= read -r f; do
  [[ -n "$f" ]] || continue
  files+=("$f")
  [[ $list_only -eq 1 ]] && { echo "$f"; continue; }
  if [[ -n "$wasm3_dir" && "$f" == "$wasm3_dir"/* ]]; then
    compile wasm3 "$f" "${INC[@]}" "${MIPFW_INC[@]}" "${DEFS[@]}" "${WOPT[@]}"
  elif [[ "$f" == "$here"/* ]]; then
    compile port "$f" "${INC[@]}" "${MIPFW_INC[@]}" "${DEFS[@]}" "${PORT_STRICT[@]}"
  else
    compile core "$f" "${INC[@]}" "${MIPFW_INC[@]}" "${DEFS[@]}"
  fi
done < <(echo "$mipfw_lines" | field SRC)
# The example twice: a mobile node (station, configuration from NVS) and an agent (station + SoftAP,
# configuration embedded, eager compilation): sdkconfig/sdkconfig.h switches on MIPFW_CHECK_AGENT.
while IFS= read -r f; do
  [[ -n "$f" ]] || continue
  files+=("$f")
  [[ $list_only -eq 1 ]] && { echo "$f"; continue; }
  compile port "$f" "${INC[@]}" "${MAIN_INC[@]}" "${PORT_STRICT[@]}"
done < <(echo "$main_nvs" | field SRC)
while IFS= read -r f; do
  [[ -n "$f" && $list_only -eq 0 ]] || continue
  compile port-agent "$f" "${INC[@]}" "${MAIN_INC[@]}" "${PORT_STRICT[@]}" -DMIPFW_CHECK_AGENT
done < <(echo "$main_emb" | field SRC)
[[ $list_only -eq 1 ]] && exit 0
end=$(date +%s%N)

text() { # label -> total .text+.rodata bytes of the objects of that label
  local objs; objs=$(sed -n "s/^$1 //p" "$tmp/objects" 2>/dev/null || true)
  [[ -n "$objs" ]] || { echo 0; return; }
  local size=${CC%gcc}size
  command -v "$size" >/dev/null || { echo "?"; return; }
  # text column of `size` (text + rodata in the Berkeley format), summed
  "$size" $objs | awk 'NR > 1 { t += $1 } END { print t }'
}
core_files=$(echo "$mipfw_lines" | field SRC | grep -c "^$repo/host/c/src/" || true)
printf 'esp-idf check: %d compilations of %d files (%d Wasm3, %d C host core, %d port) for esp32c3 with %s in %d.%d s; %d failed, %d warnings\n' \
  "$n" "${#files[@]}" "$(echo "$mipfw_lines" | field SRC | grep -c "^$wasm3_dir/" || true)" "$core_files" \
  "$(( ${#files[@]} - $(echo "$mipfw_lines" | field SRC | grep -c "^$wasm3_dir/" || true) - core_files ))" \
  "$("$CC" -dumpversion | sed 's/^/gcc /')" "$(( (end - start) / 1000000000 ))" "$(( (end - start) / 100000000 % 10 ))" "$failed" "$warnings"
echo "esp-idf check: object text+rodata (-Os port, -O2 Wasm3): Wasm3 $(text wasm3) B, core $(text core) B, port $(text port) B (helpers + mobile-node example; the agent variant of the example $(text port-agent) B)"
[[ $failed -eq 0 ]]
