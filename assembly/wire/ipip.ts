// IP in IP tunnelling (RFC 2003; seed 004 "Routing and tunneling", Fig. 7): the default
// encapsulation of Mobile IP. An outer IPv4 header with protocol 4 is put in front of the
// unmodified inner datagram.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |Version|  IHL  |Type of Service|          Total Length         |   outer header
//  |         Identification        |Flags|      Fragment Offset    |   (RFC 2003 §3.1)
//  |  Time to Live | Protocol = 4  |         Header Checksum       |
//  |                       Source (encapsulator)                   |
//  |                    Destination (decapsulator)                 |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                     inner IP header and payload ...           |
//
// Encapsulation writes the outer header into headroom in front of the inner packet (no payload
// copy). The outer header never carries options (RFC 2003 §3.1: options are not copied).
// This file also holds the small IPv4 header check and outer-header emitter shared by the tunnel
// codecs (minenc.ts, gre.ts).

import { checksum, csumFinish } from "./checksum";

/** IP protocol number of IP in IP. */
export const IPPROTO_IPIP: u8 = 4;
/** Length of the outer header written by this file (no options). */
export const IPIP_HDR_LEN: i32 = 20;
/** Smallest IPv4 header. */
export const IPV4_MIN_HDR_LEN: i32 = 20;

// IPv4 header field offsets (RFC 791).
export const IP_OFF_VER_IHL: usize = 0;
export const IP_OFF_TOS: usize = 1;
export const IP_OFF_TOTAL_LEN: usize = 2;
export const IP_OFF_IDENT: usize = 4;
export const IP_OFF_FRAG: usize = 6;
export const IP_OFF_TTL: usize = 8;
export const IP_OFF_PROTO: usize = 9;
export const IP_OFF_CHECKSUM: usize = 10;
export const IP_OFF_SRC: usize = 12;
export const IP_OFF_DST: usize = 16;
/** Don't Fragment bit of the flags/fragment-offset word (host order). */
export const IP_FLAG_DF: u16 = 0x4000;
/** More Fragments bit. */
export const IP_FLAG_MF: u16 = 0x2000;
/** Fragment offset mask. */
export const IP_FRAG_OFFSET_MASK: u16 = 0x1fff;

/** Why an IPv4 header or an IP-in-IP packet was refused. Inner codes are the outer ones + 6. */
export const enum IpipErr {
  OK = 0,
  /** Fewer than 20 bytes. */
  TRUNCATED = 1,
  /** Version is not 4. */
  BAD_VERSION = 2,
  /** IHL below 5 or header longer than the bytes present. */
  BAD_HEADER_LEN = 3,
  /** Total Length below the header length or beyond the bytes present. */
  BAD_TOTAL_LEN = 4,
  /** Outer protocol is not 4. */
  NOT_IPIP = 5,
  /** Outer header is a fragment: reassemble before decapsulating. */
  FRAGMENT = 6,
  INNER_TRUNCATED = 7,
  INNER_BAD_VERSION = 8,
  INNER_BAD_HEADER_LEN = 9,
  /** Inner Total Length differs from what the outer header carries. */
  INNER_BAD_TOTAL_LEN = 10,
  /** Not enough headroom in front of the inner packet. */
  NO_HEADROOM = 11,
  /** The result would exceed 65535 bytes. */
  TOO_BIG = 12,
  /** Forwarding would decrement the inner TTL to 0 (send ICMP Time Exceeded; RFC 2003 §3). */
  TTL_EXPIRED = 13,
}
const INNER_DELTA: i32 = 6;

// ---- IPv4 header helpers (shared by the tunnel codecs) ----------------------------------------

