/* The self test's input frames (include/mipfw_selftest.h): the bytes of host/wasm3/src/selftest.rs. */
#include <string.h>

#include "mipfw_selftest.h"

static const uint8_t PEER_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x99, 0x01};

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

int mipfw_selftest_iface(mipfw_board *b, uint32_t i, uint8_t mac[6], uint32_t *ip, int *prefix)
{
    uint8_t rec[256];
    /* Interface record: MAC at 2, prefix length (128-bit space) at 10, IPv4-mapped address at 16..31. */
    if (mipfw_board_dump(b, 0, (int)i, rec, sizeof rec) < 32) return -1;
    memcpy(mac, rec + 2, 6);
    /* The module's word: a length past 128 (or under 96) must not reach a shift (mipfw_selftest_peer). */
    *prefix = rec[10] >= 96 && rec[10] <= 128 ? rec[10] - 96 : rec[10] > 128 ? 32 : 0;
    *ip = (uint32_t)rec[28] << 24 | (uint32_t)rec[29] << 16 | (uint32_t)rec[30] << 8 | rec[31];
    return 0;
}

uint32_t mipfw_selftest_peer(uint32_t ip, int prefix)
{
    uint32_t mask = prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffffu : 0xffffffffu << (32 - prefix);
    uint32_t peer = (ip & mask) | 100;
    return peer == ip ? peer + 1 : peer;
}

uint16_t mipfw_inet_checksum(const uint8_t *d, uint32_t n, uint32_t s)
{
    uint32_t i;
    for (i = 0; i + 1 < n; i += 2) s += (uint32_t)d[i] << 8 | d[i + 1];
    if (n & 1) s += (uint32_t)d[n - 1] << 8;
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

uint32_t mipfw_selftest_arp_request(uint8_t *f, uint32_t peer, uint32_t target)
{
    static const uint8_t H[10] = {0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1};
    memset(f, 0xff, 6);
    memcpy(f + 6, PEER_MAC, 6);
    memcpy(f + 12, H, 10);
    memcpy(f + 22, PEER_MAC, 6);
    put32(f + 28, peer);
    memset(f + 32, 0, 6);
    put32(f + 38, target);
    return 42;
}

uint32_t mipfw_selftest_echo_request(uint8_t *f, uint32_t peer, uint32_t dst, const uint8_t *dst_mac)
{
    static const char PAYLOAD[] = "mipfw wasm3 selftest";
    uint8_t *ip = f + 14, *icmp = f + 34;
    uint32_t plen = (uint32_t)sizeof PAYLOAD - 1, ilen = 8 + plen, total = 20 + ilen;
    uint16_t c;
    memcpy(f, dst_mac, 6);
    memcpy(f + 6, PEER_MAC, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    memcpy(icmp, "\x08\x00\x00\x00\x42\x42\x00\x01", 8);
    memcpy(icmp + 8, PAYLOAD, plen);
    c = mipfw_inet_checksum(icmp, ilen, 0);
    icmp[2] = (uint8_t)(c >> 8);
    icmp[3] = (uint8_t)c;
    memcpy(ip, "\x45\x00\x00\x00\x12\x34\x00\x00\x40\x01\x00\x00", 12);
    ip[2] = (uint8_t)(total >> 8);
    ip[3] = (uint8_t)total;
    put32(ip + 12, peer);
    put32(ip + 16, dst);
    c = mipfw_inet_checksum(ip, 20, 0);
    ip[10] = (uint8_t)(c >> 8);
    ip[11] = (uint8_t)c;
    return 14 + total;
}
