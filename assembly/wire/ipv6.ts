// IPv6 header and extension headers (RFC 2460; AH length from RFC 2402 §2.2; issue 12.1).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |Version| Traffic Class |           Flow Label                  |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |         Payload Length        |  Next Header  |   Hop Limit   |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                Source Address (128 bits) @8                   |
//   |             Destination Address (128 bits) @24                |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Extension headers (offsets from the header's first byte):
//   Hop-by-Hop (0), Destination Options (60):  Next Header | Hdr Ext Len (8-octet units after the first 8)
//                                              | options (TLV; Pad1 is the single byte 0)
//   Routing (43):     Next Header | Hdr Ext Len | Routing Type | Segments Left | type-specific data;
//                     type 0: Reserved (32) then Hdr Ext Len / 2 addresses of 16 bytes
//   Fragment (44):    Next Header | Reserved | Fragment Offset (13) | Res (2) | M | Identification (32)
//                     (always 8 bytes)
//   AH (51):          Next Header | Payload Len (32-bit words - 2) | ... (RFC 2402 §2.2)
//   No Next Header (59): nothing follows (RFC 2460 §4.7).
//
// `ipv6Check` validates the fixed header against the buffer; after it, `ipv6WalkChain` walks the
// extension headers of a packet addressed to this node up to the upper-layer header, processing the
// options of Hop-by-Hop and Destination Options headers (`ipv6OptionsCheck`, which a forwarding node
// calls alone on the Hop-by-Hop header), and fills a walk record in caller memory (layout below):
// where it stopped, the Next Header octet that named it, the fragment / routing / AH headers met, and
// on an error the offending octet (the pointer of an ICMPv6 Parameter Problem, RFC 2463 §3.4).
// Offsets are from the start of the IPv6 header. Addresses are 16-byte pointers into the packet
// (the form of wire/addr.ts). Bytes after 40 + Payload Length (Ethernet padding) are not part of
// the packet. Jumbograms (RFC 2675, Payload Length 0 + Jumbo option) are not supported: Payload
// Length is taken as is and a Jumbo option is an unknown option (its action bits say discard + ICMP).

import { swap16, swap32, swap32Out } from "./bytes";

export const IP6_VER_TC_FLOW: usize = 0;
export const IP6_PAYLOAD_LEN: usize = 4;
export const IP6_NEXT_HEADER: usize = 6;
export const IP6_HOP_LIMIT: usize = 7;
export const IP6_SRC: usize = 8;
export const IP6_DST: usize = 24;
/** Length of the fixed header. */
export const IPV6_HEADER_LEN: i32 = 40;
/** Every link carries at least this many bytes in one piece (RFC 2460 §5). */
export const IPV6_MIN_MTU: i32 = 1280;
/** Most extension headers `ipv6WalkChain` walks before it gives up. Why: RFC 2460 §4.1's recommended
 *  order has at most 6 (Hop-by-Hop, Destination Options, Routing, Fragment, AH, Destination Options);
 *  8 leaves room for ESP-less oddities while bounding the work a crafted chain of tiny headers costs. */
export const IPV6_MAX_EXT_HEADERS: i32 = 8;

/** Next Header values (IANA protocol numbers). */
export const IPPROTO_HOPOPTS: u8 = 0;
export const IPPROTO_TCP6: u8 = 6;
export const IPPROTO_UDP6: u8 = 17;
export const IPPROTO_IPV6: u8 = 41;
export const IPPROTO_ROUTING: u8 = 43;
export const IPPROTO_FRAGMENT: u8 = 44;
export const IPPROTO_ESP: u8 = 50;
export const IPPROTO_AH: u8 = 51;
export const IPPROTO_ICMPV6: u8 = 58;
export const IPPROTO_NONE: u8 = 59;
export const IPPROTO_DSTOPTS: u8 = 60;

/** Result of `ipv6Check`, and (negated) of the emitters. */
export const enum Ipv6Err {
  OK = 0,
  TRUNCATED = 1,       // fewer than 40 bytes
  BAD_VERSION = 2,     // version != 6
  BAD_PAYLOAD_LEN = 3, // 40 + Payload Length larger than the buffer
  NO_ROOM = 4,         // emitters: the capacity is too small
  BAD_FIELD = 5        // emitters: a value does not fit its field
}

