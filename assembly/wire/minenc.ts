// Minimal encapsulation within IP (RFC 2004; seed 004 "Routing and tunneling", Fig. 8;
// SPEC-DECISIONS "Base Mobile IPv4"), IP protocol 55. The original IP header is modified in place
// and a minimal forwarding header is inserted between it and the unmodified payload:
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |   Protocol    |S|  reserved   |        Header Checksum        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                 Original Destination Address                  |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  :            (if S) Original Source Address                     :
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Before:  [IP header (20-60)][payload]
// After:   [IP header', proto 55, dst = tunnel exit, src = encapsulator][minimal header (8/12)][payload]
//
// With headroom in front of the packet only the IP header moves (backwards by 8 or 12 bytes); the
// payload never moves. Decapsulation moves the restored IP header forwards again.
// The Header Checksum covers the minimal forwarding header only (RFC 2004 §3).

import { checksum } from "./checksum";
import {
  Ipv4Err, ipv4Check, ipv4HeaderLen, ipv4TotalLen, ipv4IsFragment, ipv4Proto, ipv4Src, ipv4Dst,
  ipv4SetSrc, ipv4SetDst, ipv4SetTotalLen, ipv4FillChecksum, IPPROTO_MINENC, IP_PROTO,
  IP_SRC, IP_DST, IP_TOTAL_LEN, IP_TTL, IP_CHECKSUM,
} from "./ipv4";
import { swap16, swap16s, swap32, swap32Out } from "./bytes";

/** End-around-carry fold of a 32-bit one's-complement sum to 16 bits. */
// @ts-ignore: decorator
@inline function fold16(s: u32): u32 {
  // (u32, not u16: the result is < 0x10000 already; a u16 would be masked again at every use.)
  s = (s & 0xffff) + (s >>> 16);
  return (s & 0xffff) + (s >>> 16);
}

/** Minimal forwarding header length without the original source. */
export const MINENC_LEN: i32 = 8;
/** Minimal forwarding header length with the original source (S = 1). */
export const MINENC_LEN_S: i32 = 12;
/** S bit of octet 1: Original Source Address present. */
export const MINENC_FLAG_S: u8 = 0x80;

// Minimal forwarding header field offsets (from its first byte).
export const MINENC_OFF_PROTO: usize = 0;
export const MINENC_OFF_FLAGS: usize = 1;
export const MINENC_OFF_CHECKSUM: usize = 2;
export const MINENC_OFF_ORIG_DST: usize = 4;
export const MINENC_OFF_ORIG_SRC: usize = 8;

/** Why a minimally encapsulated packet, or a packet to encapsulate, was refused. */
export const enum MinEncErr {
  OK = 0,
  // 1-5: the IP header's Ipv4Err, same values.
  /** Fewer than 20 bytes of IP header. */
  TRUNCATED = 1,
  /** IP version is not 4. */
  BAD_VERSION = 2,
  /** IHL below 5 or beyond the bytes present. */
  BAD_HEADER_LEN = 3,
  /** IP Total Length below the header length or beyond the bytes present. */
  BAD_TOTAL_LEN = 4,
  /** IP header checksum wrong. */
  BAD_IP_CHECKSUM = 5,
  /** IP protocol is not 55. */
  NOT_MINENC = 6,
  /** The datagram is a fragment (RFC 2004 §3: no room to keep fragmentation information). */
  FRAGMENT = 7,
  /** Total Length leaves no room for the minimal header (8, or 12 with S). */
  HEADER_TRUNCATED = 8,
  /** Minimal forwarding header checksum wrong. */
  BAD_CHECKSUM = 9,
  /** Not enough headroom in front of the packet to move the IP header back. */
  NO_HEADROOM = 10,
  /** The result would exceed 65535 bytes. */
  TOO_BIG = 11,
}

/** Length of the minimal header at `mh` (8 or 12 by its S bit). */
export function minEncHdrLen(mh: usize): i32 {
  return (load<u8>(mh, MINENC_OFF_FLAGS) & MINENC_FLAG_S) != 0 ? MINENC_LEN_S : MINENC_LEN;
}
/** Protocol of the original datagram. */
export function minEncProto(mh: usize): i32 { return <i32>load<u8>(mh, MINENC_OFF_PROTO); }
/** True if the Original Source Address is present. */
export function minEncHasSrc(mh: usize): bool { return (load<u8>(mh, MINENC_OFF_FLAGS) & MINENC_FLAG_S) != 0; }
/** Header Checksum as stored (host order). */
export function minEncChecksum(mh: usize): i32 { return (<i32>load<u8>(mh, MINENC_OFF_CHECKSUM) << 8) | <i32>load<u8>(mh, MINENC_OFF_CHECKSUM + 1); }
/** Original Destination Address (host order). */
export function minEncOrigDst(mh: usize): u32 { return swap32Out(load<u32>(mh, MINENC_OFF_ORIG_DST)); }
/** Original Source Address (host order); only meaningful when minEncHasSrc. */
export function minEncOrigSrc(mh: usize): u32 { return swap32Out(load<u32>(mh, MINENC_OFF_ORIG_SRC)); }
/** Start of the minimal header of a checked packet whose IP header is at `p`. */
export function minEncHeader(p: usize): usize { return p + <usize>ipv4HeaderLen(p); }

