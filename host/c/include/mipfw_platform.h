/*
 * mipfw portable C host: what a platform provides (issue 9.1).
 *
 * The firmware (build/firmware.wasm) imports six functions from module `host` (docs/abi.md
 * "Imports"). The C host links them to these callbacks. A platform (Linux, the bare-metal rv32 board,
 * ESP-IDF) fills one `mipfw_platform` and drives the board with mipfw_host.h: frames in
 * (mipfw_board_rx), link events (mipfw_board_link), time (mipfw_board_tick).
 *
 * Every pointer handed to a callback is transient (valid for the call only) and already checked
 * against the firmware's linear memory by the host. A callback runs inside a firmware call and must
 * not call into the board (mipfw_board_*): Wasm3 runs every call from the base of the one value stack,
 * so a nested call would overwrite the running one's frames. Queue the work for after the call
 * returns instead (the rv32 board's UDP echo responder does: host/c/rv32-virt/main.c echo_flush).
 */
#ifndef MIPFW_PLATFORM_H
#define MIPFW_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mipfw_platform {
    /** Passed back to every callback. */
    void *ctx;
    /** Monotonic time in ms (read once per entry point by the core). */
    int64_t (*now_ms)(void *ctx);
    /** Transmit one Ethernet II frame (destination MAC first, no FCS) on interface `iface`. */
    void (*tx)(void *ctx, uint32_t iface, const uint8_t *frame, uint32_t len);
    /** One IPv4 packet (IP header first) for the device's local IP stack (nodes with role host). */
    void (*deliver)(void *ctx, const uint8_t *packet, uint32_t len);
    /** Fill `len` bytes with unpredictable bytes. */
    void (*random)(void *ctx, uint8_t *buf, uint32_t len);
    /** One UTF-8 line without newline; level 0 error, 1 warning, 2 info, 3 debug. */
    void (*log)(void *ctx, int level, const char *text, uint32_t len);
    /** One structured event record (docs/abi.md "Events"). May be NULL. */
    void (*event)(void *ctx, int kind, const uint8_t *data, uint32_t len);
} mipfw_platform;

#ifdef __cplusplus
}
#endif

#endif