/** Validate the IPv6 packet of `len` bytes at `p`; only after OK are the accessors trusted. */
export function ipv6Check(p: usize, len: i32): i32 {
  if (len < IPV6_HEADER_LEN) return Ipv6Err.TRUNCATED;
  // Why: RFC 2460 §3: Version is 6; a packet of another version handed to IPv6 is not IPv6.
  if ((load<u8>(p, IP6_VER_TC_FLOW) >> 4) != 6) return Ipv6Err.BAD_VERSION;
  // Why: RFC 2460 §3: Payload Length counts the bytes after the fixed header (extension headers
  // included); the link must have delivered all of them. More bytes (link padding) are allowed.
  if (IPV6_HEADER_LEN + <i32>ipv6PayloadLen(p) > len) return Ipv6Err.BAD_PAYLOAD_LEN;
  return Ipv6Err.OK;
}

/** Version field (6 after a successful check). */
// @ts-ignore: decorator
@inline export function ipv6Version(p: usize): u8 { return load<u8>(p, IP6_VER_TC_FLOW) >> 4; }
/** Traffic Class (RFC 2460 §7). */
// @ts-ignore: decorator
@inline export function ipv6TrafficClass(p: usize): u8 { return <u8>(swap32(load<u32>(p, IP6_VER_TC_FLOW)) >>> 20); }
/** Flow Label, 20 bits (RFC 2460 §6). */
// @ts-ignore: decorator
@inline export function ipv6FlowLabel(p: usize): u32 { return swap32(load<u32>(p, IP6_VER_TC_FLOW)) & 0xfffff; }
/** Payload Length: bytes after the 40-byte header. */
// @ts-ignore: decorator
@inline export function ipv6PayloadLen(p: usize): i32 { return (<i32>load<u8>(p, IP6_PAYLOAD_LEN) << 8) | <i32>load<u8>(p, IP6_PAYLOAD_LEN + 1); }
/** Length of the whole packet, 40 + Payload Length. */
// @ts-ignore: decorator
@inline export function ipv6TotalLen(p: usize): i32 { return IPV6_HEADER_LEN + <i32>ipv6PayloadLen(p); }
/** Next Header of the fixed header. */
// @ts-ignore: decorator
@inline export function ipv6NextHeader(p: usize): i32 { return <i32>load<u8>(p, IP6_NEXT_HEADER); }
/** Hop Limit. */
// @ts-ignore: decorator
@inline export function ipv6HopLimit(p: usize): i32 { return <i32>load<u8>(p, IP6_HOP_LIMIT); }
/** Pointer to the 16-byte source address. */
// @ts-ignore: decorator
@inline export function ipv6Src(p: usize): usize { return p + IP6_SRC; }
/** Pointer to the 16-byte destination address. */
// @ts-ignore: decorator
@inline export function ipv6Dst(p: usize): usize { return p + IP6_DST; }
/** Pointer to the first byte after the fixed header. */
// @ts-ignore: decorator
@inline export function ipv6Payload(p: usize): usize { return p + <usize>IPV6_HEADER_LEN; }

/** Set the Payload Length. */
// @ts-ignore: decorator
@inline export function ipv6SetPayloadLen(p: usize, n: u16): void { store<u16>(p, swap16(n), IP6_PAYLOAD_LEN); }
/** Set the Next Header of the fixed header. */
// @ts-ignore: decorator
@inline export function ipv6SetNextHeader(p: usize, nh: u8): void { store<u8>(p, nh, IP6_NEXT_HEADER); }
/** Set the Hop Limit. */
// @ts-ignore: decorator
@inline export function ipv6SetHopLimit(p: usize, h: u8): void { store<u8>(p, h, IP6_HOP_LIMIT); }
/**
 * Decrement the Hop Limit by one; the caller has checked it is > 1 (RFC 2460 §3: a forwarding node
 * discards a packet whose Hop Limit reaches zero and sends Time Exceeded). Why: no header checksum to
 * update (RFC 2460 §8.1: IPv6 has none; upper layers cover the pseudo-header).
 */
// @ts-ignore: decorator
@inline export function ipv6DecrementHopLimit(p: usize): void { store<u8>(p, load<u8>(p, IP6_HOP_LIMIT) - 1, IP6_HOP_LIMIT); }