/**
 * Write a minimal forwarding header at `mh` (every byte, reserved bits zero, checksum computed).
 * `hasSrc` selects the 12-byte form carrying `origSrc`. Returns its length.
 */
export function minEncHeaderEmit(mh: usize, proto: u8, hasSrc: bool, origDst: u32, origSrc: u32): i32 {
  store<u8>(mh, proto, MINENC_OFF_PROTO);
  store<u8>(mh, hasSrc ? MINENC_FLAG_S : 0, MINENC_OFF_FLAGS);
  store<u16>(mh, 0, MINENC_OFF_CHECKSUM);
  store<u32>(mh, swap32Out(origDst), MINENC_OFF_ORIG_DST);
  const n = hasSrc ? MINENC_LEN_S : MINENC_LEN;
  if (hasSrc) store<u32>(mh, swap32Out(origSrc), MINENC_OFF_ORIG_SRC);
  store<u16>(mh, swap16s(checksum(mh, n)), MINENC_OFF_CHECKSUM);
  return n;
}

/**
 * Check a received minimally encapsulated packet of `len` bytes with its IP header at `p`: IP
 * header valid (ipv4Check, checksum included), protocol 55, not a fragment, the minimal header
 * inside Total Length, and its checksum correct.
 */
export function minEncCheck(p: usize, len: i32): MinEncErr {
  const e = ipv4Check(p, len);
  if (e != Ipv4Err.OK) return <MinEncErr>e;
  if (ipv4Proto(p) != IPPROTO_MINENC) return MinEncErr.NOT_MINENC;
  // Why: a fragment holds only part of the encapsulated datagram; reassembly comes first (RFC 791).
  if (ipv4IsFragment(p)) return MinEncErr.FRAGMENT;
  const hl = ipv4HeaderLen(p);
  const room = <i32>ipv4TotalLen(p) - hl;
  if (room < MINENC_LEN) return MinEncErr.HEADER_TRUNCATED;
  const mh = p + <usize>hl;
  const n = minEncHdrLen(mh);
  if (room < n) return MinEncErr.HEADER_TRUNCATED;
  // Why: RFC 2004 §3 — the checksum protects the addresses to be restored; a wrong one means the
  // original destination cannot be trusted, so the datagram is discarded.
  if (checksum(mh, n) != 0) return MinEncErr.BAD_CHECKSUM;
  return MinEncErr.OK;
}

/**
 * Encapsulate in place the datagram whose IP header is at `p` (`len` bytes available, its Total
 * Length is used; `headroom` writable bytes in front of `p`). Per RFC 2004 §3: the minimal header
 * takes the original protocol and destination (and source when `encapsulator` is not the original
 * source, S = 1); the IP header gets protocol 55, destination `tunnelDst`, source `encapsulator`,
 * Total Length + 8/12 and a new checksum; TTL is unchanged (a forwarding caller decrements it as
 * part of normal forwarding). Only the IP header moves, back by 8/12 bytes. Returns the bytes
 * prepended (8 or 12): the packet now starts at `p - result`. On error returns -MinEncErr and
 * changes nothing.
 */
export function minEncEncap(p: usize, len: i32, headroom: i32, encapsulator: u32, tunnelDst: u32): i32 {
  const e = ipv4Check(p, len);
  if (e != Ipv4Err.OK) return -e;
  return minEncEncapValidated(p, headroom, encapsulator, tunnelDst);
}

/**
 * minEncEncap for a datagram that already passed ipv4Check (its Total Length is used): the same
 * result without checking its header a second time. Returns 8 or 12, or -MinEncErr (FRAGMENT,
 * NO_HEADROOM, TOO_BIG) with nothing changed.
 */
