/*
 * mipfw-c: the portable C host (host/c/src/mipfw_host.c) on Linux (issue 9.1).
 *
 *   mipfw-c selftest --firmware F --config-image IMG [options]
 *       the same input and the same output lines as `mipfw-board selftest` (host/wasm3/src/selftest.rs):
 *       links up, an ARP request for interface 0's address and an ICMP echo request from a neighbour;
 *       the interface's address, prefix and MAC come from the firmware's dump table 0 after init.
 *   mipfw-c sim-peer --requests FIFO --records FIFO [--firmware F] [--name N] [options]
 *       a board driven by the emulated network over two FIFOs, the protocol of
 *       host/wasm3/src/simpeer.rs and host/node/remote.ts.
 *   options: --eager (compile every function at load), --no-warm-up, --stack-bytes N (Wasm3 value
 *       stack, default 6144: mipfw_options_default), --memory-limit N (bytes of linear memory; sim-peer: default the board's
 *       memoryPages).
 * Figures go to stderr: start-up time, Wasm3 + host heap high-water (malloc wrapped:
 * alloc_count.c), value stack peak, functions compiled, peak RSS.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc_count.h"
#include "mipfw_host.h"
#include "mipfw_selftest.h"
#include "mipfw_simpeer.h"

static const char USAGE[] =
    "usage:\n"
    "  mipfw-c selftest --firmware F --config-image IMG [options]\n"
    "  mipfw-c sim-peer --requests FIFO --records FIFO [--firmware F] [--name NAME] [options]\n"
    "options: --eager  --no-warm-up  --stack-bytes N  --memory-limit N\n"
    "(IMG: `mipfw-board encode-config --config node.json -o IMG`)\n";

/* ---- small helpers ----------------------------------------------------------------------------- */

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static long peak_rss_kib(void)
{
    char line[256];
    long v = 0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) v = strtol(line + 6, NULL, 10);
    fclose(f);
    return v;
}

/* Whole file into a malloc'd buffer; NULL with errno set. */
static uint8_t *read_file(const char *path, uint32_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    if (!f) return NULL;
    for (;;) {
        size_t got;
        if (n == cap) {
            uint8_t *nb;
            cap = cap ? cap * 2 : 65536;
            nb = (uint8_t *)realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    *len = (uint32_t)n;
    return buf;
}

typedef struct {
    mipfw_options opt;
    int memory_limit_set;
    const char *firmware, *image, *requests, *records, *name;
} args_t;

static int parse_u32(const char *s, uint32_t *out)
{
    char *end;
    unsigned long v;
    errno = 0;
    v = strtoul(s, &end, 0);
    if (errno || *end || end == s || v > 0xffffffffUL) return -1;
    *out = (uint32_t)v;
    return 0;
}

static int parse_args(int argc, char **argv, args_t *a)
{
    int i;
    mipfw_options_default(&a->opt);
    for (i = 0; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--eager")) {
            a->opt.eager = 1;
            continue;
        }
        if (!strcmp(o, "--no-warm-up")) {
            a->opt.warm_up = 0;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "mipfw-c: %s needs a value\n%s", o, USAGE);
            return -1;
        }
        if (!strcmp(o, "--firmware")) a->firmware = argv[++i];
        else if (!strcmp(o, "--config-image")) a->image = argv[++i];
        else if (!strcmp(o, "--requests")) a->requests = argv[++i];
        else if (!strcmp(o, "--records")) a->records = argv[++i];
        else if (!strcmp(o, "--name")) a->name = argv[++i];
        else if (!strcmp(o, "--stack-bytes") || !strcmp(o, "--memory-limit")) {
            uint32_t v;
            if (parse_u32(argv[++i], &v)) {
                fprintf(stderr, "mipfw-c: %s: expected a number of bytes, got %s\n", o, argv[i]);
                return -1;
            }
            if (o[2] == 's') a->opt.stack_bytes = v;
            else {
                a->opt.memory_limit = v;
                a->memory_limit_set = 1;
            }
        } else {
            fprintf(stderr, "mipfw-c: unexpected argument \"%s\"\n%s", o, USAGE);
            return -1;
        }
    }
    return 0;
}

