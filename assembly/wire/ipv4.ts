// IPv4 header (RFC 791 §3.1; validity checks from RFC 1122 §3.2.1 and RFC 1812 §5.2.2;
// incremental checksum update from RFC 1624).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |Version|  IHL  |Type of Service|          Total Length         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |         Identification        |0|D|M|      Fragment Offset    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |  Time to Live |    Protocol   |         Header Checksum       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                       Source Address                          |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                    Destination Address                        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                    Options (IHL > 5) ...                      |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// `ipv4Check` validates version, IHL, total length against the buffer, and the header checksum.
// Options are not interpreted there: the payload starts at IHL*4; `ipv4OptionsCheck` validates the
// option area (RFC 791 §3.1, RFC 1122 §3.2.1.8) and is called only for IHL > 5. Fragments pass the
// check; callers test `ipv4IsFragment` (stack/reasm.ts reassembles the ones for this node).
// `ipv4CopiedOptions` and `ipv4EmitFragment` build the headers of the fragments of a datagram
// (RFC 791 §3.2, stack/ip.ts ipSendFragments). Bytes after Total Length (Ethernet padding) are not
// part of the packet: use `ipv4TotalLen`, never the buffer length.

import { csumAdd, csumFinish } from "./checksum";
import { swap16, swap16s, swap32 } from "./bytes";

export const IP_VER_IHL: usize = 0;
export const IP_TOS: usize = 1;
export const IP_TOTAL_LEN: usize = 2;
export const IP_IDENT: usize = 4;
export const IP_FLAGS_FRAG: usize = 6;
export const IP_TTL: usize = 8;
export const IP_PROTO: usize = 9;
export const IP_CHECKSUM: usize = 10;
export const IP_SRC: usize = 12;
export const IP_DST: usize = 16;
/** Length of a header without options. */
export const IPV4_MIN_HEADER: i32 = 20;
/** Largest header (IHL 15). */
export const IPV4_MAX_HEADER: i32 = 60;

/** Flag bits of the 16-bit flags/fragment-offset word (host order). */
export const IP_FLAG_DF: u16 = 0x4000;
export const IP_FLAG_MF: u16 = 0x2000;
export const IP_FRAG_OFFSET_MASK: u16 = 0x1fff;

export const IPPROTO_ICMP: u8 = 1;
export const IPPROTO_IPIP: u8 = 4;
export const IPPROTO_TCP: u8 = 6;
export const IPPROTO_UDP: u8 = 17;
export const IPPROTO_GRE: u8 = 47;
export const IPPROTO_MINENC: u8 = 55;

/** 255.255.255.255, the limited broadcast address. */
export const IP_BROADCAST: u32 = 0xffffffff;

/** Result of `ipv4Check`. */
export const enum Ipv4Err {
  OK = 0,
  TRUNCATED = 1,     // fewer than 20 bytes
  BAD_VERSION = 2,   // version != 4
  BAD_IHL = 3,       // IHL < 5, or IHL*4 larger than the buffer
  BAD_TOTAL_LEN = 4, // total length < IHL*4 or larger than the buffer
  BAD_CHECKSUM = 5   // header checksum does not verify
}

/** Validate the IPv4 packet of `len` bytes at `p`; only after OK are the accessors trusted. */
export function ipv4Check(p: usize, len: i32): i32 {
  if (len < IPV4_MIN_HEADER) return Ipv4Err.TRUNCATED;
  const vi = load<u8>(p, IP_VER_IHL);
  // Why: RFC 1812 §5.2.2 (1)-(5): version 4, IHL >= 5, total length >= IHL*4, the link delivered at
  // least total length bytes, and a correct header checksum; anything else is silently discarded.
  if ((vi >> 4) != 4) return Ipv4Err.BAD_VERSION;
  const hl = <i32>(vi & 0x0f) << 2;
  if (hl < IPV4_MIN_HEADER || hl > len) return Ipv4Err.BAD_IHL;
  const total = <i32>ipv4TotalLen(p);
  if (total < hl || total > len) return Ipv4Err.BAD_TOTAL_LEN;
  // Why (speed): the header without options (nearly every datagram) by sum20, without csumAdd's loops.
  if (hl == IPV4_MIN_HEADER) return sum20(p) == 0xffff ? Ipv4Err.OK : Ipv4Err.BAD_CHECKSUM;
  if (csumFinish(csumAdd(0, p, hl)) != 0) return Ipv4Err.BAD_CHECKSUM;
  return Ipv4Err.OK;
}

