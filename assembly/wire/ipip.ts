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
// tunnelEncapOuter / tunnelInnerCheck are shared with gre.ts. IPv4 header handling is ipv4.ts.

import {
  Ipv4Err, ipv4Check, ipv4HeaderLen, ipv4TotalLen, ipv4IsFragment, ipv4DontFrag, ipv4Tos, ipv4Ttl,
  ipv4Proto, ipv4DecrementTtl, ipv4Emit, IPPROTO_IPIP, IPV4_MIN_HEADER, IP_FLAG_DF,
} from "./ipv4";
import { swap16, swap32 } from "./bytes";

/** Length of the outer header written by this file (no options). */
export const IPIP_HDR_LEN: i32 = IPV4_MIN_HEADER;
/**
 * Writable bytes for tunnel headers in front of a datagram to encapsulate: the 64 bytes of headroom
 * of the rx and out buffers (docs/abi.md) minus the Ethernet header. Here, in the wire layer, so every
 * role can size buffers with it without importing mobility/tunnel.ts (which imports the roles).
 */
export const TUNNEL_HEADROOM: i32 = 50;

/**
 * Why an IP-in-IP packet, or a datagram to tunnel, was refused. 1-5 are the Ipv4Err codes of the
 * outer header; the INNER_* codes are the same five for the inner header, plus 5.
 */
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
  /** Header checksum wrong. */
  BAD_CHECKSUM = 5,
  INNER_TRUNCATED = 6,
  INNER_BAD_VERSION = 7,
  INNER_BAD_HEADER_LEN = 8,
  /** Inner Total Length invalid, or different from what the tunnel header carries. */
  INNER_BAD_TOTAL_LEN = 9,
  INNER_BAD_CHECKSUM = 10,
  /** Outer protocol is not 4. */
  NOT_IPIP = 11,
  /** Outer header is a fragment: reassemble before decapsulating. */
  FRAGMENT = 12,
  /** Not enough headroom in front of the inner datagram. */
  NO_HEADROOM = 13,
  /** The result would exceed 65535 bytes. */
  TOO_BIG = 14,
  /** Forwarding would decrement the inner TTL to 0 (send ICMP Time Exceeded; RFC 2003 §3). */
  TTL_EXPIRED = 15,
}
const INNER_DELTA: i32 = 5;

/**
 * Validate the inner datagram of `avail` bytes that a tunnel header in front of it carries (IPv4
 * header incl. checksum). With `exact`, its Total Length must equal `avail`. Returns OK or INNER_*.
 */
export function tunnelInnerCheck(inner: usize, avail: i32, exact: bool): IpipErr {
  const e = ipv4Check(inner, avail);
  if (e != Ipv4Err.OK) return <IpipErr>(e + INNER_DELTA);
  // Why: the tunnel header's length must describe exactly one inner datagram; extra bytes would
  // be forwarded as part of nothing (or hide data), so a mismatch is refused.
  if (exact && <i32>ipv4TotalLen(inner) != avail) return IpipErr.INNER_BAD_TOTAL_LEN;
  return IpipErr.OK;
}

/**
 * Shared by the tunnels that add a fresh outer header (IP in IP, GRE): check the inner datagram at
 * `inner`, optionally decrement its TTL (`forwarding`, RFC 2003 §3), and write a 20-byte outer
 * header with protocol `proto` at `inner - 20 - extra`, carrying `extra` tunnel-header bytes (to be
 * written by the caller at `inner - extra`) plus the inner Total Length. TOS and DF are copied from
 * the inner header (RFC 2003 §3.1). Returns 20 + extra, or -IpipErr with nothing changed.
 */
export function tunnelEncapOuter(
  inner: usize, innerLen: i32, headroom: i32, extra: i32, proto: u8,
  src: u32, dst: u32, ttl: u8, ident: u16, forwarding: bool,
): i32 {
  const e = tunnelInnerCheck(inner, innerLen, false);
  if (e != IpipErr.OK) return -<i32>e;
  return tunnelEncapOuterValidated(inner, headroom, extra, proto, src, dst, ttl, ident, forwarding);
}

