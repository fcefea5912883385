/*
 * The warm-up's exchanges (mipfw_host.c warm_up): frames and packets that take the main paths of every
 * role through the core once, so Wasm3 compiles them at boot. The board is muted meanwhile and started
 * again afterwards, so nothing here is seen by the platform or kept by the board; the frames only need
 * to be well formed enough to get past the checks in front of each path (checksums, addresses).
 *
 * All on interface 0 (its address, MAC and prefix from dump table 0), from the self test's peer:
 *  links up; ARP request and reply (neighbour cache); ICMP echo (IPv4 input, ICMP, output); an agent
 *  advertisement of a foreign agent (mobile node: agent discovery, movement detection, a registration
 *  request with its authenticator — MD5); a registration reply (its parsing and authentication); a
 *  registration request to this node (home or foreign agent: parsing, security association lookup,
 *  authentication, a reply); an IP-in-IP datagram to it (tunnel exit); a datagram through it
 *  (forwarding); a packet from its own stack (local output); timers 1 s, 10 s and 5 min later
 *  (advertisements, solicitations, retransmissions, expiry).
 */
#include <string.h>

#include "mipfw_selftest.h"
#include "warmup.h"

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

/* Ethernet II header to `dst` from the peer's MAC (the self test's ARP request carries it at 6). */
static void eth(uint8_t *f, const uint8_t *dst, const uint8_t *peer_mac, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, peer_mac, 6);
    put16(f + 12, type);
}

/* IPv4 header (20 bytes, TTL 64) at `ip` for `payload` bytes of protocol `proto`. */
static void ipv4(uint8_t *ip, uint32_t payload, uint8_t proto, uint32_t src, uint32_t dst)
{
    uint16_t c;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, 20 + payload);
    put16(ip + 4, 0x5757);
    ip[8] = 64;
    ip[9] = proto;
    put32(ip + 12, src);
    put32(ip + 16, dst);
    c = mipfw_inet_checksum(ip, 20, 0);
    put16(ip + 10, c);
}

/* UDP datagram `data` (n bytes) from src:sport to dst:dport at `ip` (IPv4 header first); its length. */
static uint32_t udp(uint8_t *ip, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, const uint8_t *data, uint32_t n)
{
    uint8_t *u = ip + 20;
    uint32_t s;
    uint16_t c;
    ipv4(ip, 8 + n, 17, src, dst);
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, 8 + n);
    put16(u + 6, 0);
    memcpy(u + 8, data, n);
    /* RFC 768: the pseudo-header (addresses, protocol, length) in the sum. */
    s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 17 + 8 + n;
    c = mipfw_inet_checksum(u, 8 + n, s);
    put16(u + 6, c ? c : 0xffff);
    return 28 + n;
}

/* Registration request (RFC 2002 §3.3; type 1, lifetime 60 s) of `home` with home agent `ha` via `coa`. */
static uint32_t reg_request(uint8_t *m, uint32_t home, uint32_t ha, uint32_t coa)
{
    memset(m, 0, 24);
    m[0] = 1;
    put16(m + 2, 60);
    put32(m + 4, home);
    put32(m + 8, ha);
    put32(m + 12, coa);
    put32(m + 16, 0xe8000000u);
    return 24;
}