/** True for a multicast address, ff00::/8 (RFC 4291 §2.7), at `a`. */
// @ts-ignore: decorator
@inline export function ipv6IsMulticast(a: usize): bool { return load<u8>(a) == 0xff; }

/**
 * Write a 40-byte header at `p` (capacity `cap`). `src` and `dst` are 16-byte addresses and may point
 * into the header being written (a reply built in place passes them swapped). Returns 40, or
 * -Ipv6Err.NO_ROOM (cap < 40) / -Ipv6Err.BAD_FIELD (flow label over 20 bits).
 */
export function ipv6Emit(p: usize, cap: i32, trafficClass: u8, flowLabel: u32, payloadLen: u16, nextHeader: u8,
  hopLimit: u8, src: usize, dst: usize): i32 {
  if (cap < IPV6_HEADER_LEN) return -Ipv6Err.NO_ROOM;
  // Why: RFC 2460 §3: the Flow Label is 20 bits; a larger value would overwrite the Traffic Class.
  if (flowLabel > 0xfffff) return -Ipv6Err.BAD_FIELD;
  // Both addresses are read before anything is written: they may overlap the header (in-place reply).
  const s0 = load<u64>(src), s1 = load<u64>(src, 8), d0 = load<u64>(dst), d1 = load<u64>(dst, 8);
  store<u32>(p, swap32((<u32>6 << 28) | (<u32>trafficClass << 20) | flowLabel), IP6_VER_TC_FLOW);
  store<u16>(p, swap16(payloadLen), IP6_PAYLOAD_LEN);
  store<u8>(p, nextHeader, IP6_NEXT_HEADER);
  store<u8>(p, hopLimit, IP6_HOP_LIMIT);
  store<u64>(p, s0, IP6_SRC);
  store<u64>(p, s1, IP6_SRC + 8);
  store<u64>(p, d0, IP6_DST);
  store<u64>(p, d1, IP6_DST + 8);
  return IPV6_HEADER_LEN;
}

// ---- extension header chain (RFC 2460 §4) ---------------------------------------------------------

/** Result of `ipv6WalkChain` and `ipv6OptionsCheck`; the offending octet is in the record's WALK_POINTER. */
export const enum Ext6Err {
  OK = 0,
  /** An extension header or option area runs past the payload: discard (pointer: the header). */
  TRUNCATED = 1,
  /** Hop-by-Hop Options not right after the fixed header: discard + Parameter Problem code 1, pointer
   *  to the Next Header octet naming it (RFC 2460 §4.1, §4). */
  HBH_NOT_FIRST = 2,
  /** More than IPV6_MAX_EXT_HEADERS extension headers: discard (pointer: the header past the bound). */
  TOO_MANY = 3,
  /** An option's length runs past its header: discard (pointer: the option's type octet). */
  BAD_OPTION_LEN = 4,
  /** Unknown option, action 01: discard silently (pointer: the option's type octet). */
  OPT_DISCARD = 5,
  /** Unknown option, action 10: discard + Parameter Problem code 2 pointing at the option type. */
  OPT_ICMP = 6,
  /** Unknown option, action 11: discard + Parameter Problem code 2 unless the destination is multicast. */
  OPT_ICMP_UNLESS_MULTICAST = 7
}

/**
 * The walk record, in caller memory (WALK_SIZE bytes, i32 fields in host order):
 *   WALK_PROTO    the Next Header value where the walk stopped: an upper-layer protocol (or ESP), 59
 *                 (No Next Header), 43 (a Routing header with Segments Left > 0: the caller processes it
 *                 and walks again) or 44 (a Fragment header of a fragmented packet: reassemble first)
 *   WALK_OFFSET   offset of that header (for 59: the end of the last extension header)
 *   WALK_NH_AT    offset of the Next Header octet that named it (6 when no extension header came
 *                 before): the pointer of a Parameter Problem code 1 when the caller does not know it
 *   WALK_POINTER  on an error, the offending octet (Ext6Err says which ICMPv6 code, if any)
 *   WALK_FRAG / WALK_ROUTING / WALK_AH   offset of the (last) header of that kind met, 0 when none
 *   WALK_COUNT    extension headers walked
 *   WALK_AH_NH_AT offset of the Next Header octet that named the header at WALK_AH
 */