export function minEncEncapValidated(p: usize, headroom: i32, encapsulator: u32, tunnelDst: u32): i32 {
  // Why: RFC 2004 §3 — minimal encapsulation MUST NOT be used for a datagram that is already
  // fragmented: the minimal header has no room for the fragmentation fields.
  if (ipv4IsFragment(p)) return -<i32>MinEncErr.FRAGMENT;
  // Why (speed): addresses are moved as stored (network order) and both checksums are updated from
  // 16-bit words as stored (one's-complement sums commute with byte swapping, RFC 1071 §2(B)).
  const srcN = load<u32>(p, IP_SRC);
  const encN = swap32(encapsulator);
  const dstN = load<u32>(p, IP_DST);
  const tunN = swap32(tunnelDst);
  // RFC 2004 §3: the Original Source is carried only when the encapsulator is not the original source.
  const hasSrc = srcN != encN;
  const n = hasSrc ? MINENC_LEN_S : MINENC_LEN;
  if (headroom < n) return -<i32>MinEncErr.NO_HEADROOM;
  const tl = <i32>ipv4TotalLen(p);
  if (tl + n > 0xffff) return -<i32>MinEncErr.TOO_BIG;
  const hl = ipv4HeaderLen(p);
  const tlN = <u32>load<u16>(p, IP_TOTAL_LEN);
  const tpN = <u32>load<u16>(p, IP_TTL);          // TTL | Protocol << 8 as stored
  const hc = <u32>load<u16>(p, IP_CHECKSUM);
  const q = p - <usize>n;
  memory.copy(q, p, <usize>hl);                    // IP header back by n; the payload stays
  // Minimal forwarding header (RFC 2004 §3): protocol, S, checksum, original destination [, source].
  const mh = q + <usize>hl;
  const pf = (tpN >> 8) | (hasSrc ? <u32>MINENC_FLAG_S << 8 : 0);   // protocol | flags << 8 as stored
  store<u16>(mh, <u16>pf, MINENC_OFF_PROTO);
  store<u32>(mh, dstN, MINENC_OFF_ORIG_DST);
  let ms = pf + (dstN & 0xffff) + (dstN >>> 16);
  if (hasSrc) { store<u32>(mh, srcN, MINENC_OFF_ORIG_SRC); ms += (srcN & 0xffff) + (srcN >>> 16); }
  store<u16>(mh, <u16>~fold16(ms), MINENC_OFF_CHECKSUM);
  // IP header: protocol 55, source the encapsulator, destination the tunnel exit, Total Length + n;
  // checksum by RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), m / m' the old / new sums of those words.
  // ~m is taken as the sum of the six old words' complements (0xffff - w each; the same value modulo
  // 0xffff, and the sum is never 0: m' holds protocol 55), folded once with the rest.
  const tlN2 = <u32>swap16(<u16>(tl + n));
  const tpN2 = (tpN & 0xff) | (<u32>IPPROTO_MINENC << 8);
  store<u16>(q, <u16>tlN2, IP_TOTAL_LEN);
  store<u16>(q, <u16>tpN2, IP_TTL);
  store<u32>(q, encN, IP_SRC);
  store<u32>(q, tunN, IP_DST);
  const m = tlN + tpN + (srcN & 0xffff) + (srcN >>> 16) + (dstN & 0xffff) + (dstN >>> 16);
  const m2 = tlN2 + tpN2 + (encN & 0xffff) + (encN >>> 16) + (tunN & 0xffff) + (tunN >>> 16);
  store<u16>(q, <u16>~fold16((~hc & 0xffff) + 6 * 0xffff - m + m2), IP_CHECKSUM);
  return n;
}

/**
 * Decapsulate in place the packet whose IP header is at `p` (`len` bytes): runs minEncCheck, then
 * restores protocol, destination and (if S) source, Total Length - 8/12, recomputes the IP header
 * checksum (RFC 2004 §3), and moves the header forward over the minimal header. Returns the bytes
 * removed (8 or 12): the original datagram now starts at `p + result`. On error returns
 * -MinEncErr and changes nothing.
 */
export function minEncDecap(p: usize, len: i32): i32 {
  const e = minEncCheck(p, len);
  if (e != MinEncErr.OK) return -<i32>e;
  return minEncRestore(p);
}

/**
 * Rebuild in place the original header from the IP header at `p` and the minimal header after it
 * (RFC 2004 §3): protocol, destination and (if S) source restored, Total Length - 8/12 (0 if less),
 * checksum recomputed, the header moved forward over the minimal header. Returns the bytes removed
 * (8 or 12). Shared by decapsulation and by tunnel.ts for a quoted header (an ICMP error's).
 */
export function minEncRestore(p: usize): i32 {
  const hl = ipv4HeaderLen(p);
  const mh = p + <usize>hl;
  const n = minEncHdrLen(mh);
  const proto = minEncProto(mh);
  const origDst = minEncOrigDst(mh);
  // Without S the encapsulator was the original source, which is already in the IP header.
  const origSrc = minEncHasSrc(mh) ? minEncOrigSrc(mh) : ipv4Src(p);
  const tl = <i32>ipv4TotalLen(p);
  const q = p + <usize>n;
  memory.copy(q, p, <usize>hl);                    // header forward over the minimal header
  store<u8>(q, proto, IP_PROTO);
  ipv4SetDst(q, origDst);
  ipv4SetSrc(q, origSrc);
  ipv4SetTotalLen(q, <u16>(tl > n ? tl - n : 0));
  ipv4FillChecksum(q);
  return n;
}