/** Header length in bytes from IHL (trust only after a check). */
export function ipHdrLen(p: usize): i32 { return <i32>(load<u8>(p, IP_OFF_VER_IHL) & 0x0f) << 2; }
/** Total Length. */
export function ipTotalLen(p: usize): i32 { return <i32>bswap<u16>(load<u16>(p, IP_OFF_TOTAL_LEN)); }
/** Flags and fragment offset word (host order). */
export function ipFrag(p: usize): u16 { return bswap<u16>(load<u16>(p, IP_OFF_FRAG)); }
/** True if the header describes a fragment (MF set or a non-zero offset). */
export function ipIsFragment(p: usize): bool { return (ipFrag(p) & (IP_FLAG_MF | IP_FRAG_OFFSET_MASK)) != 0; }
/** Protocol. */
export function ipProto(p: usize): u8 { return load<u8>(p, IP_OFF_PROTO); }
/** Source address (host order). */
export function ipSrc(p: usize): u32 { return bswap<u32>(load<u32>(p, IP_OFF_SRC)); }
/** Destination address (host order). */
export function ipDst(p: usize): u32 { return bswap<u32>(load<u32>(p, IP_OFF_DST)); }

/**
 * Check the IPv4 header of the `len` bytes at `p`: version 4, 5 <= IHL, header and Total Length
 * within `len` (bytes after Total Length, e.g. link padding, are allowed). Checksum not verified.
 */
export function ipHdrCheck(p: usize, len: i32): IpipErr {
  // Why: RFC 791 — every field read later lies in the first 20 bytes, options within IHL, data
  // within Total Length; nothing may be read past `len`.
  if (len < IPV4_MIN_HDR_LEN) return IpipErr.TRUNCATED;
  if ((load<u8>(p, IP_OFF_VER_IHL) >> 4) != 4) return IpipErr.BAD_VERSION;
  const hl = ipHdrLen(p);
  if (hl < IPV4_MIN_HDR_LEN || hl > len) return IpipErr.BAD_HEADER_LEN;
  const tl = ipTotalLen(p);
  if (tl < hl || tl > len) return IpipErr.BAD_TOTAL_LEN;
  return IpipErr.OK;
}

/** Recompute and store the header checksum of the IPv4 header at `p` (IHL trusted). */
export function ipSetChecksum(p: usize): void {
  store<u16>(p, 0, IP_OFF_CHECKSUM);
  store<u16>(p, bswap<u16>(checksum(p, ipHdrLen(p))), IP_OFF_CHECKSUM);
}

/**
 * Write a 20-byte IPv4 header at `p` for `payloadLen` bytes of protocol `proto` (RFC 791):
 * no options, fragment offset 0, DF as given, checksum computed.
 */
export function ipOuterEmit(
  p: usize, payloadLen: i32, proto: u8, tos: u8, df: bool, ttl: u8, ident: u16, src: u32, dst: u32,
): void {
  store<u8>(p, 0x45, IP_OFF_VER_IHL);
  store<u8>(p, tos, IP_OFF_TOS);
  store<u16>(p, bswap<u16>(<u16>(IPIP_HDR_LEN + payloadLen)), IP_OFF_TOTAL_LEN);
  store<u16>(p, bswap<u16>(ident), IP_OFF_IDENT);
  store<u16>(p, bswap<u16>(df ? IP_FLAG_DF : 0), IP_OFF_FRAG);
  store<u8>(p, ttl, IP_OFF_TTL);
  store<u8>(p, proto, IP_OFF_PROTO);
  store<u32>(p, bswap<u32>(src), IP_OFF_SRC);
  store<u32>(p, bswap<u32>(dst), IP_OFF_DST);
  ipSetChecksum(p);
}

/**
 * Validate the inner datagram of `avail` bytes that a tunnel header in front of it carries. With
 * `exact`, its Total Length must equal `avail`. Returns OK or an INNER_* code.
 */
export function tunnelInnerCheck(inner: usize, avail: i32, exact: bool): IpipErr {
  const e = ipHdrCheck(inner, avail);
  if (e != IpipErr.OK) return <IpipErr>(<i32>e + INNER_DELTA);
  // Why: the tunnel header's length must describe exactly one inner datagram; extra bytes would
  // be forwarded as part of nothing (or hide data), so a mismatch is refused.
  if (exact && ipTotalLen(inner) != avail) return IpipErr.INNER_BAD_TOTAL_LEN;
  return IpipErr.OK;
}

