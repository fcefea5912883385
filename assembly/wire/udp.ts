// UDP (RFC 768; RFC 1122 §4.1.3.4 on the checksum).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |          Source Port          |       Destination Port        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |            Length             |           Checksum            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                          data ...                             |
//
// Checksum over the pseudo header (source, destination, zero, protocol 17, UDP length), the UDP header
// and the data, padded with a zero byte to an even length. A transmitted checksum of 0 means "none";
// a computed 0 is sent as 0xffff. `len` given to `udpCheck` is the IP payload length: the UDP Length
// field may be shorter (trailing bytes are ignored) but never longer.

import { csumAdd, csumFinish, pseudoHeaderSum } from "./checksum";
import { IPPROTO_UDP, IPV4_MIN_HEADER, ipv4Emit } from "./ipv4";
import { swap16s } from "./bytes";

export const UDP_SRC_PORT: usize = 0;
export const UDP_DST_PORT: usize = 2;
export const UDP_LENGTH: usize = 4;
export const UDP_CHECKSUM: usize = 6;
/** Length of the UDP header. */
export const UDP_HEADER_LEN: i32 = 8;
/** Mobile IP registration port (RFC 2002 §3.1). */
export const UDP_PORT_MIP: u16 = 434;

/** Result of `udpCheck`. */
export const enum UdpErr {
  OK = 0,
  TRUNCATED = 1,   // fewer than 8 bytes
  BAD_LENGTH = 2,  // Length < 8 or larger than the IP payload
  BAD_CHECKSUM = 3
}

/**
 * Validate the UDP datagram in an IP payload of `len` bytes at `p`, from `src` to `dst` (host order).
 * Only after OK are the accessors trusted; use `udpLength`, not `len`, for the datagram size.
 */
export function udpCheck(p: usize, len: i32, src: u32, dst: u32): i32 {
  if (len < UDP_HEADER_LEN) return UdpErr.TRUNCATED;
  const l = <i32>udpLength(p);
  // Why: RFC 768: Length counts header and data, so >= 8; RFC 1122 §4.1.3.4 has a datagram whose
  // Length exceeds what IP delivered discarded.
  if (l < UDP_HEADER_LEN || l > len) return UdpErr.BAD_LENGTH;
  // Why: RFC 768: an all-zero checksum means the sender computed none.
  if (udpChecksum(p) != 0 && csumFinish(csumAdd(pseudoHeaderSum(src, dst, IPPROTO_UDP, l), p, l)) != 0) return UdpErr.BAD_CHECKSUM;
  return UdpErr.OK;
}

/** Source port. */
export function udpSrcPort(p: usize): i32 { return (<i32>load<u8>(p, UDP_SRC_PORT) << 8) | <i32>load<u8>(p, UDP_SRC_PORT + 1); }
/** Destination port. */
// @ts-ignore: decorator
@inline export function udpDstPort(p: usize): i32 { return (<i32>load<u8>(p, UDP_DST_PORT) << 8) | <i32>load<u8>(p, UDP_DST_PORT + 1); }
/** Length field: header plus data, in bytes. */
export function udpLength(p: usize): i32 { return (<i32>load<u8>(p, UDP_LENGTH) << 8) | <i32>load<u8>(p, UDP_LENGTH + 1); }
/** Checksum field as stored (0 = none). */
// @ts-ignore: decorator
@inline export function udpChecksum(p: usize): i32 { return (<i32>load<u8>(p, UDP_CHECKSUM) << 8) | <i32>load<u8>(p, UDP_CHECKSUM + 1); }
/** Pointer to the data. */
// @ts-ignore: decorator
@inline export function udpPayload(p: usize): usize { return p + <usize>UDP_HEADER_LEN; }

/**
 * Write the 8-byte header at `p` for `dataLen` data bytes (already at `p + 8` or written later);
 * checksum 0 ("none") until `udpFillChecksum`. Returns the datagram length.
 */
export function udpEmit(p: usize, srcPort: i32, dstPort: i32, dataLen: i32): i32 {
  const l = UDP_HEADER_LEN + dataLen;
  // Two words as stored (ports and Length are in 0-65535; the checksum 0): no re-masks.
  store<u32>(p, ((srcPort & 0xff) << 8) | (srcPort >>> 8) | (dstPort << 24) | ((dstPort >>> 8) << 16), UDP_SRC_PORT);
  store<u32>(p, ((l & 0xff) << 8) | ((l >>> 8) & 0xff), UDP_LENGTH);
  return l;
}

/** Compute and store the checksum of the datagram at `p` (Length from the header) from `src` to `dst`. */
export function udpFillChecksum(p: usize, src: u32, dst: u32): void {
  const l = <i32>udpLength(p);
  store<u16>(p, 0, UDP_CHECKSUM);
  let c = csumFinish(csumAdd(pseudoHeaderSum(src, dst, IPPROTO_UDP, l), p, l));
  // Why: RFC 768: a computed zero is transmitted as all ones, since zero means "no checksum".
  if (c == 0) c = 0xffff;
  store<u16>(p, swap16s(c), UDP_CHECKSUM);
}

/**
 * Write a 20-byte IPv4 header at `ip` (no options, TOS 0, no flags, Identification `ident`, `ttl`,
 * protocol 17, `src` -> `dst` in host order) and a UDP header behind it for the `dataLen` bytes at
 * `ip + 28`, with both checksums filled. Returns the IP datagram's length (28 + dataLen).
 */
export function udpIpEmit(ip: usize, ident: i32, ttl: i32, src: u32, dst: u32, srcPort: i32, dstPort: i32, dataLen: i32): i32 {
  const u = ip + <usize>IPV4_MIN_HEADER;
  const total = IPV4_MIN_HEADER + udpEmit(u, srcPort, dstPort, dataLen);
  ipv4Emit(ip, 0, total, ident, 0, ttl, IPPROTO_UDP, src, dst);
  udpFillChecksum(u, src, dst);
  return total;
}
