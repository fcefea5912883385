/*
 * The self test's input frames, shared by every C platform (host/c/linux mipfw-c, host/c/rv32-virt):
 * the same frames `mipfw-board selftest` feeds (host/wasm3/src/selftest.rs), so their outputs can be
 * compared line for line.
 */
#ifndef MIPFW_SELFTEST_H
#define MIPFW_SELFTEST_H

#include <stdint.h>

#include "mipfw_host.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Interface `i` of the running configuration (dump table 0, docs/abi.md): MAC, IPv4 address (host
 *  order) and prefix length. 0, or -1 when there is no such interface. */
int mipfw_selftest_iface(mipfw_board *b, uint32_t i, uint8_t mac[6], uint32_t *ip, int *prefix);
/** The neighbour the self test speaks as: host number 100 of `ip`'s subnet (101 if that is `ip`). */
uint32_t mipfw_selftest_peer(uint32_t ip, int prefix);
/** Ethernet II + ARP request from the peer asking for `target`, into `f` (≥ 42 bytes); its length. */
uint32_t mipfw_selftest_arp_request(uint8_t *f, uint32_t peer, uint32_t target);
/** Ethernet II + IPv4 + ICMP echo request from the peer to `dst` at `dst_mac`, into `f` (≥ 62 bytes); its length. */
uint32_t mipfw_selftest_echo_request(uint8_t *f, uint32_t peer, uint32_t dst, const uint8_t *dst_mac);
/** The Internet checksum (RFC 1071) of `n` bytes at `d`, starting from the partial sum `s`. */
uint16_t mipfw_inet_checksum(const uint8_t *d, uint32_t n, uint32_t s);

#ifdef __cplusplus
}
#endif

#endif
