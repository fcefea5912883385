// Multicast Listener Discovery for IPv6 (RFC 2710, MLDv1; issue 13 point 5, seed 003 §10): the three
// ICMPv6 messages and the Hop-by-Hop header with a Router Alert option (RFC 2711) they travel with.
//
//   MLD message (24 octets, ICMPv6 types 130 Query, 131 Report, 132 Done; RFC 2710 §3):
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |     Type      |     Code      |          Checksum             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |     Maximum Response Delay    |          Reserved             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                    Multicast Address (16 octets)              |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   Hop-by-Hop Options header (8 octets): Next Header 58 | Hdr Ext Len 0 | Router Alert 05 02 00 00
//   (type 5, length 2, value 0 = "the datagram contains a Multicast Listener Discovery message") |
//   PadN 01 00 (RFC 2460 §4.2: the header fills 8 octets).
//
// RFC 2710 §3: "All MLD messages described in this document are sent with a link-local IPv6 Source
// Address, an IPv6 Hop Limit of 1, and an IPv6 Router Alert option in a Hop-by-Hop Options header."
// mldEmit writes such a packet; mldFind/mldValid check one received (the Router Alert is not required
// of what is received: RFC 2710 asks it of senders, so routers look at the packet; a listener or the
// home agent at a tunnel's end reads the message either way).
//
// Pure: addresses are 16-byte pointers (wire/addr.ts); nothing is read outside [p, p + len).

import { csumAdd, csumFinish, pseudoSum } from "./checksum";
import { swap16 } from "./bytes";
import { icmp6FillChecksum, ICMP6_NEXT_HEADER } from "./icmpv6";
import { ipv6Emit, IPV6_HEADER_LEN, IPPROTO_HOPOPTS } from "./ipv6";
import { addrCopy, addrIsLinkLocal6 } from "./addr";

export const MLD_QUERY: u8 = 130;
export const MLD_REPORT: u8 = 131;
export const MLD_DONE: u8 = 132;
/** Bytes of an MLD message (RFC 2710 §3). */
export const MLD_LEN: i32 = 24;
/** Bytes of the Hop-by-Hop header with the Router Alert option. */
export const MLD_HBH_LEN: i32 = 8;
/** Bytes of a whole MLD packet as mldEmit writes it: IPv6 header, Hop-by-Hop header, message. */
export const MLD_PACKET_LEN: i32 = IPV6_HEADER_LEN + MLD_HBH_LEN + MLD_LEN;

const MLD_MAX_DELAY: usize = 4;
const MLD_GROUP: usize = 8;

/** Maximum Response Delay (ms) of the message at `m`. */
export function mldMaxDelay(m: usize): i32 { return <i32>swap16(load<u16>(m, MLD_MAX_DELAY)); }
/** The Multicast Address field of the message at `m` (16 bytes). */
// @ts-ignore: decorator
@inline export function mldGroup(m: usize): usize { return m + MLD_GROUP; }

/**
 * Write an MLD packet at `p` (MLD_PACKET_LEN bytes): IPv6 header from `src` to `dst` with hop limit 1,
 * the Hop-by-Hop header with Router Alert (value 0: MLD), and the message `type` with `maxDelayMs` and
 * `group` (:: for a General Query), its checksum over the IPv6 pseudo-header (RFC 2460 §8.1: the
 * destination, upper-layer length 24, Next Header 58). Returns MLD_PACKET_LEN.
 */
export function mldEmit(p: usize, type: u8, maxDelayMs: u16, group: usize, src: usize, dst: usize): i32 {
  ipv6Emit(p, IPV6_HEADER_LEN, 0, 0, <u16>(MLD_HBH_LEN + MLD_LEN), IPPROTO_HOPOPTS, 1, src, dst);
  const h = p + <usize>IPV6_HEADER_LEN;
  // 3a 00 | 05 02 00 00 | 01 00 (little-endian u64 of those octets)
  store<u64>(h, 0x000100000205003a);
  const m = h + <usize>MLD_HBH_LEN;
  store<u64>(m, 0);
  store<u8>(m, type);
  store<u16>(m, swap16(maxDelayMs), MLD_MAX_DELAY);
  addrCopy(m + MLD_GROUP, group);
  icmp6FillChecksum(m, MLD_LEN, src, dst);
  return MLD_PACKET_LEN;
}

/**
 * Where the MLD message of the IPv6 packet at `p` (`len` bytes, header checked) begins: right after the
 * IPv6 header or after one Hop-by-Hop header, ICMPv6 of type 130-132 with at least MLD_LEN bytes; -1
 * when the packet is not one.
 */
export function mldFind(p: usize, len: i32): i32 {
  let nh = <i32>load<u8>(p, 6);
  let o = IPV6_HEADER_LEN;
  if (nh == IPPROTO_HOPOPTS) {
    if (o + 8 > len) return -1;
    nh = <i32>load<u8>(p + <usize>o);
    o += (<i32>load<u8>(p + <usize>o, 1) + 1) << 3;
  }
  if (nh != ICMP6_NEXT_HEADER || o + MLD_LEN > len || <u32>load<u8>(p + <usize>o) - <u32>MLD_QUERY > 2) return -1;
  return o;
}

/**
 * True when the MLD message at `p + o` (found by mldFind) may be believed: RFC 2710 §3's link-local
 * source and hop limit 1 (a message from another link, or forwarded, is not about this link), and its
 * checksum over the `len - o` bytes to the packet's end (RFC 2463 §2.3).
 */
export function mldValid(p: usize, len: i32, o: i32): bool {
  if (!addrIsLinkLocal6(p + 8) || load<u8>(p, 7) != 1) return false;
  return csumFinish(csumAdd(pseudoSum(p + 8, p + 24, ICMP6_NEXT_HEADER, <u32>(len - o)), p + <usize>o, len - o)) == 0;
}
