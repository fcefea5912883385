// Ethernet II frames (RFC 894 for IPv4 over Ethernet; IEEE 802.3 framing, DIX type field).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                 Destination MAC address (6)                   |
//   +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                               |                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//   |                   Source MAC address (6)                      |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |          EtherType            |   payload ...
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The host passes frames without preamble or FCS. Frames shorter than 60 bytes are accepted (the host
// may have stripped padding); anything shorter than the 14-byte header is refused. An EtherType below
// 0x0600 is an 802.3 length field (LLC frame), which this core does not handle: the caller drops it as
// an unknown EtherType.

import { swap16 } from "./bytes";

export const ETH_DST: usize = 0;
export const ETH_SRC: usize = 6;
export const ETH_TYPE: usize = 12;
/** Length of the Ethernet II header. */
export const ETH_HEADER_LEN: i32 = 14;
/** Minimum frame length without FCS (IEEE 802.3: 64 bytes with FCS). */
export const ETH_MIN_FRAME: i32 = 60;

/** EtherType of IPv4 (RFC 894). */
export const ETHERTYPE_IPV4: u16 = 0x0800;
/** EtherType of ARP (RFC 826). */
export const ETHERTYPE_ARP: u16 = 0x0806;
/** IPv6 (RFC 2464 §3). */
export const ETHERTYPE_IPV6: u16 = 0x86dd;

/** Result of `ethCheck`. */
export const enum EthErr { OK = 0, TRUNCATED = 1 }

/** Validate a frame of `len` bytes at `p`: OK when the whole header is present. */
export function ethCheck(p: usize, len: i32): i32 {
  // Why: every accessor below reads inside the first 14 bytes only.
  if (len < ETH_HEADER_LEN) return EthErr.TRUNCATED;
  return EthErr.OK;
}

/** Pointer to the destination MAC address (6 bytes). */
// @ts-ignore: decorator
@inline export function ethDst(p: usize): usize { return p + ETH_DST; }
/** Pointer to the source MAC address (6 bytes). */
// @ts-ignore: decorator
@inline export function ethSrc(p: usize): usize { return p + ETH_SRC; }
/** EtherType, host order. */
// @ts-ignore: decorator
@inline export function ethType(p: usize): i32 { return (<i32>load<u8>(p, ETH_TYPE) << 8) | <i32>load<u8>(p, ETH_TYPE + 1); }
/** Pointer to the payload. */
// @ts-ignore: decorator
@inline export function ethPayload(p: usize): usize { return p + <usize>ETH_HEADER_LEN; }
/** Set the EtherType. */
// @ts-ignore: decorator
@inline export function ethSetType(p: usize, t: u16): void { store<u16>(p, swap16(t), ETH_TYPE); }

/** Write the 14-byte header at `p`: destination and source MAC copied from `dst`/`src`. */
export function ethEmit(p: usize, dst: usize, src: usize, etherType: u16): void {
  // Why (speed): two 6-byte addresses as 4 + 2 bytes each, not memory.copy (a libc call under wasm3).
  // Read both before writing: `dst` or `src` may lie inside the header being written (a reply built in
  // place from the received frame's addresses).
  const d0 = load<u32>(dst), d1 = load<u16>(dst, 4);
  const s0 = load<u32>(src), s1 = load<u16>(src, 4);
  store<u32>(p, d0, ETH_DST);
  store<u16>(p, d1, ETH_DST + 4);
  store<u32>(p, s0, ETH_SRC);
  store<u16>(p, s1, ETH_SRC + 4);
  store<u16>(p, swap16(etherType), ETH_TYPE);
}

/** True when the MAC address at `m` is the broadcast address ff:ff:ff:ff:ff:ff. */
export function macIsBroadcast(m: usize): bool {
  return load<u32>(m) == 0xffffffff && load<u16>(m, 4) == 0xffff;
}

/** True when the MAC address at `m` is a group (multicast or broadcast) address: I/G bit set. */
// @ts-ignore: decorator
@inline export function macIsGroup(m: usize): bool { return (load<u8>(m) & 1) != 0; }

/** True when the MAC address at `m` is all zeros. */
export function macIsZero(m: usize): bool { return load<u32>(m) == 0 && load<u16>(m, 4) == 0; }

/** True when the MAC addresses at `a` and `b` are equal. */
export function macEqual(a: usize, b: usize): bool {
  return load<u32>(a) == load<u32>(b) && load<u16>(a, 4) == load<u16>(b, 4);
}

/** Write ff:ff:ff:ff:ff:ff at `m`. */
export function macSetBroadcast(m: usize): void { store<u32>(m, 0xffffffff); store<u16>(m, 0xffff, 4); }

/**
 * Write the Ethernet group address of IPv4 multicast address `group` (host order) at `m`:
 * 01:00:5e followed by the low 23 bits of the group (RFC 1112 §6.4).
 */
export function macSetIpv4Multicast(m: usize, group: u32): void {
  store<u8>(m, 0x01, 0);
  store<u8>(m, 0x00, 1);
  store<u8>(m, 0x5e, 2);
  store<u8>(m, <u8>((group >>> 16) & 0x7f), 3);
  store<u8>(m, <u8>(group >>> 8), 4);
  store<u8>(m, <u8>group, 5);
}