/* ---- selftest ---------------------------------------------------------------------------------- */

static char out_text[1 << 20];
static size_t out_len;

static void out_printf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static void out_printf(const char *fmt, ...)
{
    va_list ap;
    int n;
    if (out_len >= sizeof out_text) return;
    va_start(ap, fmt);
    n = vsnprintf(out_text + out_len, sizeof out_text - out_len, fmt, ap);
    va_end(ap);
    if (n > 0) out_len += (size_t)n < sizeof out_text - out_len ? (size_t)n : sizeof out_text - out_len;
}

static void out_hex(const uint8_t *d, uint32_t n)
{
    static const char H[] = "0123456789abcdef";
    uint32_t i;
    for (i = 0; i < n && out_len + 2 < sizeof out_text; i++) {
        out_text[out_len++] = H[d[i] >> 4];
        out_text[out_len++] = H[d[i] & 15];
    }
}

static int64_t st_now(void *ctx)
{
    (void)ctx;
    return 0;
}
static void st_tx(void *ctx, uint32_t iface, const uint8_t *f, uint32_t n)
{
    (void)ctx;
    out_printf("tx %u ", (unsigned)iface);
    out_hex(f, n);
    out_printf("\n");
}
static void st_deliver(void *ctx, const uint8_t *p, uint32_t n)
{
    (void)ctx;
    out_printf("deliver ");
    out_hex(p, n);
    out_printf("\n");
}
/* As test/host/helpers.mjs and selftest.rs: byte i is (i * 37 + 11) & 255. */
static void st_random(void *ctx, uint8_t *buf, uint32_t n)
{
    uint32_t i;
    (void)ctx;
    for (i = 0; i < n; i++) buf[i] = (uint8_t)((i * 37u + 11u) & 255u);
}
static void st_log(void *ctx, int level, const char *t, uint32_t n)
{
    (void)ctx;
    (void)level;
    (void)t;
    (void)n;
}
static void st_event(void *ctx, int kind, const uint8_t *d, uint32_t n)
{
    (void)ctx;
    out_printf("event %d ", kind);
    out_hex(d, n);
    out_printf("\n");
}