export const WALK_PROTO: usize = 0;
export const WALK_OFFSET: usize = 4;
export const WALK_NH_AT: usize = 8;
export const WALK_POINTER: usize = 12;
export const WALK_FRAG: usize = 16;
export const WALK_ROUTING: usize = 20;
export const WALK_AH: usize = 24;
export const WALK_COUNT: usize = 28;
export const WALK_AH_NH_AT: usize = 32;
export const WALK_SIZE: i32 = 36;

// @ts-ignore: decorator
@inline export function walkProto(r: usize): u8 { return <u8>load<i32>(r, WALK_PROTO); }
// @ts-ignore: decorator
@inline export function walkOffset(r: usize): i32 { return load<i32>(r, WALK_OFFSET); }
// @ts-ignore: decorator
@inline export function walkNhAt(r: usize): i32 { return load<i32>(r, WALK_NH_AT); }
// @ts-ignore: decorator
@inline export function walkPointer(r: usize): i32 { return load<i32>(r, WALK_POINTER); }
// @ts-ignore: decorator
@inline export function walkFrag(r: usize): i32 { return load<i32>(r, WALK_FRAG); }
// @ts-ignore: decorator
@inline export function walkRouting(r: usize): i32 { return load<i32>(r, WALK_ROUTING); }
// @ts-ignore: decorator
@inline export function walkAh(r: usize): i32 { return load<i32>(r, WALK_AH); }
// @ts-ignore: decorator
@inline export function walkAhNhAt(r: usize): i32 { return load<i32>(r, WALK_AH_NH_AT); }
// @ts-ignore: decorator
@inline export function walkCount(r: usize): i32 { return load<i32>(r, WALK_COUNT); }

/** True for the Next Header values `ipv6WalkChain` walks through (0, 43, 44, 51, 60). */
export function ipv6IsExtHeader(nh: i32): bool {
  // Why: RFC 2460 §4 defines Hop-by-Hop, Routing, Fragment and Destination Options; AH (RFC 2402) is
  // walked over too because what it protects follows it in the clear. ESP (50) is not: its payload is
  // encrypted, so it is where the walk ends, like an upper-layer protocol. 59 ends it too (§4.7).
  return nh == IPPROTO_HOPOPTS || nh == IPPROTO_DSTOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_FRAGMENT ||
    nh == IPPROTO_AH;
}

/**
 * Length in bytes of the extension header of kind `nh` at offset `o` (its first two bytes present).
 * Why: RFC 2460 §4.3-4.6: Hdr Ext Len counts 8-octet units after the first 8; the Fragment header is
 * always 8 bytes (its second byte is Reserved); RFC 2402 §2.2: AH's Payload Len counts 32-bit words
 * minus 2.
 */
export function ipv6ExtLen(p: usize, o: i32, nh: i32): i32 {
  if (nh == IPPROTO_FRAGMENT) return 8;
  const l = <i32>load<u8>(p + <usize>o, 1);
  return nh == IPPROTO_AH ? (l + 2) << 2 : (l + 1) << 3;
}

/** Store the error `e` with pointer `at` in the record and return it. */
function walkFail(r: usize, e: i32, at: i32): i32 {
  store<i32>(r, at, WALK_POINTER);
  return e;
}

/**
 * Walk the extension headers of the checked packet at `p`, as the node it is addressed to (RFC 2460
 * §4: every header processed in order), filling the record `r` (WALK_SIZE bytes). Options of Hop-by-
 * Hop and Destination Options headers are checked by `ipv6OptionsCheck` with the bitmap `known`
 * (see there). Returns Ext6Err.OK or an error; either way the record says where.
 */
