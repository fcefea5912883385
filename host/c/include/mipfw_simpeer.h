/*
 * The remote-board protocol of the emulated network (host/wasm3/src/simpeer.rs, host/node/remote.ts)
 * over any byte stream, for every platform of the portable C host (issue 9.4): Linux FIFOs
 * (host/c/linux, `mipfw-c sim-peer`), the UART of the emulated microcontroller (host/c/rv32-virt,
 * mode sim-peer). No OS call: the platform gives three stream functions.
 *
 * Requests (simulator -> board): u32 len (bytes after this field), u8 op, i64 now_ms, body.
 * Records (board -> simulator): u32 len, u8 type, body. All integers little-endian. Every request
 * is answered by tx/deliver/event/log/random records and exactly one done (or error) record. The
 * board's clock is the now_ms of the request being served and its random bytes are asked for with a
 * random record (answered by an OP_RANDOM request), so a run is byte-for-byte reproducible.
 */
#ifndef MIPFW_SIMPEER_H
#define MIPFW_SIMPEER_H

#include <stddef.h>
#include <stdint.h>

#include "mipfw_host.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A byte stream: requests in, records out. */
typedef struct mipfw_stream {
    void *ctx;
    /** Read exactly `n` bytes: 0 done, 1 end of input before the first byte, -1 failure (a short read included). */
    int (*read)(void *ctx, uint8_t *buf, uint32_t n);
    /** Write `n` bytes (may buffer): 0, or -1 on failure. */
    int (*write)(void *ctx, const uint8_t *buf, uint32_t n);
    /** Push buffered bytes out (called after every done/error/random record): 0, or -1. */
    int (*flush)(void *ctx);
} mipfw_stream;

typedef struct mipfw_simpeer_config {
    /** The node's name in error messages ("mn: the firmware trapped in rx (-1)"). */
    const char *name;
    /** The firmware (kept by reference). NULL: every init is refused with `wasm_error`. */
    const uint8_t *wasm;
    uint32_t wasm_len;
    const char *wasm_error;
    /** Options of every board opened; memory_limit 0 means "the init request's memory pages x 64 KiB". */
    mipfw_options opt;
    /** Optional, for figures: phase 0 just before a board is opened, 1 after it opened, 2 at the end
     *  with the last board (NULL if none) before it is closed. */
    void (*observe)(void *ctx, int phase, mipfw_board *b);
    void *observe_ctx;
} mipfw_simpeer_config;

#define MIPFW_SIMPEER_END 0       /* quit request or end of input */
#define MIPFW_SIMPEER_STREAM (-1) /* the stream failed; err says while doing what */
#define MIPFW_SIMPEER_PROTOCOL (-2) /* malformed framing, unexpected answer or out of memory; err says */

/** Serve requests from `io` until quit, end of input or a failure (one of MIPFW_SIMPEER_*). */
int mipfw_simpeer_serve(const mipfw_stream *io, const mipfw_simpeer_config *cfg, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
