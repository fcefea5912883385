/*
 * Reader of the configuration image for the ESP-IDF port (mipfw_esp_config.h). The layout is
 * docs/abi.md "Configuration"; the image framing is mipfw_host.h's (u32 LE chunk lengths).
 */
#include "mipfw_esp_config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { REC_BOARD = 1, REC_NODE = 2, REC_IFACE = 3, REC_ROUTE = 4, REC_MOBILITY = 5, REC_SA = 6 };
enum { IFACE_LEN = 32 };

static uint16_t be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static uint32_t le32(const uint8_t *p) {
    return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(char *err, size_t errlen, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* An IPv4-mapped 16-byte address (::ffff:a.b.c.d) to its 4 bytes; 0 ok, -1 another address. */
static int mapped4(const uint8_t *a16, uint8_t out[4]) {
    for (int i = 0; i < 10; i++)
        if (a16[i]) return -1;
    if (a16[10] != 0xff || a16[11] != 0xff) return -1;
    memcpy(out, a16 + 12, 4);
    return 0;
}

/* Walk the key/length/value entries of a BOARD, NODE or MOBILITY record. */
static int read_kv(int type, const uint8_t *v, uint32_t n, mipfw_esp_node *out, char *err, size_t errlen) {
    uint32_t o = 0;
    while (o < n) {
        if (n - o < 4)
            return fail(err, errlen, "config record %u: key/value entry at %u: expected 4 header bytes, got %u",
                        (unsigned)type, (unsigned)o, (unsigned)(n - o));
        uint16_t key = be16(v + o), klen = be16(v + o + 2);
        o += 4;
        if (klen > n - o)
            return fail(err, errlen, "config record %u key %u length: expected at most %u, got %u", (unsigned)type,
                        (unsigned)key, (unsigned)(n - o), (unsigned)klen);
        const uint8_t *val = v + o;
        if (type == REC_NODE && key == 1 && klen == 4) out->roles = be32(val);
        if (type == REC_BOARD && key == 1 && klen == 4) out->memory_pages = be32(val);
        if (type == REC_MOBILITY) {
            if ((key == 1 || key == 2) && klen == 16) {
                uint8_t a[4];
                if (mapped4(val, a) != 0)
                    return fail(err, errlen, "config mobility %s: expected an IPv4-mapped address (::ffff:a.b.c.d), got %02x%02x..",
                                key == 1 ? "homeAddress" : "homeAgent", val[0], val[1]);
                if (key == 1) {
                    memcpy(out->home_address, a, 4);
                    out->has_home_address = 1;
                } else {
                    memcpy(out->home_agent, a, 4);
                }
            }
            if (key == 3 && klen == 4) {
                uint32_t p = be32(val);
                if (p < 1 || p > 32)
                    return fail(err, errlen, "config mobility homePrefixLen: expected 1..32, got %u", (unsigned)p);
                out->home_prefix_len = (uint8_t)p;
            }
        }
        o += klen;
    }
    return 0;
}

static int read_iface(const uint8_t *v, uint32_t n, mipfw_esp_node *out, char *err, size_t errlen) {
    if (n != IFACE_LEN)
        return fail(err, errlen, "config IFACE record length: expected %u, got %u", (unsigned)IFACE_LEN, (unsigned)n);
    unsigned idx = v[0];
    if (idx >= MIPFW_ESP_MAX_IFACES)
        return fail(err, errlen, "config IFACE index: expected 0..%u, got %u", MIPFW_ESP_MAX_IFACES - 1, idx);
    mipfw_esp_iface *f = &out->iface[idx];
    if (f->present) return fail(err, errlen, "config IFACE index: expected each index once, got %u twice", idx);
    if (v[2] & 1)
        return fail(err, errlen, "config IFACE %u mac: expected a unicast MAC, got first byte 0x%02x", idx, (unsigned)v[2]);
    unsigned plen = v[10];
    if (plen < 96 || plen > 128)
        return fail(err, errlen, "config IFACE %u prefixLen: expected 96..128, got %u", idx, plen);
    uint8_t a[4];
    if (mapped4(v + 16, a) != 0)
        return fail(err, errlen, "config IFACE %u address: expected an IPv4-mapped address (::ffff:a.b.c.d), got %02x%02x..",
                    idx, v[16], v[17]);
    f->present = 1;
    f->flags = v[1];
    memcpy(f->mac, v + 2, 6);
    f->mtu = be16(v + 8);
    f->prefix_len = (uint8_t)(plen - 96);
    memcpy(f->addr, a, 4);
    out->iface_count++;
    return 0;
}

static int read_chunk(const uint8_t *c, uint32_t n, unsigned ci, mipfw_esp_node *out, char *err, size_t errlen) {
    if (n < 8) return fail(err, errlen, "config chunk %u length: expected at least 8 (header), got %u", ci, (unsigned)n);
    if (memcmp(c, "MIPF", 4) != 0)
        return fail(err, errlen, "config chunk %u magic: expected MIPF, got %02x%02x..", ci, c[0], c[1]);
    if (be16(c + 4) != 2) return fail(err, errlen, "config chunk %u version: expected 2, got %u", ci, (unsigned)be16(c + 4));
    uint32_t o = 8;
    while (o < n) {
        if (n - o < 4)
            return fail(err, errlen, "config chunk %u record at %u: expected 4 header bytes, got %u", (unsigned)ci, (unsigned)o, (unsigned)(n - o));
        unsigned type = c[o];
        uint32_t rlen = be16(c + o + 2);
        o += 4;
        if (rlen > n - o)
            return fail(err, errlen, "config record %u length: expected at most %u, got %u", type, (unsigned)(n - o), (unsigned)rlen);
        int r = 0;
        if (type == REC_BOARD || type == REC_NODE || type == REC_MOBILITY) {
            if (ci != 0) return fail(err, errlen, "config chunk %u: expected only ROUTE, SA and IPSEC records, got type %u", (unsigned)ci, type);
            r = read_kv((int)type, c + o, rlen, out, err, errlen);
        } else if (type == REC_IFACE) {
            if (ci != 0) return fail(err, errlen, "config chunk %u: expected only ROUTE, SA and IPSEC records, got type %u", (unsigned)ci, type);
            r = read_iface(c + o, rlen, out, err, errlen);
        }
        if (r != 0) return r;
        o += rlen;
    }
    return 0;
}

int mipfw_esp_config_read(const uint8_t *img, uint32_t len, mipfw_esp_node *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (err && errlen) err[0] = 0;
    if (!img || len == 0) return fail(err, errlen, "config image: expected at least one chunk, got 0 bytes");
    uint32_t o = 0;
    unsigned ci = 0;
    while (o < len) {
        if (len - o < 4)
            return fail(err, errlen, "config image chunk %u length field: expected 4 bytes, got %u", (unsigned)ci, (unsigned)(len - o));
        uint32_t n = le32(img + o);
        o += 4;
        if (n > len - o)
            return fail(err, errlen, "config image chunk %u length: expected at most %u, got %u", (unsigned)ci, (unsigned)(len - o), (unsigned)n);
        if (read_chunk(img + o, n, ci, out, err, errlen) != 0) return -1;
        o += n;
        ci++;
    }
    out->chunks = ci;
    if (!out->iface[0].present)
        return fail(err, errlen, "config IFACE: expected an interface with index 0, got %u interfaces", (unsigned)out->iface_count);
    return 0;
}

int mipfw_esp_local_address(const mipfw_esp_node *n, uint8_t addr[4], uint8_t *prefix_len) {
    if (n->has_home_address) {
        memcpy(addr, n->home_address, 4);
        *prefix_len = n->home_prefix_len ? n->home_prefix_len : n->iface[0].prefix_len;
        return 0;
    }
    static const uint8_t zero[4] = {0, 0, 0, 0};
    if (n->iface[0].present && memcmp(n->iface[0].addr, zero, 4) != 0) {
        memcpy(addr, n->iface[0].addr, 4);
        *prefix_len = n->iface[0].prefix_len;
        return 0;
    }
    return -1;
}