export function ipv6WalkChain(p: usize, known: usize, r: usize): i32 {
  const end = ipv6TotalLen(p);
  let nh = ipv6NextHeader(p);
  let nhAt = <i32>IP6_NEXT_HEADER;
  let o = IPV6_HEADER_LEN;
  let n = 0;
  store<i32>(r, 0, WALK_POINTER);
  store<i32>(r, 0, WALK_FRAG);
  store<i32>(r, 0, WALK_ROUTING);
  store<i32>(r, 0, WALK_AH);
  while (ipv6IsExtHeader(nh)) {
    store<i32>(r, n, WALK_COUNT);
    // Why: RFC 2460 §4.1: Hop-by-Hop Options may only follow the fixed header; §4 (Hop-by-Hop
    // paragraph) and §4.1: a 0 anywhere else is an unrecognized Next Header: Parameter Problem code 1
    // pointing at the Next Header octet that holds it.
    if (nh == IPPROTO_HOPOPTS && o != IPV6_HEADER_LEN) return walkFail(r, Ext6Err.HBH_NOT_FIRST, nhAt);
    // Why: bounded work per packet (see IPV6_MAX_EXT_HEADERS); RFC 2460 sets no limit, so the packet is
    // dropped without an ICMPv6 error.
    if (n == IPV6_MAX_EXT_HEADERS) return walkFail(r, Ext6Err.TOO_MANY, o);
    // Why: RFC 2460 §4: every extension header lies inside the payload; its first two octets (Next
    // Header, length) come first. A header cut short is malformed and silently discarded (no octet of
    // it is wrong, the packet just ends).
    if (o + 2 > end) return walkFail(r, Ext6Err.TRUNCATED, o);
    const hl = ipv6ExtLen(p, o, nh);
    if (o + hl > end) return walkFail(r, Ext6Err.TRUNCATED, o);
    n++;
    if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_DSTOPTS) {
      // Why: RFC 2460 §4.2, §4.3, §4.6: the options are processed by every node the header is for; a
      // Destination Options header before a Routing header is for each node the routing header lists,
      // so for this one too.
      const e = ipv6OptionsCheck(p, o, known, r);
      if (e != Ext6Err.OK) { store<i32>(r, n, WALK_COUNT); return e; }
    } else if (nh == IPPROTO_ROUTING) {
      store<i32>(r, o, WALK_ROUTING);
      // Why: RFC 2460 §4.4: with Segments Left > 0 this node is an intermediate destination: the routing
      // header is processed (and the packet resubmitted or forwarded) before anything after it.
      if (load<u8>(p + <usize>o, RH_SEGMENTS_LEFT) != 0) break;
    } else if (nh == IPPROTO_FRAGMENT) {
      store<i32>(r, o, WALK_FRAG);
      // Why: RFC 2460 §4.5: what follows the Fragment header is the fragmentable part, processed only
      // after reassembly; an atomic fragment (offset 0, M 0; RFC 6946) is a whole packet and walked on.
      if (!fragIsAtomic(p + <usize>o)) break;
    } else {
      store<i32>(r, o, WALK_AH);
      store<i32>(r, nhAt, WALK_AH_NH_AT);
    }
    nhAt = o;
    nh = load<u8>(p + <usize>o);
    o += hl;
  }
  store<i32>(r, <i32>nh, WALK_PROTO);
  store<i32>(r, o, WALK_OFFSET);
  store<i32>(r, nhAt, WALK_NH_AT);
  store<i32>(r, n, WALK_COUNT);
  return Ext6Err.OK;
}

// ---- options of Hop-by-Hop and Destination Options (RFC 2460 §4.2) --------------------------------

export const IP6OPT_PAD1: u8 = 0;
export const IP6OPT_PADN: u8 = 1;
/** Tunnel Encapsulation Limit (RFC 2473 §5.1), a Destination option. */
export const IP6OPT_TUNNEL_LIMIT: u8 = 4;
/** Router Alert (RFC 2711), a Hop-by-Hop option. */
export const IP6OPT_ROUTER_ALERT: u8 = 5;
/** Jumbo Payload (RFC 2675; not supported here). */
export const IP6OPT_JUMBO: u8 = 0xc2;
/** Home Address (RFC 3775 §6.3), a Destination option. */
export const IP6OPT_HOME_ADDRESS: u8 = 0xc9;

/** The action of an unrecognized option, the two high-order bits of its type (RFC 2460 §4.2). */
export const IP6OPT_ACTION_SKIP: u8 = 0;
export const IP6OPT_ACTION_DISCARD: u8 = 1;
export const IP6OPT_ACTION_ICMP: u8 = 2;
export const IP6OPT_ACTION_ICMP_UNLESS_MCAST: u8 = 3;