/**
 * The one's-complement sum of the 20 bytes at `p`, folded to 16 bits, not complemented, in the byte
 * order as stored. Why (speed): five 32-bit words as stored in a 64-bit accumulator, without a loop:
 * RFC 1071 §2 (A), (B): the sum depends neither on the grouping nor on the byte order. A correct
 * header sums to 0xffff (its checksum is the complement of the rest). Why (size): one function for
 * ipv4Check and ipv4Emit.
 */
function sum20(p: usize): u32 {
  let s = <u64>load<u32>(p) + <u64>load<u32>(p, 4) + <u64>load<u32>(p, 8) + <u64>load<u32>(p, 12) + <u64>load<u32>(p, 16);
  s = (s & 0xffffffff) + (s >> 32);
  let x = <u32>s + <u32>(s >> 32);
  x = (x & 0xffff) + (x >>> 16);
  return (x & 0xffff) + (x >>> 16);
}

/** Version field (4 after a successful check). */
// @ts-ignore: decorator
@inline export function ipv4Version(p: usize): u8 { return load<u8>(p, IP_VER_IHL) >> 4; }
/** Header length in bytes (IHL*4), options included. */
export function ipv4HeaderLen(p: usize): i32 { return ipv4HeaderLenHot(p); }
/** ipv4HeaderLen inline, for the registration path (udpInput, drPayload). */
// @ts-ignore: decorator
@inline export function ipv4HeaderLenHot(p: usize): i32 { return <i32>(load<u8>(p, IP_VER_IHL) & 0x0f) << 2; }
/** Type of service octet. */
// @ts-ignore: decorator
@inline export function ipv4Tos(p: usize): u8 { return load<u8>(p, IP_TOS); }
/** Total length in bytes (header and payload). */
export function ipv4TotalLen(p: usize): i32 { return (<i32>load<u8>(p, IP_TOTAL_LEN) << 8) | <i32>load<u8>(p, IP_TOTAL_LEN + 1); }
/** Identification. */
// @ts-ignore: decorator
@inline export function ipv4Ident(p: usize): i32 { return (<i32>load<u8>(p, IP_IDENT) << 8) | <i32>load<u8>(p, IP_IDENT + 1); }
/** The flags/fragment-offset word (flags IP_FLAG_DF, IP_FLAG_MF; offset in 8-byte units). */
// @ts-ignore: decorator
@inline export function ipv4FlagsFrag(p: usize): u16 { return <u16>((<u32>load<u8>(p, IP_FLAGS_FRAG) << 8) | <u32>load<u8>(p, IP_FLAGS_FRAG + 1)); }
/** True when Don't Fragment is set (why (speed): tested on the byte as stored, no bswap). */
// @ts-ignore: decorator
@inline export function ipv4DontFrag(p: usize): bool { return (load<u8>(p, IP_FLAGS_FRAG) & <u8>(IP_FLAG_DF >> 8)) != 0; }
/** Fragment offset in bytes. */
// @ts-ignore: decorator
@inline export function ipv4FragOffset(p: usize): i32 { return <i32>(ipv4FlagsFrag(p) & IP_FRAG_OFFSET_MASK) << 3; }
/** True when the packet is a fragment: More Fragments set or a non-zero offset (RFC 791 §3.2). */
// @ts-ignore: decorator
@inline export function ipv4IsFragment(p: usize): bool {
  // Why (speed): the mask MF | offset (0x3fff) is applied byte-swapped to the word as stored: no bswap.
  return (load<u16>(p, IP_FLAGS_FRAG) & <u16>0xff3f) != 0;
}
/** Time to live. */
// @ts-ignore: decorator
@inline export function ipv4Ttl(p: usize): i32 { return <i32>load<u8>(p, IP_TTL); }
/** Protocol number. */
// @ts-ignore: decorator
@inline export function ipv4Proto(p: usize): i32 { return <i32>load<u8>(p, IP_PROTO); }
/** Header checksum field as stored (host order). */
// @ts-ignore: decorator
@inline export function ipv4Checksum(p: usize): i32 { return (<i32>load<u8>(p, IP_CHECKSUM) << 8) | <i32>load<u8>(p, IP_CHECKSUM + 1); }
/** Source address, host order. */
// Why (size): a call (the swap inside it: still one call per read, as bswap was), 3 bytes shorter
// than load and bswap at each of ~60 control-path sites.
export function ipv4Src(p: usize): u32 { return swap32(load<u32>(p, IP_SRC)); }
/** Destination address, host order. */
export function ipv4Dst(p: usize): u32 { return swap32(load<u32>(p, IP_DST)); }
/** ipv4Src without a call, for the per-packet paths (ipInput, forwarding, the home agent's
 *  interception; wire/bytes.ts says why); elsewhere ipv4Src keeps the module small. */
