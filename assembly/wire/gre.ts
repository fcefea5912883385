// Generic Routing Encapsulation (RFC 1701; over IPv4 RFC 1702; SPEC-DECISIONS "Base Mobile IPv4"),
// IP protocol 47, requested in a Registration Request with the G bit.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |C|R|K|S|s|Recur|  Flags  | Ver |         Protocol Type         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |      Checksum (optional)      |       Offset (optional)       |   present if C or R
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                         Key (optional)                        |   present if K
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                    Sequence Number (optional)                 |   present if S
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                         Routing (optional)                        present if R
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Routing is a list of Source Route Entries `Address Family(16) | SRE Offset(8) | SRE Length(8) |
// Routing Information`, ended by a NULL SRE (family 0, length 0). The Checksum, when present,
// covers the GRE header and the payload.
//
// We parse every field. Received packets with R are refused (GreErr.ROUTING_UNSUPPORTED) because
// the core implements no GRE source routing; Ver != 0 is refused (RFC 1701 "Packet Header": the
// Version Number MUST be 0). We send the 4-byte header only: every optional field absent
// (SPEC-DECISIONS), Recursion Control 0 (RFC 1701: SHOULD default to zero), Flags 0 (reserved,
// transmitted as zero).

import { checksum } from "./checksum";
import { IPPROTO_GRE } from "./ipv4";
import { tunnelEncapOuter, tunnelEncapOuterValidated } from "./ipip";
import { swap16, swap32Out } from "./bytes";

/** GRE Protocol Type of IPv4 (RFC 1701 protocol types are Ethernet types; RFC 1702). */
export const GRE_PROTO_IPV4: u16 = 0x0800;
/** Length of the base header (and of every header we send). */
export const GRE_HDR_LEN: i32 = 4;

// Bits of the first 16-bit word (host order).
export const GRE_FLAG_C: u16 = 0x8000;
export const GRE_FLAG_R: u16 = 0x4000;
export const GRE_FLAG_K: u16 = 0x2000;
export const GRE_FLAG_S: u16 = 0x1000;
/** Strict source route. */
export const GRE_FLAG_SSR: u16 = 0x0800;
export const GRE_RECUR_MASK: u16 = 0x0700;
export const GRE_RECUR_SHIFT: u16 = 8;
export const GRE_VER_MASK: u16 = 0x0007;

export const GRE_OFF_FLAGS: usize = 0;
export const GRE_OFF_PROTO: usize = 2;
/** Checksum/Offset word, when C or R (the next optional fields follow in order). */
export const GRE_OFF_CHECKSUM: usize = 4;
/** Size of one SRE header (family, offset, length). */
export const GRE_SRE_HDR_LEN: i32 = 4;

/** Why a GRE packet was refused. */
export const enum GreErr {
  OK = 0,
  /** Shorter than the base header or than the optional fields its flags announce. */
  TRUNCATED = 1,
  /** Version is not 0. */
  BAD_VERSION = 2,
  /** Routing present (R): well formed, but this core implements no GRE source routing. */
  ROUTING_UNSUPPORTED = 3,
  /** The SRE list runs past the end or has no NULL SRE. */
  BAD_ROUTING = 4,
  /** Checksum present (C) and wrong. */
  BAD_CHECKSUM = 5,
}

/** First 16-bit word: C R K S s Recur Flags Ver. */
export function greFlags(p: usize): u16 { return <u16>((<u32>load<u8>(p, GRE_OFF_FLAGS) << 8) | <u32>load<u8>(p, GRE_OFF_FLAGS + 1)); }
/** Protocol Type (GRE_PROTO_IPV4 for IPv4). */
export function greProtocolType(p: usize): i32 { return (<i32>load<u8>(p, GRE_OFF_PROTO) << 8) | <i32>load<u8>(p, GRE_OFF_PROTO + 1); }
/** Version (3 bits). */
export function greVersion(p: usize): u16 { return greFlags(p) & GRE_VER_MASK; }
/** Recursion control (3 bits). */
export function greRecur(p: usize): u16 { return (greFlags(p) & GRE_RECUR_MASK) >> GRE_RECUR_SHIFT; }
/** True if the Checksum field is valid (C). */
export function greHasChecksum(p: usize): bool { return (greFlags(p) & GRE_FLAG_C) != 0; }
/** True if Routing is present (R). */
export function greHasRouting(p: usize): bool { return (greFlags(p) & GRE_FLAG_R) != 0; }
/** True if the Key is present (K). */
export function greHasKey(p: usize): bool { return (greFlags(p) & GRE_FLAG_K) != 0; }
/** True if the Sequence Number is present (S). */
export function greHasSeq(p: usize): bool { return (greFlags(p) & GRE_FLAG_S) != 0; }
/** True if Strict Source Route (s). */
export function greStrictRoute(p: usize): bool { return (greFlags(p) & GRE_FLAG_SSR) != 0; }

/** Offset of the Key field (valid only with K). */
export function greKeyOff(p: usize): i32 { return (greFlags(p) & (GRE_FLAG_C | GRE_FLAG_R)) != 0 ? 8 : 4; }
/** Offset of the Sequence Number field (valid only with S). */
export function greSeqOff(p: usize): i32 { return greKeyOff(p) + (greHasKey(p) ? 4 : 0); }
/** Offset of the Routing field (valid only with R): the end of the fixed optional fields. */
export function greRoutingOff(p: usize): i32 { return greSeqOff(p) + (greHasSeq(p) ? 4 : 0); }