/** Action bits of option type `t`. */
// @ts-ignore: decorator
@inline export function ip6OptAction(t: u8): u8 { return t >> 6; }
/** True when the data of option type `t` may change en route (third-highest bit, RFC 2460 §4.2): AH
 *  computes its ICV over zeros in its place (RFC 2402 §3.3.3.1.2.1). */
// @ts-ignore: decorator
@inline export function ip6OptMayChange(t: u8): bool { return (t & 0x20) != 0; }

/**
 * Check the options of the Hop-by-Hop or Destination Options header at offset `o` of the packet at
 * `p` (the whole header inside the packet). `known` is 0 or a 32-byte bitmap (bit t of byte t >> 3
 * set: the caller understands option type t and will look at it with `ipv6OptFind`); Pad1 and PadN
 * are always understood. Returns OK or an Ext6Err with the offending octet in `r`'s WALK_POINTER;
 * for the unknown-option results the caller acts (OPT_ICMP_UNLESS_MULTICAST: see `ip6OptWantsIcmp`).
 */
export function ipv6OptionsCheck(p: usize, o: i32, known: usize, r: usize): i32 {
  const end = o + ((<i32>load<u8>(p + <usize>o, 1) + 1) << 3);
  let i = o + 2;
  while (i < end) {
    const t = load<u8>(p + <usize>i);
    // Why: RFC 2460 §4.2: Pad1 is the only option without a length octet.
    if (t == IP6OPT_PAD1) { i++; continue; }
    // Why: RFC 2460 §4.2: every other option is type, length (octets of data), data, and the options
    // fill the header exactly; one that runs past it (a PadN too long, or a type in the last octet) is
    // malformed.
    if (i + 2 > end) return walkFail(r, Ext6Err.BAD_OPTION_LEN, i);
    const next = i + 2 + <i32>load<u8>(p + <usize>i, 1);
    if (next > end) return walkFail(r, Ext6Err.BAD_OPTION_LEN, i);
    if (t != IP6OPT_PADN && (known == 0 || (load<u8>(known + <usize>(t >> 3)) & (<u8>1 << (t & 7))) == 0)) {
      // Why: RFC 2460 §4.2: the two high-order bits of an unrecognized option's type say what to do:
      // 00 skip it, 01 discard the packet, 10 discard and send Parameter Problem code 2 pointing at the
      // type, 11 the same unless the destination is multicast.
      const a = ip6OptAction(t);
      if (a != IP6OPT_ACTION_SKIP) return walkFail(r, Ext6Err.OPT_DISCARD - 1 + <i32>a, i);
    }
    i = next;
  }
  return Ext6Err.OK;
}

/**
 * True when the result `e` of an options check calls for a Parameter Problem (code 2) to the source,
 * given whether the packet's destination is multicast (RFC 2460 §4.2 action 10 always, 11 only for a
 * unicast destination).
 */
export function ip6OptWantsIcmp(e: i32, dstMulticast: bool): bool {
  return e == Ext6Err.OPT_ICMP || (e == Ext6Err.OPT_ICMP_UNLESS_MULTICAST && !dstMulticast);
}

/**
 * Offset (from `p`) of the first option of type `type` in the checked Hop-by-Hop / Destination
 * Options header at offset `o`, or -1. Not for Pad1.
 */
export function ipv6OptFind(p: usize, o: i32, type: u8): i32 {
  const end = o + ((<i32>load<u8>(p + <usize>o, 1) + 1) << 3);
  let i = o + 2;
  while (i < end) {
    const t = load<u8>(p + <usize>i);
    if (t == IP6OPT_PAD1) { i++; continue; }
    if (t == type) return i;
    i += 2 + <i32>load<u8>(p + <usize>i, 1);
  }
  return -1;
}

/** Data length of the option at offset `i` (not Pad1). */
// @ts-ignore: decorator
@inline export function ipv6OptLen(p: usize, i: i32): i32 { return <i32>load<u8>(p + <usize>i, 1); }

/** Write `n` bytes of padding at `q`: Pad1 for one byte, else a PadN of n - 2 zero bytes (RFC 2460 §4.2). */
export function ipv6PadEmit(q: usize, n: i32): void {
  if (n <= 0) return;
  if (n == 1) { store<u8>(q, IP6OPT_PAD1); return; }
  store<u8>(q, IP6OPT_PADN);
  store<u8>(q, <u8>(n - 2), 1);
  memory.fill(q + 2, 0, <usize>(n - 2));
}

