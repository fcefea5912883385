/*
 * mipfw portable C host over Wasm3 (issue 9.1): implements include/mipfw_host.h.
 *
 * The same behaviour as the Rust host (host/wasm3/src/board.rs): only the six `host` imports of
 * docs/abi.md, linked with their signatures checked; a module of another ABI version or without one
 * of the exports is refused; every (pointer, length) the module hands over or the host writes is
 * checked against the current memory size, the memory base being fetched anew each time (memory
 * moves while `init` grows it); a trap is an error naming the call, after which the board refuses
 * every call. Portable C99: no OS call here, everything goes through mipfw_platform and
 * malloc/free (Wasm3 itself allocates with calloc/realloc/free).
 *
 * Wasm3 internals (m3_env.h) touched, because the public API (wasm3.h) has no equivalent:
 *   - M3Runtime.memoryLimit: caps the bytes of linear memory Wasm3 allocates (options.memory_limit);
 *   - M3Runtime.memory.maxPages / .numPages: the page ceiling, lowered to the cap so `memory.grow`
 *     past it fails cleanly instead of handing out pages that do not exist;
 *   - M3Runtime.memory.mallocated: checked non-NULL after load (a module without memory);
 *   - M3Runtime.originStack / .numStackSlots: the value stack, painted at start to measure its peak;
 *   - M3Module.numFunctions / .functions[i].compiled: how many functions are compiled (lazy
 *     compilation, warm-up figures).
 */
#include "mipfw_host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm3.h"
#include "m3_env.h"

#include "warmup.h"

#define PAGE_BYTES 65536u
#define DEFAULT_STACK 6144u /* measured peak 3,988 bytes (docs/c-host.md) + half again */
/* Wasm3 allocates stack_bytes + 4 slots in a u32 (wraps on a 32-bit target) and the host paints
 * stack_bytes: a larger request is refused before anything is allocated. */
#define MAX_STACK (1u << 20)
/* Byte the value stack is painted with; the highest slot that no longer holds it is the peak. */
#define STACK_PAINT 0xa5u
#define MSG 192

typedef IM3Function Func;

struct mipfw_board {
    IM3Environment env;
    IM3Runtime rt;
    IM3Module mod;
    mipfw_platform plat;
    mipfw_options opt;
    /* Exports called on every path, looked up and signature-checked once. */
    Func init, config_add, rx, output, tick, link, heap_used, static_bytes, memory_pages, dump;
    Func station; /* optional (issue 10.10): NULL when the module lacks it */
    /* Buffer addresses, read once after a successful init (fixed for the instance). */
    uint32_t a_rx, a_rx_cap, a_out, a_out_cap, a_info, a_counters, a_count, a_dump;
    /* Counter names: a copy of the module's '\n'-separated text; name i is names[name_off[i] ..
     * name_off[i + 1] - 1) (n_names + 1 offsets). */
    char *names;
    uint32_t *name_off, n_names;
    /* Bytes of heap this structure and the counter names take (mipfw_board_host_bytes). */
    uint32_t host_bytes;
    char name_tmp[24];
    /* The first trap, "<call>: <Wasm3 message>"; empty while running. */
    char trap[MSG];
    /* The last level-0 log line: the core's reason when it refuses a configuration. */
    char last_error[MSG];
    /* While warming up (warm_up): every platform callback is muted, time is warm_now and random bytes
     * come from warm_rng; warm_host_calls counts the module's host calls meanwhile. */
    int warming;
    uint32_t warm_host_calls, warm_rng;
    int64_t warm_now;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || errlen == 0) return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- memory access --------------------------------------------------------------------------- */

/* `len` bytes at `ptr` inside the current linear memory, or NULL. */
static uint8_t *span(IM3Runtime rt, uint32_t ptr, uint32_t len)
{
    uint32_t size = 0;
    uint8_t *base = m3_GetMemory(rt, &size, 0);
    if (!base || (uint64_t)ptr + (uint64_t)len > (uint64_t)size) return NULL;
    return base + ptr;
}