/** Checksum field (host order; present if C or R, meaningful if C). */
export function greChecksum(p: usize): i32 { return (<i32>load<u8>(p, GRE_OFF_CHECKSUM) << 8) | <i32>load<u8>(p, GRE_OFF_CHECKSUM + 1); }
/** Offset field: from the start of Routing to the active SRE (present if C or R, meaningful if R). */
export function greOffset(p: usize): i32 { return (<i32>load<u8>(p, GRE_OFF_CHECKSUM + 2) << 8) | <i32>load<u8>(p, GRE_OFF_CHECKSUM + 2 + 1); }
/** Key (present if K). */
export function greKey(p: usize): u32 { return swap32Out(load<u32>(p + <usize>greKeyOff(p))); }
/** Sequence Number (present if S). */
export function greSeq(p: usize): u32 { return swap32Out(load<u32>(p + <usize>greSeqOff(p))); }

/**
 * Length of the Routing field (all SREs and the NULL SRE) starting at `r` with `avail` bytes, or
 * -1 if an SRE runs past `avail` or no NULL SRE ends the list.
 */
export function greRoutingLen(r: usize, avail: i32): i32 {
  let off: i32 = 0;
  for (;;) {
    if (avail - off < GRE_SRE_HDR_LEN) return -1;
    const family = swap16(load<u16>(r + <usize>off));
    const l = <i32>load<u8>(r + <usize>off, 3);
    off += GRE_SRE_HDR_LEN;
    if (family == 0 && l == 0) return off;            // NULL SRE ends the list (RFC 1701)
    if (avail - off < l) return -1;
    off += l;
  }
  return -1; // unreachable
}

/**
 * Length of the GRE header (base + optional fields, without Routing) of a packet that passed
 * greCheck; the payload starts at `p + greHdrLen(p)`.
 */
export function greHdrLen(p: usize): i32 { return greRoutingOff(p); }

/**
 * Check the GRE packet (header + payload, the IP payload) of `len` bytes at `p`: version 0, every
 * announced optional field present, Routing well formed and then refused, checksum correct if C.
 */
export function greCheck(p: usize, len: i32): GreErr {
  if (len < GRE_HDR_LEN) return GreErr.TRUNCATED;
  // Why: RFC 1701 — Version Number MUST be 0; other values are other protocols (e.g. PPTP's 1).
  if (greVersion(p) != 0) return GreErr.BAD_VERSION;
  // Why: each flag announces a field; a packet shorter than its announced fields would make the
  // accessors read past the end.
  const hl = greRoutingOff(p);
  if (len < hl) return GreErr.TRUNCATED;
  if (greHasRouting(p)) {
    // Why: parse the SREs so a malformed list is told apart, then refuse: this core does not
    // implement GRE source routing, and forwarding by a sender-chosen route is not wanted.
    if (greRoutingLen(p + <usize>hl, len - hl) < 0) return GreErr.BAD_ROUTING;
    return GreErr.ROUTING_UNSUPPORTED;
  }
  // Why: RFC 1701 — with C the Checksum (of GRE header and payload packet) must verify.
  if (greHasChecksum(p) && checksum(p, len) != 0) return GreErr.BAD_CHECKSUM;
  // The reserved Flags bits are ignored on receipt; Recursion Control concerns re-encapsulation only.
  return GreErr.OK;
}

/** Write the 4-byte GRE header (no optional fields, Recur 0, Ver 0) at `p`. Returns 4, or 0 if `cap` < 4. */
export function greEmit(p: usize, cap: i32, protocolType: u16): i32 {
  if (cap < GRE_HDR_LEN) return 0;
  store<u16>(p, 0, GRE_OFF_FLAGS);
  store<u16>(p, swap16(protocolType), GRE_OFF_PROTO);
  return GRE_HDR_LEN;
}

/**
 * Encapsulate the IPv4 datagram at `inner` (`innerLen` bytes available, its Total Length is used)
 * in GRE: writes an outer IPv4 header (protocol 47) and a 4-byte GRE header (type 0x0800) into the
 * `headroom` in front of it. RFC 1702 lets TOS be copied from the payload ("MAY"); we copy TOS and
 * DF and decrement the inner TTL when `forwarding` exactly as RFC 2003 §3 does for IP in IP, so
 * every tunnel behaves alike. Returns the bytes prepended (24): the packet now starts at
 * `inner - 24`. On error returns -IpipErr and changes nothing.
 */
export function greEncap(
  inner: usize, innerLen: i32, headroom: i32, src: u32, dst: u32, ttl: u8, ident: u16, forwarding: bool,
): i32 {
  const n = tunnelEncapOuter(inner, innerLen, headroom, GRE_HDR_LEN, IPPROTO_GRE, src, dst, ttl, ident, forwarding);
  if (n > 0) greEmit(inner - <usize>GRE_HDR_LEN, GRE_HDR_LEN, GRE_PROTO_IPV4);
  return n;
}

/**
 * greEncap for an inner datagram that already passed ipv4Check (its Total Length is used): the same
 * result without checking its header a second time. Returns 24 or -IpipErr.
 */
export function greEncapValidated(inner: usize, headroom: i32, src: u32, dst: u32, ttl: i32, ident: i32, forwarding: bool): i32 {
  const n = tunnelEncapOuterValidated(inner, headroom, GRE_HDR_LEN, IPPROTO_GRE, src, dst, ttl, ident, forwarding);
  if (n > 0) greEmit(inner - <usize>GRE_HDR_LEN, GRE_HDR_LEN, GRE_PROTO_IPV4);
  return n;
}