/** Decrement the TTL of the IPv4 header at `p`, patching the checksum (RFC 1624). False if it would reach 0. */
export function ipDecrementTtl(p: usize): bool {
  const ttl = load<u8>(p, IP_OFF_TTL);
  // Why: RFC 2003 §3 — if the decremented inner TTL is 0 the datagram is discarded.
  if (ttl <= 1) return false;
  // The TTL is the high octet of the 16-bit word at offset 8: the word drops by 0x0100.
  const oldWord = <u32>bswap<u16>(load<u16>(p, IP_OFF_TTL));
  const newWord = oldWord - 0x0100;
  const hc = <u32>bswap<u16>(load<u16>(p, IP_OFF_CHECKSUM));
  // HC' = ~(~HC + ~m + m')
  const sum: u32 = (~hc & 0xffff) + (~oldWord & 0xffff) + newWord;
  store<u8>(p, ttl - 1, IP_OFF_TTL);
  store<u16>(p, bswap<u16>(csumFinish(sum)), IP_OFF_CHECKSUM);
  return true;
}

// ---- IP in IP ---------------------------------------------------------------------------------

/**
 * Encapsulate the inner datagram at `inner` (`innerLen` bytes available, its Total Length is used)
 * by writing a 20-byte outer header at `inner - 20`; `headroom` is the writable space in front of
 * `inner`. Outer TOS and DF are copied from the inner header (RFC 2003 §3.1), protocol 4, TTL
 * `ttl`, Identification `ident`. With `forwarding` the inner TTL is decremented first (RFC 2003 §3).
 * Returns the bytes prepended (20): the packet now starts at `inner - 20`. On error returns
 * -IpipErr and changes nothing.
 */
export function ipipEncap(
  inner: usize, innerLen: i32, headroom: i32, src: u32, dst: u32, ttl: u8, ident: u16, forwarding: bool,
): i32 {
  const e = tunnelInnerCheck(inner, innerLen, false);
  if (e != IpipErr.OK) return -<i32>e;
  const tl = ipTotalLen(inner);
  if (headroom < IPIP_HDR_LEN) return -<i32>IpipErr.NO_HEADROOM;
  if (tl + IPIP_HDR_LEN > 0xffff) return -<i32>IpipErr.TOO_BIG;
  if (forwarding && !ipDecrementTtl(inner)) return -<i32>IpipErr.TTL_EXPIRED;
  const df = (ipFrag(inner) & IP_FLAG_DF) != 0;
  ipOuterEmit(inner - <usize>IPIP_HDR_LEN, tl, IPPROTO_IPIP, load<u8>(inner, IP_OFF_TOS), df, ttl, ident, src, dst);
  return IPIP_HDR_LEN;
}

/**
 * Check a received IP-in-IP packet of `len` bytes whose outer header is at `p`: outer header
 * valid, protocol 4, not a fragment; inner header valid and its Total Length equal to the outer
 * payload length. Header checksums are not verified here (the IPv4 input path does the outer one;
 * the inner one is checked when the inner datagram is processed).
 */
export function ipipCheck(p: usize, len: i32): IpipErr {
  const e = ipHdrCheck(p, len);
  if (e != IpipErr.OK) return e;
  if (ipProto(p) != IPPROTO_IPIP) return IpipErr.NOT_IPIP;
  // Why: a fragment carries only part of the inner datagram (its header only in the first one);
  // the IP layer must reassemble (RFC 791) before the tunnel exit decapsulates.
  if (ipIsFragment(p)) return IpipErr.FRAGMENT;
  const hl = ipHdrLen(p);
  return tunnelInnerCheck(p + <usize>hl, ipTotalLen(p) - hl, true);
}

/** Start of the inner datagram of a checked IP-in-IP packet. */
export function ipipInner(p: usize): usize { return p + <usize>ipHdrLen(p); }
/** Length of the inner datagram of a checked IP-in-IP packet. */
export function ipipInnerLen(p: usize): i32 { return ipTotalLen(p) - ipHdrLen(p); }