void mipfw_warm_traffic(mipfw_board *b, int64_t *now)
{
    static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    uint8_t f[256], mac[6], peer_mac[6], other[6], msg[64];
    uint32_t ip, peer, far, n_if = 0, n, i;
    int prefix, k;
    if (mipfw_selftest_iface(b, 0, mac, &ip, &prefix)) return;
    while (mipfw_selftest_iface(b, n_if, other, &n, &k) == 0) n_if++;
    peer = mipfw_selftest_peer(ip, prefix);
    far = (ip ^ 0x40000000u) | 1; /* off every configured subnet in practice: a routed destination */
    for (i = 0; i < n_if; i++) mipfw_board_link(b, i, 1, NULL);

    /* ARP: who-has us, then the peer's reply to us (RFC 826). */
    n = mipfw_selftest_arp_request(f, peer, ip);
    memcpy(peer_mac, f + 6, 6);
    mipfw_board_rx(b, 0, f, n);
    eth(f, mac, peer_mac, 0x0806);
    memcpy(f + 14, "\x00\x01\x08\x00\x06\x04\x00\x02", 8);
    memcpy(f + 22, peer_mac, 6);
    put32(f + 28, peer);
    memcpy(f + 32, mac, 6);
    put32(f + 38, ip);
    mipfw_board_rx(b, 0, f, 42);

    /* ICMP echo to us. */
    n = mipfw_selftest_echo_request(f, peer, ip, mac);
    mipfw_board_rx(b, 0, f, n);

    /* ICMP router advertisement with a mobility agent advertisement extension (RFC 2002 §2.1): the
     * peer as a foreign agent (F) offering itself as care-of address, to 224.0.0.1. */
    eth(f, BCAST, peer_mac, 0x0800);
    {
        uint8_t *icmp = f + 34;
        uint16_t c;
        memset(icmp, 0, 26);
        icmp[0] = 9;
        icmp[4] = 1;             /* one router address */
        icmp[5] = 2;             /* of 2 words */
        put16(icmp + 6, 30);     /* lifetime */
        put32(icmp + 8, peer);
        icmp[16] = 16;           /* mobility agent advertisement */
        icmp[17] = 10;
        put16(icmp + 18, 1);     /* sequence */
        put16(icmp + 20, 600);   /* registration lifetime */
        put16(icmp + 22, 0x1000); /* F */
        put32(icmp + 24, peer);  /* care-of address */
        c = mipfw_inet_checksum(icmp, 28, 0);
        put16(icmp + 2, c);
        ipv4(f + 14, 28, 1, peer, 0xe0000001u);
        f[22] = 1; /* TTL 1 (RFC 1256) */
        put16(f + 24, 0);
        put16(f + 24, mipfw_inet_checksum(f + 14, 20, 0));
        mipfw_board_rx(b, 0, f, 14 + 20 + 28);
    }
    *now += 100;
    mipfw_board_tick(b, *now);

    /* Registration reply to us from the peer (type 3, code 0; no authenticator: refused after parsing). */
    memset(msg, 0, 20);
    msg[0] = 3;
    put16(msg + 2, 60);
    put32(msg + 4, ip);
    put32(msg + 8, peer);
    eth(f, mac, peer_mac, 0x0800);
    n = udp(f + 14, peer, 434, ip, 434, msg, 20);
    mipfw_board_rx(b, 0, f, 14 + n);

    /* Registration request to us: as home agent (we are the home agent) and as foreign agent (relayed). */
    n = reg_request(msg, peer, ip, ip);
    n = udp(f + 14, peer, 434, ip, 434, msg, n);
    mipfw_board_rx(b, 0, f, 14 + n);
    n = reg_request(msg, far, far ^ 2u, ip);
    n = udp(f + 14, far, 434, ip, 434, msg, n);
    mipfw_board_rx(b, 0, f, 14 + n);

    /* IP in IP to us carrying a datagram for the peer (RFC 2003: tunnel exit). */
    eth(f, mac, peer_mac, 0x0800);
    n = udp(f + 34, far, 9, peer, 9, msg, 8);
    ipv4(f + 14, n, 4, far, ip);
    mipfw_board_rx(b, 0, f, 34 + n);

    /* A datagram through us (forwarding, or refused by a node that does not route). */
    n = udp(f + 14, peer, 9, far, 9, msg, 8);
    mipfw_board_rx(b, 0, f, 14 + n);

    /* A packet from the node's own stack. */
    n = udp(f, ip, 9, peer, 9, msg, 8);
    mipfw_board_output(b, f, n);

    /* Timers: 1 s, 10 s and 5 min on (advertisements, solicitations, retransmissions, expiry). */
    *now += 1000;
    mipfw_board_tick(b, *now);
    *now += 9000;
    mipfw_board_tick(b, *now);
    *now += 300000;
    mipfw_board_tick(b, *now);
    for (i = 0; i < n_if; i++) mipfw_board_link(b, i, 0, NULL);
}
