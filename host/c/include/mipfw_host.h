/*
 * mipfw portable C host over Wasm3's C API (issue 9.1): the board API every platform drives.
 *
 * ABI: docs/abi.md, version MIPFW_ABI_VERSION. The host refuses a module of another version, links
 * every import with its signature checked, checks every (pointer, length) against the linear memory,
 * reports traps as errors naming the call (never aborts), and caps linear memory to what the board
 * needs.
 *
 * Configuration image (what `mipfw-board encode-config` writes and a platform stores): one or more
 * chunks, each a little-endian u32 length followed by that many bytes of binary configuration records
 * (docs/abi.md "Configuration"). The first chunk goes to `init`, the others to `config_add`.
 */
#ifndef MIPFW_HOST_H
#define MIPFW_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "mipfw_platform.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MIPFW_ABI_VERSION 3

typedef struct mipfw_board mipfw_board;

typedef struct mipfw_options {
    /** Wasm3 value stack in bytes (0: 6144; the firmware peaks at ~4 KB, docs/c-host.md); at most 1 MiB. */
    uint32_t stack_bytes;
    /** Cap on the linear memory in bytes (0: no cap beyond the module's own maximum); the host
     *  refuses to start when the board's tables need more (the error names both figures). */
    uint32_t memory_limit;
    /** 1: compile every function at load (more RAM, no compilation later); 0: on first call. */
    int eager;
    /** 1: after init, warm the main paths up (compile them now, while memory is free). */
    int warm_up;
} mipfw_options;

/** Default options: 6 KiB value stack, no cap, lazy compilation, warm-up on. */
void mipfw_options_default(mipfw_options *opt);

/**
 * Load `wasm` (kept by reference: must outlive the board), link it to `plat`, apply the configuration
 * image `cfg` and start. Returns 0 and sets *out, or -1 with a message in `err` (size `errlen`):
 * wrong ABI version, missing or mistyped export/import, refused configuration (the core's reason),
 * memory budget, out of memory, trap.
 */
int mipfw_board_open(mipfw_board **out, const uint8_t *wasm, uint32_t wasm_len,
                     const uint8_t *cfg, uint32_t cfg_len, const mipfw_options *opt,
                     const mipfw_platform *plat, char *err, size_t errlen);

/** Process one received frame on `iface`. Returns 0 used, 1 dropped (a frame longer than the receive
 *  buffer too: the core counts it, drop_too_long), -1 trap (now or before: mipfw_board_trapped). */
int mipfw_board_rx(mipfw_board *b, uint32_t iface, const uint8_t *frame, uint32_t len);
/** Send one IPv4 packet from the local stack. Returns 0 sent or queued, 1 dropped (too long included), -1 trap. */
int mipfw_board_output(mipfw_board *b, const uint8_t *packet, uint32_t len);
/** Run the timers due at `now_ms`; returns the next deadline (INT64_MAX: none), or -1 after a trap
 *  (check mipfw_board_trapped before sleeping until the deadline). */
int64_t mipfw_board_tick(mipfw_board *b, int64_t now_ms);
/** Link of `iface` up (1) or down (0); `bssid` (6 bytes) or NULL. */
void mipfw_board_link(mipfw_board *b, uint32_t iface, int up, const uint8_t *bssid);
/* A station `mac` (6 bytes) left (`up` 0) or joined the access point behind `iface` (ABI `station`,
 * issue 10.10); nothing when the module lacks the export. */
void mipfw_board_station(mipfw_board *b, uint32_t iface, int up, const uint8_t mac[6]);

/** Number of counters; name and value of counter `i` (name: not NUL-terminated, `*name_len` bytes). */
uint32_t mipfw_board_counter_count(mipfw_board *b);
uint64_t mipfw_board_counter(mipfw_board *b, uint32_t i, const char **name, uint32_t *name_len);
/** Record `index` of `table` (docs/abi.md "Dump records") into `out`; its length or -1. */
int mipfw_board_dump(mipfw_board *b, int table, int index, uint8_t *out, uint32_t cap);

/** Bytes carved for tables and buffers; linear memory pages; bytes of linear memory allocated. */
uint32_t mipfw_board_heap_used(mipfw_board *b);
uint32_t mipfw_board_memory_pages(mipfw_board *b);
uint32_t mipfw_board_memory_bytes(mipfw_board *b);
/** The trap that stopped the board (NULL while running); every later call is refused. */
const char *mipfw_board_trapped(mipfw_board *b);

/** Added by the C host (issue 9.1), for the RAM figures: the peak of the Wasm3 value stack in bytes
 *  since open (the stack is painted at open); the functions compiled so far, and in `*total` all
 *  functions of the module (imports included). */
uint32_t mipfw_board_stack_peak(mipfw_board *b);
uint32_t mipfw_board_compiled_functions(mipfw_board *b, uint32_t *total);
/** Bytes of heap the C host itself holds for the board (its structure, the counter names' copy and
 *  index), beside what Wasm3 allocates. */
uint32_t mipfw_board_host_bytes(mipfw_board *b);

void mipfw_board_close(mipfw_board *b);

#ifdef __cplusplus
}
#endif

#endif