/**
 * tunnelEncapOuter for an inner datagram that already passed ipv4Check (e.g. in ipInput): the same
 * result without checking its header a second time. Returns 20 + extra, or -IpipErr (NO_HEADROOM,
 * TOO_BIG, TTL_EXPIRED) with nothing changed.
 */
export function tunnelEncapOuterValidated(
  inner: usize, headroom: i32, extra: i32, proto: i32,
  src: u32, dst: u32, ttl: i32, ident: i32, forwarding: bool,
): i32 {
  const n = IPIP_HDR_LEN + extra;
  const tl = <i32>ipv4TotalLen(inner);
  if (headroom < n) return -<i32>IpipErr.NO_HEADROOM;
  if (tl + n > 0xffff) return -<i32>IpipErr.TOO_BIG;
  // Why: RFC 2003 §3 — when tunnelling as part of forwarding, the inner TTL is decremented, and a
  // datagram whose TTL would reach 0 is discarded with an ICMP Time Exceeded to the sender.
  if (forwarding) {
    if (ipv4Ttl(inner) <= 1) return -<i32>IpipErr.TTL_EXPIRED;
    ipv4DecrementTtl(inner);
  }
  // RFC 2003 §3.1: TOS copied; DF set if the inner DF is set (we leave it clear otherwise); no
  // options copied; fragment offset 0.
  const flags = ipv4DontFrag(inner) ? <i32>IP_FLAG_DF : 0;
  ipv4Emit(inner - <usize>n, ipv4Tos(inner), tl + n, ident, flags, ttl, proto, src, dst); // tl + n <= 0xffff (above)
  return n;
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
  return tunnelEncapOuter(inner, innerLen, headroom, 0, IPPROTO_IPIP, src, dst, ttl, ident, forwarding);
}

/**
 * ipipEncap for an inner datagram that already passed ipv4Check (its Total Length is used): the
 * same result without checking its header a second time. Returns 20 or -IpipErr.
 */
export function ipipEncapValidated(inner: usize, headroom: i32, src: u32, dst: u32, ttl: i32, ident: i32, forwarding: bool): i32 {
  return tunnelEncapOuterValidated(inner, headroom, 0, IPPROTO_IPIP, src, dst, ttl, ident, forwarding);
}

/**
 * Check a received IP-in-IP packet of `len` bytes whose outer header is at `p`: outer header
 * valid (ipv4Check, checksum included), protocol 4, not a fragment; inner header valid (checksum
 * included) and its Total Length equal to the outer payload length.
 */
export function ipipCheck(p: usize, len: i32): IpipErr {
  const e = ipv4Check(p, len);
  if (e != Ipv4Err.OK) return <IpipErr>e;
  return ipipCheckValidated(p);
}

/**
 * ipipCheck for a packet whose outer header already passed ipv4Check (e.g. in ipInput, with its
 * Total Length within the bytes received): protocol 4, not a fragment, the inner header valid and its
 * Total Length equal to the outer payload length. The same result without a second outer check.
 */
export function ipipCheckValidated(p: usize): IpipErr {
  if (ipv4Proto(p) != IPPROTO_IPIP) return IpipErr.NOT_IPIP;
  // Why: a fragment carries only part of the inner datagram (its header only in the first one);
  // the IP layer must reassemble (RFC 791) before the tunnel exit decapsulates.
  if (ipv4IsFragment(p)) return IpipErr.FRAGMENT;
  const hl = ipv4HeaderLen(p);
  return tunnelInnerCheck(p + <usize>hl, <i32>ipv4TotalLen(p) - hl, true);
}

/** Start of the inner datagram of a checked IP-in-IP packet. */
export function ipipInner(p: usize): usize { return p + <usize>ipv4HeaderLen(p); }
/** Length of the inner datagram of a checked IP-in-IP packet. */
export function ipipInnerLen(p: usize): i32 { return <i32>ipv4TotalLen(p) - ipv4HeaderLen(p); }