// @ts-ignore: decorator
@inline export function ipv4SrcInline(p: usize): u32 { return swap32(load<u32>(p, IP_SRC)); }
/** ipv4Dst without a call (see ipv4SrcInline). */
// @ts-ignore: decorator
@inline export function ipv4DstInline(p: usize): u32 { return swap32(load<u32>(p, IP_DST)); }
/** Pointer to the payload (after the options). */
// @ts-ignore: decorator
@inline export function ipv4Payload(p: usize): usize { return p + <usize>ipv4HeaderLen(p); }

/** Set the source address (checksum not updated). */
// @ts-ignore: decorator
@inline export function ipv4SetSrc(p: usize, a: u32): void { store<u32>(p, bswap<u32>(a), IP_SRC); }
/** Set the destination address (checksum not updated). */
// @ts-ignore: decorator
@inline export function ipv4SetDst(p: usize, a: u32): void { store<u32>(p, bswap<u32>(a), IP_DST); }
/** Set the total length (checksum not updated). */
// @ts-ignore: decorator
@inline export function ipv4SetTotalLen(p: usize, n: u16): void { store<u16>(p, swap16(n), IP_TOTAL_LEN); }

/** Compute and store the header checksum over IHL*4 bytes. */
export function ipv4FillChecksum(p: usize): void {
  store<u16>(p, 0, IP_CHECKSUM);
  store<u16>(p, swap16s(csumFinish(csumAdd(0, p, ipv4HeaderLen(p)))), IP_CHECKSUM);
}

/**
 * Decrement TTL by one and update the checksum incrementally (RFC 1624 eqn. 3:
 * HC' = ~(~HC + ~m + m'), where m is the TTL/Protocol word). The caller has checked TTL > 1.
 */
export function ipv4DecrementTtl(p: usize): void { ipv4DecrementTtlHot(p); }
/** ipv4DecrementTtl inline, for the forwarding and flow-cache paths (size: the other callers call). */
// @ts-ignore: decorator
@inline export function ipv4DecrementTtlHot(p: usize): void {
  // Why (speed): eqn. 3 evaluated on the words as stored (byte-swapped lanes): one's-complement
  // arithmetic commutes with swapping the bytes of every operand (RFC 1071 §2(B)), so no bswap.
  // The TTL/Protocol word m (TTL in the low byte as loaded) becomes m' = m - 1 (TTL > 1: no borrow),
  // so ~m + m' is the constant 0xfffe; the sum is at most 0x1fffd: one fold is final.
  store<u8>(p, load<u8>(p, IP_TTL) - 1, IP_TTL);
  let s = (~<u32>load<u16>(p, IP_CHECKSUM) & 0xffff) + 0xfffe;
  s = (s & 0xffff) + (s >>> 16);
  store<u16>(p, <u16>~s, IP_CHECKSUM);
}

/**
 * Write a 20-byte header (no options) at `p` and its checksum. `flagsFrag` is the flags/offset word
 * (usually 0 or IP_FLAG_DF); addresses in host order.
 */