static int selftest(args_t *a)
{
    uint32_t wlen = 0, clen = 0, n_if = 0, ip, peer, len;
    uint8_t *wasm = NULL, *img = NULL, rec[256], mac[6], frame[128];
    int prefix, r[2], k, rc = 1;
    char err[512];
    mipfw_board *b = NULL;
    mipfw_platform plat = {NULL, st_now, st_tx, st_deliver, st_random, st_log, st_event};
    size_t base, start_heap;
    uint32_t start_compiled;
    double t0, t1;
    if (!a->firmware || !a->image) {
        fprintf(stderr, "mipfw-c: selftest needs --firmware F and --config-image IMG\n%s", USAGE);
        return 2;
    }
    wasm = read_file(a->firmware, &wlen);
    if (!wasm) {
        fprintf(stderr, "mipfw-c: cannot read the firmware %s: %s\n", a->firmware, strerror(errno));
        goto out;
    }
    img = read_file(a->image, &clen);
    if (!img) {
        fprintf(stderr, "mipfw-c: cannot read the configuration image %s: %s\n", a->image, strerror(errno));
        goto out;
    }
    alloc_reset_peak();
    base = alloc_live();
    /* MIPFW_HEAP_LIMIT=N: the board (Wasm3 and the host) may hold at most N bytes, as a
     * microcontroller's heap would (docs/c-host.md "Out of memory"). */
    if (getenv("MIPFW_HEAP_LIMIT")) alloc_set_limit(base + (size_t)strtoul(getenv("MIPFW_HEAP_LIMIT"), NULL, 10));
    t0 = now_us();
    if (mipfw_board_open(&b, wasm, wlen, img, clen, &a->opt, &plat, err, sizeof err)) {
        fprintf(stderr, "mipfw-c: %s\n", err);
        goto out;
    }
    t1 = now_us();
    start_compiled = mipfw_board_compiled_functions(b, NULL);
    start_heap = alloc_live() - base;
    while (mipfw_selftest_iface(b, n_if, rec, &ip, &prefix) == 0) n_if++;
    if (n_if == 0 || mipfw_selftest_iface(b, 0, mac, &ip, &prefix)) {
        /* A dump that trapped (e.g. Wasm3 out of memory compiling `dump` lazily) is the trap, not an
         * empty table. */
        if (mipfw_board_trapped(b)) fprintf(stderr, "mipfw-c: trap: %s\n", mipfw_board_trapped(b));
        else fprintf(stderr, "mipfw-c: the firmware lists no interface (dump table 0)\n");
        goto out;
    }
    for (k = 0; k < (int)n_if; k++) mipfw_board_link(b, (uint32_t)k, 1, NULL);
    peer = mipfw_selftest_peer(ip, prefix);
    for (k = 0; k < 2; k++) {
        len = k == 0 ? mipfw_selftest_arp_request(frame, peer, ip) : mipfw_selftest_echo_request(frame, peer, ip, mac);
        out_printf("input 0 ");
        out_hex(frame, len);
        out_printf("\n");
        r[k] = mipfw_board_rx(b, 0, frame, len);
    }
    out_printf("rx %d %d\n", r[0], r[1]);
    for (k = 0; k < (int)mipfw_board_counter_count(b); k++) {
        const char *name;
        uint32_t nl;
        uint64_t v = mipfw_board_counter(b, (uint32_t)k, &name, &nl);
        if (v) out_printf("counter %.*s %llu\n", (int)nl, name, (unsigned long long)v);
    }
    out_printf("heap_used %u memory_pages %u\n", mipfw_board_heap_used(b), mipfw_board_memory_pages(b));
    if (mipfw_board_trapped(b)) {
        fprintf(stderr, "mipfw-c: trap: %s\n", mipfw_board_trapped(b));
        goto out;
    }
    fwrite(out_text, 1, out_len, stdout);
    fflush(stdout);
    {
        uint32_t total = 0, compiled = mipfw_board_compiled_functions(b, &total);
        fprintf(stderr,
                "# start-up %.0f us, heap high-water %lu bytes (live %lu, at start-up %lu), value stack peak %u bytes of %u, "
                "compiled %u of %u functions (at start-up %u), linear memory %u bytes, peak RSS %ld KiB, "
                "C host's own heap %u bytes\n",
                t1 - t0, (unsigned long)(alloc_peak() - base), (unsigned long)(alloc_live() - base), (unsigned long)start_heap,
                mipfw_board_stack_peak(b), a->opt.stack_bytes ? a->opt.stack_bytes : 6144u, compiled, total, start_compiled, mipfw_board_memory_bytes(b),
                peak_rss_kib(), mipfw_board_host_bytes(b));
    }
    rc = 0;
out:
    mipfw_board_close(b);
    free(img);
    free(wasm);
    return rc;
}

/* ---- sim-peer: the protocol of ../src/simpeer.c over two FIFOs ---------------------------------- */

typedef struct {
    FILE *r, *w;
    int err; /* errno of the first stream failure */
    const char *name;
    double start_us;
    size_t base;
} fifo_t;

static int fifo_read(void *ctx, uint8_t *buf, uint32_t n)
{
    fifo_t *f = (fifo_t *)ctx;
    size_t got;
    errno = 0;
    got = fread(buf, 1, n, f->r);
    if (got == n) return 0;
    f->err = errno;
    return got == 0 && feof(f->r) ? 1 : -1;
}

static int fifo_write(void *ctx, const uint8_t *buf, uint32_t n)
{
    fifo_t *f = (fifo_t *)ctx;
    errno = 0;
    if (fwrite(buf, 1, n, f->w) == n) return 0;
    f->err = errno;
    return -1;
}

static int fifo_flush(void *ctx)
{
    fifo_t *f = (fifo_t *)ctx;
    errno = 0;
    if (!fflush(f->w)) return 0;
    f->err = errno;
    return -1;
}