static int mem_write(mipfw_board *b, uint32_t at, const uint8_t *data, uint32_t len)
{
    uint8_t *p = span(b->rt, at, len);
    if (!p) return -1;
    if (len) memcpy(p, data, len);
    return 0;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;
    for (i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* ---- import trampolines ---------------------------------------------------------------------- */
/* Wasm3 raw-call convention: the return slot (if any) first, then one 64-bit slot per argument
 * (64-bit even in a d_m3Use32BitSlots build: m3_compile.c aligns a call's arguments to 64 bits). */

static uint32_t arg_u32(const uint64_t *sp, int i)
{
    uint32_t v;
    memcpy(&v, sp + i, sizeof v); /* the low half of the slot on a little-endian target */
    return v;
}

static mipfw_board *board_of(IM3Runtime rt)
{
    mipfw_board *b = (mipfw_board *)m3_GetUserData(rt);
    if (b && b->warming) b->warm_host_calls++;
    return b;
}

/* The board and the (pointer, length) of arguments `i` and `i + 1`, checked against the current linear
 * memory: the bytes, or NULL with the trap to return in *why (no board, or outside memory). */
static uint8_t *import_span(IM3Runtime rt, const uint64_t *sp, int i, mipfw_board **b, uint32_t *len, const void **why)
{
    uint8_t *d;
    *b = board_of(rt);
    *len = arg_u32(sp, i + 1);
    d = span(rt, arg_u32(sp, i), *len);
    *why = !*b ? m3Err_trapAbort : !d ? m3Err_trapOutOfBoundsMemoryAccess : m3Err_none;
    return *b ? d : NULL;
}

static const void *host_tx(IM3Runtime rt, IM3ImportContext ctx, uint64_t *sp, void *mem)
{
    mipfw_board *b;
    uint32_t len;
    const void *why;
    const uint8_t *d = import_span(rt, sp, 1, &b, &len, &why);
    (void)ctx;
    (void)mem;
    if (!d) return why;
    if (b->plat.tx && !b->warming) b->plat.tx(b->plat.ctx, arg_u32(sp, 0), d, len);
    return m3Err_none;
}

static const void *host_deliver(IM3Runtime rt, IM3ImportContext ctx, uint64_t *sp, void *mem)
{
    mipfw_board *b;
    uint32_t len;
    const void *why;
    const uint8_t *d = import_span(rt, sp, 0, &b, &len, &why);
    (void)ctx;
    (void)mem;
    if (!d) return why;
    if (b->plat.deliver && !b->warming) b->plat.deliver(b->plat.ctx, d, len);
    return m3Err_none;
}

static const void *host_now_ms(IM3Runtime rt, IM3ImportContext ctx, uint64_t *sp, void *mem)
{
    mipfw_board *b = board_of(rt);
    int64_t now;
    (void)ctx;
    (void)mem;
    if (!b) return m3Err_trapAbort;
    now = b->warming ? b->warm_now : b->plat.now_ms ? b->plat.now_ms(b->plat.ctx) : 0;
    memcpy(sp, &now, sizeof now);
    return m3Err_none;
}

static const void *host_random(IM3Runtime rt, IM3ImportContext ctx, uint64_t *sp, void *mem)
{
    mipfw_board *b;
    uint32_t len;
    const void *why;
    uint8_t *d = import_span(rt, sp, 0, &b, &len, &why);
    (void)ctx;
    (void)mem;
    if (!d) return why;
    if (b->warming) {
        /* Not the platform's: the warm-up must not draw from its stream (a simulator's seeded one). */
        uint32_t i;
        for (i = 0; i < len; i++) {
            b->warm_rng ^= b->warm_rng << 13;
            b->warm_rng ^= b->warm_rng >> 17;
            b->warm_rng ^= b->warm_rng << 5;
            d[i] = (uint8_t)b->warm_rng;
        }
    } else if (b->plat.random) b->plat.random(b->plat.ctx, d, len);
    return m3Err_none;
}

static const void *host_log(IM3Runtime rt, IM3ImportContext ctx, uint64_t *sp, void *mem)
{
    mipfw_board *b;
    uint32_t len;
    const void *why;
    const uint8_t *d = import_span(rt, sp, 1, &b, &len, &why);
    int32_t level = (int32_t)arg_u32(sp, 0);
    (void)ctx;
    (void)mem;
    if (!d) return why;
    if (level == 0) {
        uint32_t n = len < MSG - 1 ? len : MSG - 1;
        memcpy(b->last_error, d, n);
        b->last_error[n] = 0;
    }
    if (b->plat.log && !b->warming) b->plat.log(b->plat.ctx, (int)level, (const char *)d, len);
    return m3Err_none;
}

static const void *host_event(IM3Runtime rt, IM3ImportContext ctx, uint64_t *sp, void *mem)
{
    mipfw_board *b;
    uint32_t len;
    const void *why;
    const uint8_t *d = import_span(rt, sp, 1, &b, &len, &why);
    (void)ctx;
    (void)mem;
    if (!d) return why;
    if (b->plat.event && !b->warming) b->plat.event(b->plat.ctx, (int)(int32_t)arg_u32(sp, 0), d, len);
    return m3Err_none;
}

/* The `host` imports of docs/abi.md with their Wasm3 signatures. */
static const struct {
    const char *name, *sig;
    M3RawCall fn;
} IMPORTS[6] = {
    {"tx", "v(iii)", host_tx},
    {"deliver", "v(ii)", host_deliver},
    {"now_ms", "I()", host_now_ms},
    {"random", "v(ii)", host_random},
    {"log", "v(iii)", host_log},
    {"event", "v(iii)", host_event},
};

/* ---- the module's import section (checked before Wasm3 sees the module) ---------------------- */

static int leb_u32(const uint8_t *w, uint32_t end, uint32_t *i, uint32_t *out)
{
    uint64_t v = 0;
    unsigned shift;
    for (shift = 0; shift < 35; shift += 7) {
        uint8_t x;
        if (*i >= end) return -1;
        x = w[(*i)++];
        v |= (uint64_t)(x & 0x7f) << shift;
        if (!(x & 0x80)) {
            if (v > 0xffffffffu) return -1;
            *out = (uint32_t)v;
            return 0;
        }
    }
    return -1;
}

static int limits(const uint8_t *w, uint32_t end, uint32_t *i)
{
    uint32_t flags, x;
    if (*i >= end) return -1;
    flags = w[(*i)++];
    if (leb_u32(w, end, i, &x)) return -1;
    if ((flags & 1) && leb_u32(w, end, i, &x)) return -1;
    return 0;
}

/* Only functions host.{tx, deliver, now_ms, random, log, event} may be imported. */
static int check_imports(const uint8_t *w, uint32_t n, char *err, size_t errlen)
{
    static const char *const KIND[4] = {"function", "table", "memory", "global"};
    uint32_t i = 8;
    if (n < 8 || memcmp(w, "\0asm", 4) != 0) {
        set_err(err, errlen, "firmware: not a WebAssembly module");
        return -1;
    }
    while (i < n) {
        uint8_t id = w[i++];
        uint32_t size, end;
        if (leb_u32(w, n, &i, &size) || size > n - i) goto bad;
        end = i + size;
        if (id == 2) {
            uint32_t count, k;
            if (leb_u32(w, end, &i, &count)) goto bad;
            for (k = 0; k < count; k++) {
                uint32_t ml, fl, mo, fo, x, j;
                uint8_t kind;
                int known = 0;
                if (leb_u32(w, end, &i, &ml) || ml > end - i) goto bad;
                mo = i;
                i += ml;
                if (leb_u32(w, end, &i, &fl) || fl > end - i) goto bad;
                fo = i;
                i += fl;
                if (i >= end) goto bad;
                kind = w[i++];
                if (kind == 0) {
                    if (leb_u32(w, end, &i, &x)) goto bad;
                } else if (kind == 1) {
                    if (i >= end) goto bad;
                    i++;
                    if (limits(w, end, &i)) goto bad;
                } else if (kind == 2) {
                    if (limits(w, end, &i)) goto bad;
                } else if (kind == 3) {
                    if (end - i < 2) goto bad;
                    i += 2;
                } else {
                    goto bad;
                }
                for (j = 0; j < 6 && kind == 0; j++)
                    if (strlen(IMPORTS[j].name) == fl && memcmp(w + fo, IMPORTS[j].name, fl) == 0) known = 1;
                if (!(ml == 4 && memcmp(w + mo, "host", 4) == 0 && known)) {
                    set_err(err, errlen,
                            "firmware imports %s %.*s.%.*s; a board provides only the functions "
                            "host.{tx, deliver, now_ms, random, log, event}",
                            KIND[kind], (int)(ml > 64 ? 64 : ml), (const char *)w + mo, (int)(fl > 64 ? 64 : fl),
                            (const char *)w + fo);
                    return -1;
                }
            }
        }
        i = end;
    }
    return 0;
bad:
    set_err(err, errlen, "firmware: not a valid WebAssembly module (malformed section)");
    return -1;
}

/* ---- calls ----------------------------------------------------------------------------------- */

static void record_trap(mipfw_board *b, const char *name, M3Result e)
{
    char line[MSG + 24];
    if (!b->trap[0]) snprintf(b->trap, sizeof b->trap, "%s: %s", name, e);
    /* Muted while warming up like every other callback: the warm-up's trap is forgotten (warm_up). */
    if (!b->plat.log || b->warming) return;
    snprintf(line, sizeof line, "wasm3 trap in %s: %s", name, e);
    b->plat.log(b->plat.ctx, 0, line, (uint32_t)strlen(line));
}

/* Call `f` with `argc` arguments (pointers to i32/i64 values); store one result in `ret` (if not NULL).
 * -1 after a trap (recorded) or when the board trapped before. */
static int call(mipfw_board *b, const char *name, Func f, uint32_t argc, const void **argv, void *ret)
{
    M3Result e;
    if (b->trap[0]) return -1;
    e = m3_Call(f, argc, argv);
    if (e) {
        record_trap(b, name, e);
        return -1;
    }
    if (ret) {
        const void *rets[1];
        rets[0] = ret;
        e = m3_GetResults(f, 1, rets);
        if (e) {
            record_trap(b, name, e);
            return -1;
        }
    }
    return 0;
}

/* Look up export `name` and check its signature: `args` of 'i'/'I' characters, `ret` 'i', 'I' or 0. */
static Func find(mipfw_board *b, const char *name, const char *args, char ret, char *err, size_t errlen)
{
    Func f = NULL;
    M3Result e = m3_FindFunction(&f, b->rt, name);
    uint32_t argc = (uint32_t)strlen(args), i;
    int ok;
    if (e) {
        set_err(err, errlen, "firmware: export %s: %s", name, e);
        return NULL;
    }
    ok = m3_GetArgCount(f) == argc && m3_GetRetCount(f) == (ret ? 1u : 0u);
    for (i = 0; ok && i < argc; i++)
        ok = m3_GetArgType(f, i) == (args[i] == 'I' ? c_m3Type_i64 : c_m3Type_i32);
    if (ok && ret) ok = m3_GetRetType(f, 0) == (ret == 'I' ? c_m3Type_i64 : c_m3Type_i32);
    if (!ok) {
        set_err(err, errlen, "firmware: export %s has the wrong signature for ABI %d", name, MIPFW_ABI_VERSION);
        return NULL;
    }
    return f;
}

/* Call the i32 getter `name` (looked up and checked now). */
static int get_i32(mipfw_board *b, const char *name, int32_t *out, char *err, size_t errlen)
{
    Func f = find(b, name, "", 'i', err, errlen);
    if (!f) return -1;
    if (call(b, name, f, 0, NULL, out)) {
        set_err(err, errlen, "firmware trapped in %s", b->trap);
        return -1;
    }
    return 0;
}

static uint32_t getter(mipfw_board *b, const char *name, Func f)
{
    int32_t v = 0;
    if (call(b, name, f, 0, NULL, &v)) return 0;
    return (uint32_t)v;
}

/* ---- open ------------------------------------------------------------------------------------ */

void mipfw_options_default(mipfw_options *opt)
{
    opt->stack_bytes = DEFAULT_STACK;
    opt->memory_limit = 0;
    opt->eager = 0;
    opt->warm_up = 1;
}

static int apply_config(mipfw_board *b, const uint8_t *cfg, uint32_t cfg_len, char *err, size_t errlen)
{
    int32_t cap, buf;
    uint32_t off = 0, k = 0;
    if (get_i32(b, "config_capacity", &cap, err, errlen) || get_i32(b, "config_buffer", &buf, err, errlen))
        return -1;
    if (cfg_len < 4) {
        set_err(err, errlen, "configuration image: %u bytes, expected at least one chunk (u32 length + records)",
                (unsigned)cfg_len);
        return -1;
    }
    b->last_error[0] = 0;
    while (off < cfg_len) {
        uint32_t len;
        int32_t p = buf, l, rc = 0;
        const void *argv[2];
        const char *name = k == 0 ? "init" : "config_add";
        if (cfg_len - off < 4) {
            set_err(err, errlen, "configuration image: chunk %u: %u bytes left, expected a 4-byte length",
                    (unsigned)k, (unsigned)(cfg_len - off));
            return -1;
        }
        len = (uint32_t)cfg[off] | (uint32_t)cfg[off + 1] << 8 | (uint32_t)cfg[off + 2] << 16 |
              (uint32_t)cfg[off + 3] << 24;
        off += 4;
        if (len > cfg_len - off) {
            set_err(err, errlen, "configuration image: chunk %u: length %u, expected at most the %u bytes left",
                    (unsigned)k, (unsigned)len, (unsigned)(cfg_len - off));
            return -1;
        }
        if (len > (uint32_t)cap) {
            set_err(err, errlen, "configuration chunk %u is %u bytes, the firmware takes at most %d", (unsigned)k,
                    (unsigned)len, (int)cap);
            return -1;
        }
        if (mem_write(b, (uint32_t)buf, cfg + off, len)) {
            set_err(err, errlen, "firmware: config buffer (%u bytes at 0x%x) lies outside memory", (unsigned)len,
                    (unsigned)buf);
            return -1;
        }
        l = (int32_t)len;
        argv[0] = &p;
        argv[1] = &l;
        if (call(b, name, k == 0 ? b->init : b->config_add, 2, argv, &rc)) return -2; /* trap */
        if (rc != 0) {
            set_err(err, errlen, "firmware refused the configuration (code %d): %s", (int)rc,
                    b->last_error[0] ? b->last_error : "no reason given");
            return -1;
        }
        off += len;
        k++;
    }
    return 0;
}

/* init ran out of capped memory (a trap): open the module again in a fresh runtime without the cap
 * (the capped one freed first, so the peak stays one runtime) to learn what the configuration needs.
 * 0 and the figure, or -1 (out of memory, or it fails again). No callback reaches the platform. */
static int measure_need(const uint8_t *wasm, uint32_t wasm_len, const uint8_t *cfg, uint32_t cfg_len,
                        const mipfw_options *opt, const mipfw_platform *plat, uint32_t *need)
{
    char e2[MSG];
    mipfw_board *m = NULL;
    mipfw_options o = *opt;
    mipfw_platform quiet;
    memset(&quiet, 0, sizeof quiet);
    quiet.ctx = plat->ctx;
    quiet.now_ms = plat->now_ms;
    o.memory_limit = 0;
    o.warm_up = 0;
    o.eager = 0;
    if (mipfw_board_open(&m, wasm, wasm_len, cfg, cfg_len, &o, &quiet, e2, sizeof e2)) return -1;
    *need = getter(m, "static_bytes", m->static_bytes) + getter(m, "heap_used", m->heap_used);
    mipfw_board_close(m);
    return 0;
}

/* Counter `k`'s name into the dump buffer; its length in *len (at most the buffer's 256 bytes). */
static int name_at(mipfw_board *b, Func nf, uint32_t k, uint32_t *len, char *err, size_t errlen)
{
    int32_t i = (int32_t)k, n = -1;
    const void *argv[1];
    argv[0] = &i;
    if (call(b, "counter_name", nf, 1, argv, &n)) {
        set_err(err, errlen, "firmware trapped in %s", b->trap);
        return -1;
    }
    if (n < 0 || n > 256) {
        set_err(err, errlen, "firmware: counter %u has no name (counter_name returned %d)", (unsigned)k, (int)n);
        return -1;
    }
    *len = (uint32_t)n;
    return 0;
}

static int read_addrs(mipfw_board *b, char *err, size_t errlen)
{
    int32_t v[8];
    uint32_t nlen, len;
    Func nf;
    static const char *const N[8] = {"rx_buffer",    "rx_capacity",    "out_buffer",  "out_capacity",
                                     "info_buffer", "counters_ptr", "counters_count", "dump_buffer"};
    int i;
    uint32_t mem = m3_GetMemorySize(b->rt), start, k;
    for (i = 0; i < 8; i++)
        if (get_i32(b, N[i], &v[i], err, errlen)) return -1;
    b->a_rx = (uint32_t)v[0];
    b->a_rx_cap = (uint32_t)v[1];
    b->a_out = (uint32_t)v[2];
    b->a_out_cap = (uint32_t)v[3];
    b->a_info = (uint32_t)v[4];
    b->a_counters = (uint32_t)v[5];
    b->a_count = (uint32_t)v[6];
    b->a_dump = (uint32_t)v[7];
#define CHK(what, p, n)                                                                                     \
    if ((uint64_t)(p) + (uint64_t)(n) > mem) {                                                              \
        set_err(err, errlen, "firmware: %s (%lu bytes at 0x%lx) lies outside memory (%lu bytes)", what,      \
                (unsigned long)(n), (unsigned long)(p), (unsigned long)mem);                                \
        return -1;                                                                                          \
    }
    CHK("rx buffer", b->a_rx, b->a_rx_cap)
    CHK("out buffer", b->a_out, b->a_out_cap)
    CHK("info buffer", b->a_info, 64u)
    CHK("dump buffer", b->a_dump, 256u)
    CHK("counters", b->a_counters, (uint64_t)b->a_count * 8u)
#undef CHK
    /* Counter names: `counter_name(i)` writes name i (ASCII) into the dump buffer (docs/abi.md
     * counter_name). Copied into one '\n'-separated text with an offset per name: a first pass sizes it. */
    nf = find(b, "counter_name", "i", 'i', err, errlen);
    if (!nf) return -1;
    free(b->names);
    free(b->name_off);
    b->names = NULL;
    b->name_off = NULL;
    b->n_names = b->a_count;
    for (nlen = 0, k = 0; k < b->a_count; k++) {
        if (name_at(b, nf, k, &len, err, errlen)) return -1;
        nlen += len + 1;
    }
    b->names = (char *)malloc((size_t)nlen + 1);
    b->name_off = (uint32_t *)malloc(sizeof(uint32_t) * ((size_t)b->n_names + 1));
    if (!b->names || !b->name_off) {
        b->n_names = 0;
        set_err(err, errlen, "out of memory for %d bytes of counter names", (int)nlen);
        return -1;
    }
    for (start = 0, k = 0; k < b->a_count; k++) {
        if (name_at(b, nf, k, &len, err, errlen)) return -1;
        b->name_off[k] = start;
        memcpy(b->names + start, span(b->rt, b->a_dump, len), len);
        start += len;
        b->names[start++] = '\n';
    }
    b->name_off[b->n_names] = start;
    b->names[nlen] = 0;
    b->host_bytes = (uint32_t)(sizeof *b + (size_t)nlen + 1 + sizeof(uint32_t) * ((size_t)b->n_names + 1));
    return 0;
}

/*
 * Warm-up (options.warm_up): before the real start, start the board once with every platform callback
 * muted (no frame, packet, log line or event reaches the platform; time stands still unless the
 * warm-up moves it; random bytes from a local generator, so a simulator's seeded stream is not
 * touched) and run it through the exchanges of src/warmup.c — ARP, echo, agent advertisement,
 * registration request and reply, IP in IP, forwarding, local output, timers — so that Wasm3 compiles
 * those paths now, while memory is free, instead of on the first real frame of each kind. Then the
 * caller starts it for real with the same configuration (docs/abi.md: init discards all state), so the
 * board behaves exactly as without warm-up. A refusal or a trap during the warm-up is forgotten: the
 * real start reports it.
 */
static int warm_up(mipfw_board *b, const uint8_t *cfg, uint32_t cfg_len, char *err, size_t errlen)
{
    b->warming = 1;
    b->warm_rng = 0x9e3779b9u;
    b->warm_now = b->plat.now_ms ? b->plat.now_ms(b->plat.ctx) : 0;
    if (apply_config(b, cfg, cfg_len, NULL, 0) == 0 && !b->trap[0] && read_addrs(b, NULL, 0) == 0)
        mipfw_warm_traffic(b, &b->warm_now);
    b->warming = 0;
    b->last_error[0] = 0;
    /* A trap of the module ("[trap] ...") leaves Wasm3 consistent: forgotten, the real start reports
     * what it finds. Anything else is Wasm3 failing to compile a function on its way (out of memory for
     * a code page, ...): that function is left half-made, so this runtime must not run again. */
    if (b->trap[0] && !strstr(b->trap, "[trap]")) {
        set_err(err, errlen, "out of memory (or a compile error) while warming up: %s", b->trap);
        return -1;
    }
    b->trap[0] = 0;
    return 0;
}

int mipfw_board_open(mipfw_board **out, const uint8_t *wasm, uint32_t wasm_len, const uint8_t *cfg, uint32_t cfg_len,
                     const mipfw_options *opt, const mipfw_platform *plat, char *err, size_t errlen)
{
    mipfw_board *b;
    M3Result e;
    int32_t version = 0;
    uint32_t j, limit;
    int rc;
    if (err && errlen) err[0] = 0;
    if (!out || !wasm || !plat) {
        set_err(err, errlen, "mipfw_board_open: out, wasm and plat are required");
        return -1;
    }
    *out = NULL;
    if (!cfg) cfg_len = 0;
    if (opt && opt->stack_bytes > MAX_STACK) {
        set_err(err, errlen, "options: stack_bytes: expected at most %u bytes, got %u", MAX_STACK,
                (unsigned)opt->stack_bytes);
        return -1;
    }
    if (check_imports(wasm, wasm_len, err, errlen)) return -1;
    b = (mipfw_board *)calloc(1, sizeof *b);
    if (!b) {
        set_err(err, errlen, "out of memory (board)");
        return -1;
    }
    b->plat = *plat;
    if (opt) b->opt = *opt;
    else mipfw_options_default(&b->opt);
    if (b->opt.stack_bytes == 0) b->opt.stack_bytes = DEFAULT_STACK;
    limit = b->opt.memory_limit;
    b->env = m3_NewEnvironment();
    if (!b->env) {
        set_err(err, errlen, "wasm3: out of memory creating the environment");
        goto fail;
    }
    b->rt = m3_NewRuntime(b->env, b->opt.stack_bytes, b);
    if (!b->rt) {
        set_err(err, errlen, "wasm3: out of memory creating the runtime (value stack %u bytes)",
                (unsigned)b->opt.stack_bytes);
        goto fail;
    }
    /* Internal: paint the value stack (M3Runtime.originStack, numStackSlots) to measure its peak. */
    memset(b->rt->originStack, STACK_PAINT, b->rt->numStackSlots * sizeof(m3slot_t));
    /* Internal: M3Runtime.memoryLimit caps the bytes Wasm3 allocates for linear memory. */
    b->rt->memoryLimit = limit;
    e = m3_ParseModule(b->env, &b->mod, wasm, wasm_len);
    if (e) {
        set_err(err, errlen, "firmware: not a valid WebAssembly module for wasm3: %s", e);
        goto fail;
    }
    e = m3_LoadModule(b->rt, b->mod);
    if (e) {
        if (limit && limit < PAGE_BYTES && strstr(e, "out of bounds"))
            set_err(err, errlen, "memory budget: memory_limit %u bytes is smaller than the firmware's static data (%s)",
                    (unsigned)limit, e);
        else
            set_err(err, errlen, "firmware: wasm3 could not load the module: %s", e);
        m3_FreeModule(b->mod);
        b->mod = NULL;
        goto fail;
    }
    /* Internal: M3Runtime.memory.mallocated (m3_GetMemory dereferences it unchecked). */
    if (!b->rt->memory.mallocated) {
        set_err(err, errlen, "firmware: the module has no linear memory");
        goto fail;
    }
    if (limit) {
        /* Internal: M3Runtime.memory.maxPages, so memory.grow past the cap fails in the core (which
         * then refuses with its own figure) instead of succeeding with pages that are not there. */
        uint32_t pages = (uint32_t)(((uint64_t)limit + PAGE_BYTES - 1) / PAGE_BYTES);
        if (b->rt->memory.maxPages > pages) b->rt->memory.maxPages = pages;
    }
    for (j = 0; j < 6; j++) {
        e = m3_LinkRawFunction(b->mod, "host", IMPORTS[j].name, IMPORTS[j].sig, IMPORTS[j].fn);
        /* A module that does not import one of these simply does not use it. */
        if (e && e != m3Err_functionLookupFailed) {
            set_err(err, errlen, "firmware: import host.%s: %s (expected %s)", IMPORTS[j].name, e, IMPORTS[j].sig);
            goto fail;
        }
    }
    if (b->opt.eager) {
        e = m3_CompileModule(b->mod);
        if (e) {
            set_err(err, errlen, "firmware: wasm3 could not compile the module: %s", e);
            goto fail;
        }
    }
    e = m3_RunStart(b->mod);
    if (e) {
        set_err(err, errlen, "firmware: start function: %s", e);
        goto fail;
    }
    if (get_i32(b, "abi_version", &version, err, errlen)) goto fail;
    if (version != MIPFW_ABI_VERSION) {
        set_err(err, errlen, "firmware ABI %d, host ABI %d", (int)version, MIPFW_ABI_VERSION);
        goto fail;
    }
    if (!(b->init = find(b, "init", "ii", 'i', err, errlen)) ||
        !(b->config_add = find(b, "config_add", "ii", 'i', err, errlen)) ||
        !(b->rx = find(b, "rx", "ii", 'i', err, errlen)) || !(b->output = find(b, "output", "i", 'i', err, errlen)) ||
        !(b->tick = find(b, "tick", "I", 'I', err, errlen)) || !(b->link = find(b, "link", "iiii", 0, err, errlen)) ||
        !(b->heap_used = find(b, "heap_used", "", 'i', err, errlen)) ||
        !(b->static_bytes = find(b, "static_bytes", "", 'i', err, errlen)) ||
        !(b->memory_pages = find(b, "memory_pages", "", 'i', err, errlen)) ||
        !(b->dump = find(b, "dump", "ii", 'i', err, errlen)))
        goto fail;
    {
        Func f = NULL;
        /* Optional export: modules before issue 10 lack it; a wrong signature is refused like any other. */
        if (!m3_FindFunction(&f, b->rt, "station") && !(b->station = find(b, "station", "iiii", 0, err, errlen))) goto fail;
    }
    if (b->opt.warm_up && warm_up(b, cfg, cfg_len, err, errlen)) goto fail;
    rc = apply_config(b, cfg, cfg_len, err, errlen);
    if (rc == -2) {
        /* A trap in init/config_add. With a memory cap, an out-of-bounds trap means the tables did not
         * fit in the capped memory: say what they need. */
        char why[MSG];
        uint32_t need = 0;
        mipfw_options o = b->opt;
        snprintf(why, sizeof why, "%s", b->trap);
        mipfw_board_close(b);
        b = NULL;
        if (limit && strstr(why, "out of bounds") && measure_need(wasm, wasm_len, cfg, cfg_len, &o, plat, &need) == 0)
            set_err(err, errlen, "memory budget: the configuration needs %u bytes of linear memory, memory_limit is %u",
                    (unsigned)need, (unsigned)limit);
        else if (limit && strstr(why, "out of bounds"))
            set_err(err, errlen, "memory budget: the configuration needs more than memory_limit %u bytes (trap in %s)",
                    (unsigned)limit, why);
        else
            set_err(err, errlen, "firmware trapped in %s", why);
        goto fail;
    }
    if (rc && limit && strstr(err ? err : "", "(code 2)")) {
        /* The core's budget refusal (code 2) under a cap: memory.grow failed at the cap. Say what the
         * configuration needs (when it fits uncapped; otherwise the core's reason stands). */
        uint32_t need = 0;
        mipfw_options o = b->opt;
        mipfw_board_close(b);
        b = NULL;
        if (measure_need(wasm, wasm_len, cfg, cfg_len, &o, plat, &need) == 0)
            set_err(err, errlen, "memory budget: the configuration needs %u bytes of linear memory, memory_limit is %u",
                    (unsigned)need, (unsigned)limit);
        goto fail;
    }
    if (rc) goto fail;
    if (limit) {
        uint32_t need = getter(b, "static_bytes", b->static_bytes) + getter(b, "heap_used", b->heap_used);
        if (need > limit) {
            set_err(err, errlen, "memory budget: the configuration needs %u bytes of linear memory, memory_limit is %u",
                    (unsigned)need, (unsigned)limit);
            goto fail;
        }
    }
    if (read_addrs(b, err, errlen)) goto fail;
    *out = b;
    return 0;
fail:
    mipfw_board_close(b);
    return -1;
}

/* ---- the board API --------------------------------------------------------------------------- */

int mipfw_board_rx(mipfw_board *b, uint32_t iface, const uint8_t *frame, uint32_t len)
{
    int32_t i = (int32_t)iface, l, r = 1;
    const void *argv[2];
    if (b->trap[0]) return -1;
    if (len > b->a_rx_cap) {
        l = (int32_t)(b->a_rx_cap + 1); /* counted as too long by the core */
    } else {
        if (mem_write(b, b->a_rx, frame, len)) return -1;
        l = (int32_t)len;
    }
    argv[0] = &i;
    argv[1] = &l;
    if (call(b, "rx", b->rx, 2, argv, &r)) return -1;
    return r;
}

int mipfw_board_output(mipfw_board *b, const uint8_t *packet, uint32_t len)
{
    int32_t l, r = 1;
    const void *argv[1];
    if (b->trap[0]) return -1;
    if (len > b->a_out_cap) {
        l = (int32_t)(b->a_out_cap + 1);
    } else {
        if (mem_write(b, b->a_out, packet, len)) return -1;
        l = (int32_t)len;
    }
    argv[0] = &l;
    if (call(b, "output", b->output, 1, argv, &r)) return -1;
    return r;
}

int64_t mipfw_board_tick(mipfw_board *b, int64_t now_ms)
{
    int64_t next = INT64_MAX;
    const void *argv[1];
    argv[0] = &now_ms;
    if (call(b, "tick", b->tick, 1, argv, &next)) return -1;
    return next;
}

void mipfw_board_link(mipfw_board *b, uint32_t iface, int up, const uint8_t *bssid)
{
    int32_t i = (int32_t)iface, s = up ? 1 : 0, p = (int32_t)b->a_info, len = 0;
    const void *argv[4];
    if (b->trap[0]) return;
    if (up && bssid && mem_write(b, b->a_info, bssid, 6) == 0) len = 6;
    argv[0] = &i;
    argv[1] = &s;
    argv[2] = &p;
    argv[3] = &len;
    call(b, "link", b->link, 4, argv, NULL);
}

void mipfw_board_station(mipfw_board *b, uint32_t iface, int up, const uint8_t mac[6])
{
    int32_t i = (int32_t)iface, s = up ? 1 : 0, p = (int32_t)b->a_info, len = 6;
    const void *argv[4];
    if (b->trap[0] || !b->station || !mac || mem_write(b, b->a_info, mac, 6) != 0) return;
    argv[0] = &i;
    argv[1] = &s;
    argv[2] = &p;
    argv[3] = &len;
    call(b, "station", b->station, 4, argv, NULL);
}

uint32_t mipfw_board_counter_count(mipfw_board *b)
{
    return b->a_count;
}

uint64_t mipfw_board_counter(mipfw_board *b, uint32_t i, const char **name, uint32_t *name_len)
{
    const uint8_t *c;
    if (name && name_len) {
        if (i < b->n_names) {
            *name = b->names + b->name_off[i];
            *name_len = b->name_off[i + 1] - b->name_off[i] - 1;
        } else {
            snprintf(b->name_tmp, sizeof b->name_tmp, "counter_%u", (unsigned)i);
            *name = b->name_tmp;
            *name_len = (uint32_t)strlen(b->name_tmp);
        }
    }
    if (i >= b->a_count) return 0;
    c = span(b->rt, b->a_counters + 8u * i, 8);
    return c ? le64(c) : 0;
}

int mipfw_board_dump(mipfw_board *b, int table, int index, uint8_t *out, uint32_t cap)
{
    int32_t t = table, k = index, len = -1;
    const void *argv[2];
    const uint8_t *d;
    argv[0] = &t;
    argv[1] = &k;
    if (call(b, "dump", b->dump, 2, argv, &len) || len < 0) return -1;
    d = span(b->rt, b->a_dump, (uint32_t)len);
    if (!d || (uint32_t)len > cap) return -1;
    if (len) memcpy(out, d, (size_t)len); /* out may be NULL with cap 0 */
    return len;
}

uint32_t mipfw_board_heap_used(mipfw_board *b)
{
    return getter(b, "heap_used", b->heap_used);
}

uint32_t mipfw_board_memory_pages(mipfw_board *b)
{
    return getter(b, "memory_pages", b->memory_pages);
}

uint32_t mipfw_board_memory_bytes(mipfw_board *b)
{
    return m3_GetMemorySize(b->rt);
}

const char *mipfw_board_trapped(mipfw_board *b)
{
    return b->trap[0] ? b->trap : NULL;
}

uint32_t mipfw_board_stack_peak(mipfw_board *b)
{
    /* Internal: M3Runtime.originStack / numStackSlots (painted with STACK_PAINT at open). */
    const uint8_t *s = (const uint8_t *)b->rt->originStack;
    uint32_t n = b->rt->numStackSlots * (uint32_t)sizeof(m3slot_t);
    while (n > 0 && s[n - 1] == STACK_PAINT) n--;
    return n;
}

uint32_t mipfw_board_host_bytes(mipfw_board *b)
{
    return b->host_bytes ? b->host_bytes : (uint32_t)sizeof *b;
}

uint32_t mipfw_board_compiled_functions(mipfw_board *b, uint32_t *total)
{
    /* Internal: M3Module.numFunctions and M3Function.compiled (non-NULL once compiled; imports
     * count as compiled once linked). */
    uint32_t i, n = 0;
    if (total) *total = b->mod ? b->mod->numFunctions : 0;
    if (!b->mod) return 0;
    for (i = 0; i < b->mod->numFunctions; i++)
        if (b->mod->functions[i].compiled) n++;
    return n;
}

void mipfw_board_close(mipfw_board *b)
{
    if (!b) return;
    if (b->rt) m3_FreeRuntime(b->rt); /* frees the loaded module too */
    if (b->env) m3_FreeEnvironment(b->env);
    free(b->names);
    free(b->name_off);
    free(b);
}