export function ipv4Emit(p: usize, tos: i32, totalLen: i32, ident: i32, flagsFrag: i32, ttl: i32, proto: i32, src: u32, dst: u32): void {
  // Five 32-bit words built as stored (little-endian lanes of the big-endian fields), then their sum
  // (sum20) complemented into the checksum, stored without a swap (RFC 1071 §2 (B): the one's-
  // complement sum commutes with swapping the bytes of every operand). The fields arrive as i32 in
  // their ranges (u8: 0-255, u16: 0-65535; every caller passes a load, a constant or a cast), so no
  // re-masks: a u16 x lands in the high lane as (x << 24) | ((x >>> 8) << 16).
  store<u32>(p, 0x45 | (tos << 8) | (totalLen << 24) | ((totalLen >>> 8) << 16), IP_VER_IHL);   // version/IHL, TOS, Total Length
  store<u32>(p, ((ident & 0xff) << 8) | (ident >>> 8) | (flagsFrag << 24) | ((flagsFrag >>> 8) << 16), IP_IDENT); // Identification, flags/offset
  store<u32>(p, ttl | (proto << 8), IP_TTL);                                              // TTL, Protocol, checksum 0
  store<u32>(p, swap32(src), IP_SRC);
  store<u32>(p, swap32(dst), IP_DST);
  store<u16>(p, <u16>~sum20(p), IP_CHECKSUM);
}

/** True for 224.0.0.0/4 (class D, RFC 1112). */
// @ts-ignore: decorator
@inline export function ipIsMulticast(a: u32): bool { return (a >>> 28) == 0xe; }
/** True for 127.0.0.0/8 (RFC 1122 §3.2.1.3 (g)). */
// @ts-ignore: decorator
@inline export function ipIsLoopback(a: u32): bool { return (a >>> 24) == 127; }
/** True for 240.0.0.0/4 (class E, reserved; includes the limited broadcast). */
// @ts-ignore: decorator
@inline export function ipIsClassE(a: u32): bool { return (a >>> 28) == 0xf; }

/**
 * True when `a` may appear as the source of a packet from another node: not 0.0.0.0 "this host"
 * (allowed only while a node learns its address, never forwarded), not loopback, multicast,
 * class E or broadcast (RFC 1122 §3.2.1.3, RFC 1812 §5.3.7).
 */
export function ipIsUnicastSource(a: u32): bool {
  return a != 0 && !ipIsLoopback(a) && !ipIsMulticast(a) && !ipIsClassE(a) && (a >>> 24) != 0;
}

// ---- options (RFC 791 §3.1) ---------------------------------------------------------------------
//
//   type octet: copied flag (1 bit) | class (2 bits) | number (5 bits); every option but End of
//   Option List (0) and No Operation (1) has a length octet counting the type and length octets.
//   Record Route / Loose / Strict Source Route: type, length = 3 + 4n, pointer in 4, 8, ..., 4 + 4n
//   (4 + 4n: the route data is full). Timestamp: type, length = 4 + 4n (flag 0: timestamps only) or
//   4 + 8n (flags 1, 3: address and timestamp pairs), pointer 5, 5 + step, ..., length + 1,
//   overflow (4 bits) | flag (4 bits).

export const IPOPT_EOL: u8 = 0;
export const IPOPT_NOP: u8 = 1;
export const IPOPT_RR: u8 = 7;
export const IPOPT_TS: u8 = 68;
export const IPOPT_LSRR: u8 = 131;
export const IPOPT_SID: u8 = 136;
export const IPOPT_SSRR: u8 = 137;
/** The copied flag of an option type: the option goes into every fragment (RFC 791 §3.1). */
export const IPOPT_COPIED: u8 = 0x80;

/**
 * Validate the option area of the header at `p` (which passed ipv4Check). Returns -1 when every option
 * is well formed, else the offset from the start of the header of the octet where the problem was found
 * (the pointer of an ICMP Parameter Problem, RFC 792). Unknown options with a valid length are accepted
 * (RFC 1122 §3.2.1.8: ignored); nothing after End of Option List is looked at (padding).
 */