/**
 * Write a Hop-by-Hop or Destination Options header at `h` (capacity `cap`): Next Header `nh`, the
 * `optsLen` bytes of options at `opts` (already aligned by the caller as RFC 2460 §4.2's xn+y rules
 * ask; may not overlap `h`), then padding to a multiple of 8. Returns the header length, or
 * -Ipv6Err.NO_ROOM / -Ipv6Err.BAD_FIELD (longer than 2048 bytes, the most Hdr Ext Len can say).
 */
export function ipv6OptsEmit(h: usize, cap: i32, nh: u8, opts: usize, optsLen: i32): i32 {
  if (optsLen < 0) return -Ipv6Err.BAD_FIELD;
  // Why: RFC 2460 §4.3, §4.6: the header is a multiple of 8 octets, Hdr Ext Len 0..255 of them after the first.
  const hl = (2 + optsLen + 7) & ~7;
  if (hl > 2048) return -Ipv6Err.BAD_FIELD;
  if (hl > cap) return -Ipv6Err.NO_ROOM;
  store<u8>(h, nh);
  store<u8>(h, <u8>((hl >> 3) - 1), 1);
  memory.copy(h + 2, opts, <usize>optsLen);
  ipv6PadEmit(h + 2 + <usize>optsLen, hl - 2 - optsLen);
  return hl;
}

// ---- Fragment header (RFC 2460 §4.5) --------------------------------------------------------------

export const FRAG_NEXT_HEADER: usize = 0;
export const FRAG_OFFSET_FLAGS: usize = 2;
export const FRAG_IDENT: usize = 4;
export const FRAG_HEADER_LEN: i32 = 8;

/** Next Header of the Fragment header at `h` (of the fragmentable part). */
// @ts-ignore: decorator
@inline export function fragNextHeader(h: usize): i32 { return <i32>load<u8>(h, FRAG_NEXT_HEADER); }
/** Fragment Offset in bytes (the field counts 8-octet units). */
// @ts-ignore: decorator
@inline export function fragOffset(h: usize): i32 { return <i32>(swap16(load<u16>(h, FRAG_OFFSET_FLAGS)) & 0xfff8); }
/** M flag: more fragments follow. */
// @ts-ignore: decorator
@inline export function fragMore(h: usize): bool { return (load<u8>(h, FRAG_OFFSET_FLAGS + 1) & 1) != 0; }
/** Identification. */
// @ts-ignore: decorator
@inline export function fragIdent(h: usize): u32 { return swap32(load<u32>(h, FRAG_IDENT)); }
/** True for an atomic fragment: offset 0 and M 0, the whole packet in one piece (RFC 6946). */
// @ts-ignore: decorator
@inline export function fragIsAtomic(h: usize): bool { return (load<u16>(h, FRAG_OFFSET_FLAGS) & <u16>0xf9ff) == 0; }

/**
 * Write a Fragment header at `h` (capacity `cap`). `offset` in bytes. Returns 8, or -Ipv6Err.NO_ROOM,
 * or -Ipv6Err.BAD_FIELD (offset not a multiple of 8 or beyond 65528).
 */
export function fragEmit(h: usize, cap: i32, nh: i32, offset: i32, more: bool, ident: u32): i32 {
  if (cap < FRAG_HEADER_LEN) return -Ipv6Err.NO_ROOM;
  // Why: RFC 2460 §4.5: the offset is 13 bits of 8-octet units; every fragment but the last carries a
  // multiple of 8 bytes.
  if (offset < 0 || offset > 0xfff8 || (offset & 7) != 0) return -Ipv6Err.BAD_FIELD;
  store<u8>(h, nh, FRAG_NEXT_HEADER);
  store<u8>(h, 0, 1); // Reserved
  store<u16>(h, swap16(<u16>offset | (more ? <u16>1 : <u16>0)), FRAG_OFFSET_FLAGS);
  store<u32>(h, swap32Out(ident), FRAG_IDENT);
  return FRAG_HEADER_LEN;
}