/* Figures: start-up time and heap high-water of the last board opened (stderr at the end). */
static void sp_observe(void *ctx, int phase, mipfw_board *b)
{
    fifo_t *f = (fifo_t *)ctx;
    if (phase == 0) {
        alloc_reset_peak();
        f->base = alloc_live();
        f->start_us = now_us();
    } else if (phase == 1) {
        f->start_us = now_us() - f->start_us;
    } else if (b) {
        uint32_t total = 0, compiled = mipfw_board_compiled_functions(b, &total);
        fprintf(stderr,
                "# mipfw-c sim-peer %s: start-up %.0f us, heap high-water %lu bytes (live %lu), value stack peak %u "
                "bytes, compiled %u of %u functions, linear memory %u bytes, peak RSS %ld KiB\n",
                f->name, f->start_us, (unsigned long)(alloc_peak() - f->base), (unsigned long)(alloc_live() - f->base),
                mipfw_board_stack_peak(b), compiled, total, mipfw_board_memory_bytes(b), peak_rss_kib());
    }
}

static int sim_peer(args_t *a)
{
    fifo_t f;
    mipfw_stream io = {NULL, fifo_read, fifo_write, fifo_flush};
    mipfw_simpeer_config c;
    const char *fw = a->firmware ? a->firmware : "build/firmware.wasm";
    char why[600], err[200];
    uint8_t *wasm;
    uint32_t wlen = 0;
    int rc;
    if (!a->requests || !a->records) {
        fprintf(stderr, "mipfw-c: sim-peer: --requests FIFO and --records FIFO are required\n%s", USAGE);
        return 2;
    }
    memset(&f, 0, sizeof f);
    memset(&c, 0, sizeof c);
    /* Open order matters: the simulator opens "requests" for writing first, then "records" for reading. */
    f.r = fopen(a->requests, "rb");
    if (!f.r) {
        fprintf(stderr, "mipfw-c: sim-peer: %s: %s\n", a->requests, strerror(errno));
        return 1;
    }
    f.w = fopen(a->records, "wb");
    if (!f.w) {
        fprintf(stderr, "mipfw-c: sim-peer: %s: %s\n", a->records, strerror(errno));
        fclose(f.r);
        return 1;
    }
    setvbuf(f.w, NULL, _IOFBF, 65536);
    f.name = c.name = a->name ? a->name : "board";
    wasm = read_file(fw, &wlen);
    if (!wasm) snprintf(why, sizeof why, "cannot read firmware %s: %s", fw, strerror(errno));
    c.wasm = wasm;
    c.wasm_len = wlen;
    c.wasm_error = why;
    c.opt = a->opt;
    c.observe = sp_observe;
    c.observe_ctx = &f;
    io.ctx = &f;
    rc = mipfw_simpeer_serve(&io, &c, err, sizeof err);
    free(wasm);
    fclose(f.r);
    if (fclose(f.w) && !f.err) f.err = errno;
    if (rc == MIPFW_SIMPEER_PROTOCOL) fprintf(stderr, "mipfw-c sim-peer: %s\n", err);
    if (rc == MIPFW_SIMPEER_STREAM && f.err && f.err != EPIPE)
        fprintf(stderr, "mipfw-c sim-peer: %s: %s\n", err, strerror(f.err));
    /* The simulator going away (end of input, broken pipe) is a normal end. */
    return rc == MIPFW_SIMPEER_PROTOCOL || (rc == MIPFW_SIMPEER_STREAM && f.err && f.err != EPIPE) ? 1 : 0;
}

int main(int argc, char **argv)
{
    args_t a;
    memset(&a, 0, sizeof a);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (parse_args(argc - 2, argv + 2, &a)) return 2;
    if (!strcmp(argv[1], "selftest")) return selftest(&a);
    if (!strcmp(argv[1], "sim-peer")) return sim_peer(&a);
    fprintf(stderr, "mipfw-c: unknown command \"%s\"\n%s", argv[1], USAGE);
    return 2;
}