export function ipv4OptionsCheck(p: usize): i32 {
  const end = ipv4HeaderLen(p);
  let o = IPV4_MIN_HEADER;
  while (o < end) {
    const t = load<u8>(p + <usize>o);
    if (t == IPOPT_EOL) return -1;
    if (t == IPOPT_NOP) { o++; continue; }
    // Why: RFC 791 §3.1: every other option has a length octet counting type and length, and it must
    // end inside the option area (RFC 1122 §3.2.1.8: malformed options are not interpreted).
    if (o + 1 >= end) return o;
    const l = <i32>load<u8>(p + <usize>(o + 1));
    if (l < 2 || o + l > end) return o + 1;
    if (t == IPOPT_RR || t == IPOPT_LSRR || t == IPOPT_SSRR || t == IPOPT_TS) {
      // Why: RFC 791 §3.1: route data is a series of 4-byte addresses; the pointer (smallest legal
      // value 4) names the next one, or is length + 1 when the route is full.
      // Why: RFC 791 §3.1: timestamp flag 0 timestamps only (4 bytes each), 1 and 3 address +
      // timestamp (8 bytes each); other flags are undefined. The pointer (smallest legal value 5)
      // names the next free entry, or is length + 1 when the option is full.
      // Why (size): both as one check: the data starts at `base` - 1 and comes in `step`-byte entries.
      const ts = t == IPOPT_TS;
      const base = ts ? 5 : 4;
      if (l < base - 1) return o + 1;
      let step = 4;
      if (ts) {
        const fl = <i32>load<u8>(p + <usize>(o + 3)) & 0x0f;
        if (fl != 0 && fl != 1 && fl != 3) return o + 3;
        if (fl != 0) step = 8;
      }
      if ((l - base + 1) % step != 0) return o + 1;
      const ptr = <i32>load<u8>(p + <usize>(o + 2));
      if (ptr < base || (ptr - base) % step != 0 || ptr > l + 1) return o + 2;
    } else if (t == IPOPT_SID) {
      // Why: RFC 791 §3.1: the Stream Identifier option is 4 bytes long.
      if (l != 4) return o + 1;
    }
    o += l;
  }
  return -1;
}

/**
 * Copy the options of the header at `p` that carry the copied flag (RFC 791 §3.2: the options every
 * fragment after the first gets) to `out`, padded with End of Option List to a multiple of 4 bytes.
 * Returns the bytes written (0..40). A malformed option ends the walk (ipv4OptionsCheck refuses those
 * on the way in, so only a header we built could have one).
 */
export function ipv4CopiedOptions(p: usize, out: usize): i32 {
  const end = ipv4HeaderLen(p);
  let o = IPV4_MIN_HEADER;
  let n = 0;
  while (o < end) {
    const t = load<u8>(p + <usize>o);
    if (t == IPOPT_EOL) break;
    if (t == IPOPT_NOP) { o++; continue; }
    if (o + 1 >= end) break;
    const l = <i32>load<u8>(p + <usize>(o + 1));
    if (l < 2 || o + l > end) break;
    if ((t & IPOPT_COPIED) != 0) { memory.copy(out + <usize>n, p + <usize>o, <usize>l); n += l; }
    o += l;
  }
  const padded = (n + 3) & ~3;
  if (padded > n) memory.fill(out + <usize>n, IPOPT_EOL, <usize>(padded - n));
  return padded;
}

/**
 * Write at `h` the header of one fragment (RFC 791 §3.2): the `hl` bytes of the header at `tmpl` (its
 * IHL must say `hl`; `h` may be `tmpl`) with Total Length `total` and the flags/offset word `flagsFrag`
 * (IP_FLAG_MF | offset / 8, plus IP_FLAG_DF if the original had it), checksum filled in.
 */
export function ipv4EmitFragment(h: usize, tmpl: usize, hl: i32, total: i32, flagsFrag: u16): void {
  if (h != tmpl) memory.copy(h, tmpl, <usize>hl);
  store<u16>(h, swap16(<u16>total), IP_TOTAL_LEN);
  store<u16>(h, swap16(flagsFrag), IP_FLAGS_FRAG);
  ipv4FillChecksum(h);
}
