/*
 * The remote-board protocol over a byte stream (mipfw_simpeer.h), shared by the Linux CLI and the
 * microcontroller board. Portable C99: the C library's malloc and snprintf, no OS call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mipfw_simpeer.h"

enum { OP_INIT = 1, OP_RX, OP_OUTPUT, OP_TICK, OP_LINK, OP_COUNTERS, OP_INFO, OP_RANDOM, OP_QUIT, OP_STATION };
enum { R_TX = 1, R_DELIVER, R_EVENT, R_LOG, R_RANDOM, R_DONE, R_ERROR };

#define NO_DEADLINE ((int64_t)0x7fffffffffffffffLL)

typedef struct {
    const mipfw_stream *io;
    int64_t now;
    uint8_t *body;
    uint32_t cap, len;
    int stop; /* 0 running; else a MIPFW_SIMPEER_* result (or 1: end of input) */
    char *err;
    size_t errlen;
} peer_t;

static void put_le(uint8_t *p, uint64_t v, int n)
{
    int i;
    for (i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    int i;
    for (i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* The first failure stops the peer; later ones keep its message. */
static void fail(peer_t *p, int code, const char *msg, unsigned a, unsigned b)
{
    if (p->stop) return;
    p->stop = code;
    if (p->err && p->errlen) snprintf(p->err, p->errlen, msg, a, b);
}

/* One record: u32 length, u8 type, then the parts. Nothing once the peer stopped. */
static void record(peer_t *p, int type, const void *a, uint32_t an, const void *b, uint32_t bn)
{
    uint8_t h[5];
    if (p->stop) return;
    put_le(h, 1u + an + bn, 4);
    h[4] = (uint8_t)type;
    if (p->io->write(p->io->ctx, h, 5) || (an && p->io->write(p->io->ctx, (const uint8_t *)a, an)) ||
        (bn && p->io->write(p->io->ctx, (const uint8_t *)b, bn)))
        fail(p, MIPFW_SIMPEER_STREAM, "writing a record", 0, 0);
}

static void flush(peer_t *p)
{
    if (!p->stop && p->io->flush(p->io->ctx)) fail(p, MIPFW_SIMPEER_STREAM, "writing records", 0, 0);
}

/* Read one request's header: its op, body length and time, or -1 (end of input, or a failure: p->stop
 * says). The body is the caller's to read. */
static int request_head(peer_t *p, uint32_t *body_len, int64_t *now)
{
    uint8_t h[13];
    uint32_t len;
    int r;
    if (p->stop) return -1;
    r = p->io->read(p->io->ctx, h, 4);
    if (r == 1) {
        p->stop = 1;
        return -1;
    }
    if (r) {
        fail(p, MIPFW_SIMPEER_STREAM, "reading a request", 0, 0);
        return -1;
    }
    len = (uint32_t)get_le(h, 4);
    if (len < 9) {
        fail(p, MIPFW_SIMPEER_PROTOCOL, "reading a request: request of %u bytes (expected at least 9)", len, 0);
        return -1;
    }
    if (p->io->read(p->io->ctx, h + 4, 9)) {
        fail(p, MIPFW_SIMPEER_STREAM, "reading a request", 0, 0);
        return -1;
    }
    *body_len = len - 9;
    *now = (int64_t)get_le(h + 5, 8);
    return h[4];
}

/* Read one request into p->body; its op, or -1 (end of input, or a failure: p->stop says). */
static int request(peer_t *p, int64_t *now)
{
    uint32_t n;
    int op = request_head(p, &n, now);
    if (op < 0) return -1;
    if (n > p->cap) {
        uint8_t *nb = (uint8_t *)realloc(p->body, n);
        if (!nb) {
            fail(p, MIPFW_SIMPEER_PROTOCOL, "out of memory for a request of %u bytes", n + 9, 0);
            return -1;
        }
        p->body = nb;
        p->cap = n;
    }
    p->len = n;
    if (n && p->io->read(p->io->ctx, p->body, n)) {
        fail(p, MIPFW_SIMPEER_STREAM, "reading a request", 0, 0);
        return -1;
    }
    return op;
}

static void done(peer_t *p, int64_t value, const void *extra, uint32_t n)
{
    uint8_t v[8];
    put_le(v, (uint64_t)value, 8);
    record(p, R_DONE, v, 8, extra, n);
    flush(p);
}

static void error_rec(peer_t *p, const char *msg)
{
    record(p, R_ERROR, msg, (uint32_t)strlen(msg), NULL, 0);
    flush(p);
}

/* ---- the board's platform: every import becomes a record ---------------------------------------- */

static int64_t sp_now(void *ctx)
{
    return ((peer_t *)ctx)->now;
}

static void sp_tx(void *ctx, uint32_t iface, const uint8_t *f, uint32_t n)
{
    uint8_t i[4];
    put_le(i, iface, 4);
    record((peer_t *)ctx, R_TX, i, 4, f, n);
}

static void sp_deliver(void *ctx, const uint8_t *pk, uint32_t n)
{
    record((peer_t *)ctx, R_DELIVER, pk, n, NULL, 0);
}

/* Ask the simulator for the bytes (its seeded stream); on failure zeros, and the peer stops after
 * the current call. The answer's body goes straight into `buf`, never into p->body: this runs inside a
 * firmware call, and the request being served (an init's configuration image) is still read from
 * p->body, which must be neither overwritten nor moved by a realloc. */
static void sp_random(void *ctx, uint8_t *buf, uint32_t n)
{
    peer_t *p = (peer_t *)ctx;
    uint8_t k[4];
    uint32_t got;
    int64_t t;
    int op;
    memset(buf, 0, n);
    put_le(k, n, 4);
    record(p, R_RANDOM, k, 4, NULL, 0);
    flush(p);
    op = request_head(p, &got, &t);
    if (op < 0) return;
    if (op != OP_RANDOM || got != n) {
        fail(p, MIPFW_SIMPEER_PROTOCOL, "expected %u random bytes, got another request or another length (%u bytes)",
             n, got);
        return;
    }
    if (n && p->io->read(p->io->ctx, buf, n)) {
        memset(buf, 0, n);
        fail(p, MIPFW_SIMPEER_STREAM, "reading a request", 0, 0);
    }
}

static void sp_log(void *ctx, int level, const char *t, uint32_t n)
{
    uint8_t l[4];
    put_le(l, (uint32_t)level, 4);
    record((peer_t *)ctx, R_LOG, l, 4, t, n);
}

static void sp_event(void *ctx, int kind, const uint8_t *d, uint32_t n)
{
    uint8_t k[4];
    put_le(k, (uint32_t)kind, 4);
    record((peer_t *)ctx, R_EVENT, k, 4, d, n);
}

/* Answer an rx/output call: its return value, or an error when the firmware trapped. */
static void finish(peer_t *p, int rc, const char *call, const char *name)
{
    if (rc < 0) {
        char m[160];
        snprintf(m, sizeof m, "%s: the firmware trapped in %s (%d)", name, call, rc);
        error_rec(p, m);
    } else {
        done(p, rc, NULL, 0);
    }
}

/* OP_INIT body: u32 memory pages, u32 chunk count, chunks (u32 length + bytes); the chunks are a
 * configuration image as mipfw_host.h reads it. Returns the image length, or -1 if malformed. */
static long init_image(const uint8_t *b, uint32_t n, uint32_t *pages)
{
    uint32_t count, k, off = 8;
    if (n < 8) return -1;
    *pages = (uint32_t)get_le(b, 4);
    count = (uint32_t)get_le(b + 4, 4);
    for (k = 0; k < count; k++) {
        uint32_t l;
        if (n - off < 4) return -1;
        l = (uint32_t)get_le(b + off, 4);
        if (l > n - off - 4) return -1;
        off += 4 + l;
    }
    return (long)(off - 8);
}

static void counters(peer_t *p, mipfw_board *b)
{
    uint32_t c = b ? mipfw_board_counter_count(b) : 0, k, o = 4;
    uint8_t *x = (uint8_t *)malloc(4 + (size_t)c * (2 + 64 + 8));
    if (!x) {
        error_rec(p, "out of memory");
        return;
    }
    put_le(x, c, 4);
    for (k = 0; k < c; k++) {
        const char *nm;
        uint32_t nl;
        uint64_t v = mipfw_board_counter(b, k, &nm, &nl);
        if (nl > 64) nl = 64;
        put_le(x + o, nl, 2);
        memcpy(x + o + 2, nm, nl);
        put_le(x + o + 2 + nl, v, 8);
        o += 2 + nl + 8;
    }
    done(p, 0, x, o);
    free(x);
}

int mipfw_simpeer_serve(const mipfw_stream *io, const mipfw_simpeer_config *cfg, char *err, size_t errlen)
{
    peer_t p;
    mipfw_board *b = NULL;
    mipfw_platform plat = {NULL, sp_now, sp_tx, sp_deliver, sp_random, sp_log, sp_event};
    const char *name = cfg->name ? cfg->name : "board";
    char msg[400];
    memset(&p, 0, sizeof p);
    p.io = io;
    p.err = err;
    p.errlen = errlen;
    if (err && errlen) err[0] = 0;
    plat.ctx = &p;
    while (!p.stop) {
        int64_t now;
        int op = request(&p, &now);
        const uint8_t *q = p.body;
        uint32_t n = p.len;
        if (op < 0 || op == OP_QUIT) break;
        p.now = now;
        switch (op) {
        case OP_INIT: {
            uint32_t pages = 0;
            long img = init_image(q, n, &pages);
            mipfw_board_close(b); /* a restart discards all state (docs/abi.md init) */
            b = NULL;
            if (!cfg->wasm) {
                snprintf(msg, sizeof msg, "firmware refused the configuration: %s",
                         cfg->wasm_error ? cfg->wasm_error : "no firmware");
                error_rec(&p, msg);
            } else if (img < 0) {
                error_rec(&p, "firmware refused the configuration: malformed init request");
            } else {
                mipfw_options o = cfg->opt;
                char e[300];
                if (!o.memory_limit) o.memory_limit = pages > 0xffff ? 0 : pages * 65536u;
                if (cfg->observe) cfg->observe(cfg->observe_ctx, 0, NULL);
                if (mipfw_board_open(&b, cfg->wasm, cfg->wasm_len, q + 8, (uint32_t)img, &o, &plat, e, sizeof e)) {
                    b = NULL;
                    snprintf(msg, sizeof msg, "firmware refused the configuration: %s", e);
                    error_rec(&p, msg);
                } else {
                    if (cfg->observe) cfg->observe(cfg->observe_ctx, 1, b);
                    done(&p, 0, NULL, 0);
                }
            }
            break;
        }
        case OP_RX:
            if (n < 4) {
                error_rec(&p, "malformed rx request");
                break;
            }
            finish(&p, b ? mipfw_board_rx(b, (uint32_t)get_le(q, 4), q + 4, n - 4) : 1, "rx", name);
            break;
        case OP_OUTPUT:
            finish(&p, b ? mipfw_board_output(b, q, n) : 1, "output", name);
            break;
        case OP_TICK:
            if (n < 8) {
                error_rec(&p, "malformed tick request");
                break;
            }
            done(&p, b ? mipfw_board_tick(b, (int64_t)get_le(q, 8)) : NO_DEADLINE, NULL, 0);
            break;
        case OP_LINK:
            if (n < 12) {
                error_rec(&p, "malformed link request");
                break;
            }
            if (b) mipfw_board_link(b, (uint32_t)get_le(q, 4), q[4] != 0, q[5] ? q + 6 : NULL);
            done(&p, 0, NULL, 0);
            break;
        case OP_STATION: /* u32 iface, u8 up, mac[6], pad (issue 10.10) */
            if (n < 12) {
                error_rec(&p, "malformed station request");
                break;
            }
            if (b) mipfw_board_station(b, (uint32_t)get_le(q, 4), q[4] != 0, q + 5);
            done(&p, 0, NULL, 0);
            break;
        case OP_COUNTERS:
            counters(&p, b);
            break;
        case OP_INFO: {
            uint8_t pg[4];
            put_le(pg, b ? mipfw_board_memory_pages(b) : 0, 4);
            done(&p, b ? (int64_t)mipfw_board_heap_used(b) : 0, pg, 4);
            break;
        }
        default:
            snprintf(msg, sizeof msg, "unknown request op %d", op);
            error_rec(&p, msg);
        }
    }
    if (cfg->observe) cfg->observe(cfg->observe_ctx, 2, b);
    mipfw_board_close(b);
    free(p.body);
    return p.stop == 1 ? MIPFW_SIMPEER_END : p.stop;
}