// ---- Routing header (RFC 2460 §4.4) -----------------------------------------------------------------

export const RH_NEXT_HEADER: usize = 0;
export const RH_LEN: usize = 1;
export const RH_TYPE: usize = 2;
export const RH_SEGMENTS_LEFT: usize = 3;
/** First address of a type 0 (or Mobile IPv6 type 2) routing header. */
export const RH_ADDRS: usize = 8;
/** Type 0 (RFC 2460 §4.4; deprecated by RFC 5095, accepted only as SPEC-DECISIONS.md says). */
export const RH_TYPE0: u8 = 0;
/** Type 2 (Mobile IPv6, RFC 3775 §6.4). */
export const RH_TYPE2: u8 = 2;

/** Next Header of the routing header at `h`. */
// @ts-ignore: decorator
@inline export function rhNextHeader(h: usize): i32 { return <i32>load<u8>(h, RH_NEXT_HEADER); }
/** Length in bytes of the routing header at `h`. */
// @ts-ignore: decorator
@inline export function rhLen(h: usize): i32 { return (<i32>load<u8>(h, RH_LEN) + 1) << 3; }
/** Routing Type. */
// @ts-ignore: decorator
@inline export function rhType(h: usize): i32 { return <i32>load<u8>(h, RH_TYPE); }
/** Segments Left. */
// @ts-ignore: decorator
@inline export function rhSegmentsLeft(h: usize): i32 { return <i32>load<u8>(h, RH_SEGMENTS_LEFT); }
/** Set Segments Left (the node processing the header decrements it). */
// @ts-ignore: decorator
@inline export function rhSetSegmentsLeft(h: usize, n: u8): void { store<u8>(h, n, RH_SEGMENTS_LEFT); }
/** Number of addresses of a type 0 / type 2 header: Hdr Ext Len / 2 (RFC 2460 §4.4). */
// @ts-ignore: decorator
@inline export function rhNumAddrs(h: usize): i32 { return <i32>load<u8>(h, RH_LEN) >> 1; }
/** Pointer to address `i` (0-based) of a type 0 / type 2 header. */
// @ts-ignore: decorator
@inline export function rhAddr(h: usize, i: i32): usize { return h + RH_ADDRS + <usize>(i << 4); }

/**
 * Check the address list of the type 0 (or 2) routing header at `h`, before the node processes it
 * (Segments Left > 0). Returns -1, or the offset inside the header of the octet a Parameter Problem
 * code 0 points at. Why: RFC 2460 §4.4 type 0 processing: an odd Hdr Ext Len, or Segments Left larger
 * than the number of addresses, is answered with Parameter Problem code 0 at that field.
 */
export function rhCheckAddrs(h: usize): i32 {
  const l = <i32>load<u8>(h, RH_LEN);
  if ((l & 1) != 0) return <i32>RH_LEN;
  if (<i32>rhSegmentsLeft(h) > (l >> 1)) return <i32>RH_SEGMENTS_LEFT;
  return -1;
}

/**
 * Write a type 0 / type 2 routing header at `h` (capacity `cap`) with the `n` 16-byte addresses at
 * `addrs` (may not overlap `h`). Returns 8 + 16n, or -Ipv6Err.NO_ROOM, or -Ipv6Err.BAD_FIELD
 * (n outside 0..127 or segmentsLeft > n: RFC 2460 §4.4, Hdr Ext Len = 2n fits one octet).
 */
export function rhEmit(h: usize, cap: i32, nh: u8, type: u8, segmentsLeft: u8, addrs: usize, n: i32): i32 {
  if (n < 0 || n > 127 || <i32>segmentsLeft > n) return -Ipv6Err.BAD_FIELD;
  const hl = 8 + (n << 4);
  if (hl > cap) return -Ipv6Err.NO_ROOM;
  store<u8>(h, nh, RH_NEXT_HEADER);
  store<u8>(h, <u8>(n << 1), RH_LEN);
  store<u8>(h, type, RH_TYPE);
  store<u8>(h, segmentsLeft, RH_SEGMENTS_LEFT);
  store<u32>(h, 0, 4); // Reserved (RFC 2460 §4.4: zero on transmission)
  memory.copy(h + RH_ADDRS, addrs, <usize>(n << 4));
  return hl;
}
