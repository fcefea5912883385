// ICMP for IPv4 (RFC 792), router discovery (RFC 1256) and the Mobile IP agent advertisement
// extensions (RFC 2002 §2.1, values per SPEC-DECISIONS.md "Base Mobile IPv4").
//
// Common header, then per type:
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |     Type      |     Code      |          Checksum             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Echo (0/8):   Identifier      |        Sequence Number        |  then data
//   | Errors (3,11):        unused (3/4: unused(16) | Next-Hop MTU(16), RFC 1191)
//   |               then the original IP header + first 8 data bytes (RFC 792, RFC 1122 §3.2.2)
//   | Solicit (10): Reserved (32)                                   |
//   | Advert (9):   Num Addrs | Addr Entry Size (2) | Lifetime (16) |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   Router advertisement: Num Addrs entries of  Router Address[i] | Preference Level[i]  (Entry Size
//   32-bit words each), then extensions (RFC 2002 §2.1):
//     One-byte Padding:               | Type = 0 |                      (no length byte)
//     Mobility Agent Advertisement:   | Type=16 | Length=6+4N | Sequence Number (16)          |
//                                     | Registration Lifetime (16)  |R B H F M G V T S rsv(7)|
//                                     | zero or more Care-of Addresses (N x 32)                |
//     Prefix-Lengths:                 | Type=19 | Length=N (= Num Addrs) | Prefix Length[i] ... |
//     any other:                      | Type | Length | Length bytes |
//
// `icmpCheck` (length + checksum) is the first gate; the per-type checks (`icmpCheckEcho`,
// `icmpCheckError`, `rsCheck`, `raCheck`) bound everything the per-type accessors read. Extension
// offsets are relative to the ICMP header `p`.

import { csumAdd, csumFinish } from "./checksum";
import { swap16s } from "./bytes";

export const ICMP_TYPE: usize = 0;
export const ICMP_CODE: usize = 1;
export const ICMP_CHECKSUM: usize = 2;
export const ICMP_REST: usize = 4;
export const ICMP_ECHO_IDENT: usize = 4;
export const ICMP_ECHO_SEQ: usize = 6;
export const ICMP_MTU: usize = 6;
export const RA_NUM_ADDRS: usize = 4;
export const RA_ENTRY_SIZE: usize = 5;
export const RA_LIFETIME: usize = 6;
/** Length of the ICMP header (and of the fixed part of every message handled here). */
export const ICMP_HEADER_LEN: i32 = 8;

export const ICMP_ECHO_REPLY: u8 = 0;
export const ICMP_DEST_UNREACH: u8 = 3;
export const ICMP_SOURCE_QUENCH: u8 = 4;
export const ICMP_REDIRECT: u8 = 5;
export const ICMP_ECHO_REQUEST: u8 = 8;
export const ICMP_ROUTER_ADVERT: u8 = 9;
export const ICMP_ROUTER_SOLICIT: u8 = 10;
export const ICMP_TIME_EXCEEDED: u8 = 11;
export const ICMP_PARAM_PROBLEM: u8 = 12;

/** Destination unreachable codes (RFC 792, RFC 1191). */
export const UNREACH_NET: u8 = 0;
export const UNREACH_HOST: u8 = 1;
export const UNREACH_PROTO: u8 = 2;
export const UNREACH_FRAG_NEEDED: u8 = 4;
/** Time exceeded codes. */
export const TIME_EXCEEDED_TTL: u8 = 0;
/** Fragment reassembly time exceeded (RFC 792). */
export const TIME_EXCEEDED_REASM: u8 = 1;
/** Parameter problem code 0: the pointer (first octet of the rest word) names the offending octet (RFC 792). */
export const PARAM_POINTER: u8 = 0;

/** Router advertisement codes: 0 normal router; 16 mobility agent that does not route common traffic (RFC 2002 §2.1). */
export const RA_CODE_ROUTER: u8 = 0;
export const RA_CODE_MOBILITY_ONLY: u8 = 16;

/** Agent advertisement extension types (SPEC-DECISIONS.md). */
export const EXT_PAD: u8 = 0;
export const EXT_MOBILITY_AGENT: u8 = 16;
export const EXT_PREFIX_LENGTHS: u8 = 19;

/** Offsets inside the Mobility Agent Advertisement extension (from its Type byte). */
export const MA_SEQ: usize = 2;
export const MA_REG_LIFETIME: usize = 4;
export const MA_FLAGS: usize = 6;
export const MA_CARE_OF: usize = 8;
/** Length field of a mobility extension with no care-of address. */
export const MA_MIN_LENGTH: i32 = 6;

/** Mobility Agent Advertisement flag bits (16-bit field, SPEC-DECISIONS.md). */
export const MA_FLAG_R: u16 = 0x8000; // registration required
export const MA_FLAG_B: u16 = 0x4000; // busy
export const MA_FLAG_H: u16 = 0x2000; // home agent
export const MA_FLAG_F: u16 = 0x1000; // foreign agent
export const MA_FLAG_M: u16 = 0x0800; // minimal encapsulation
export const MA_FLAG_G: u16 = 0x0400; // GRE encapsulation
export const MA_FLAG_V: u16 = 0x0200; // Van Jacobson header compression
export const MA_FLAG_T: u16 = 0x0100; // reverse tunnelling (not specified by the seeds: send 0)
export const MA_FLAG_S: u16 = 0x0080; // smooth handoff (001 §5.2)

/** Result of the ICMP checks. */
export const enum IcmpErr {
  OK = 0,
  TRUNCATED = 1,        // shorter than the fixed part of the message
  BAD_CHECKSUM = 2,
  BAD_CODE = 3,         // a code this message type does not define
  BAD_INNER = 4,        // error message: quoted header is not IPv4, IHL < 5, or header+8 missing
  BAD_ENTRY_SIZE = 5,   // router advertisement: Addr Entry Size < 2
  BAD_NUM_ADDRS = 6,    // router advertisement: addresses run past the end
  EXT_TRUNCATED = 7,    // extension header or body runs past the end
  BAD_MOBILITY_LEN = 8, // mobility extension Length is not 6 + 4N
  BAD_PREFIX_LENGTHS = 9, // Prefix-Lengths Length != Num Addrs, or a prefix length > 32
  BAD_TYPE = 10         // the check was called for another type
}

/** First gate for any ICMP message of `len` bytes at `p`: header present and checksum correct. */
export function icmpCheck(p: usize, len: i32): i32 {
  if (len < ICMP_HEADER_LEN) return IcmpErr.TRUNCATED;
  // Why: RFC 1122 §3.2.2: ICMP messages with a bad checksum are silently discarded. The sum covers the
  // whole ICMP message, extensions included.
  if (csumFinish(csumAdd(0, p, len)) != 0) return IcmpErr.BAD_CHECKSUM;
  return IcmpErr.OK;
}

/** Type. */
// @ts-ignore: decorator
@inline export function icmpType(p: usize): i32 { return <i32>load<u8>(p, ICMP_TYPE); }
/** Code. */
// @ts-ignore: decorator
@inline export function icmpCode(p: usize): i32 { return <i32>load<u8>(p, ICMP_CODE); }
/** Checksum field as stored (host order). */
// @ts-ignore: decorator
@inline export function icmpChecksum(p: usize): i32 { return (<i32>load<u8>(p, ICMP_CHECKSUM) << 8) | <i32>load<u8>(p, ICMP_CHECKSUM + 1); }
/** The 32-bit "rest of header" word (host order). */
// @ts-ignore: decorator
@inline export function icmpRest(p: usize): u32 { return bswap<u32>(load<u32>(p, ICMP_REST)); }

/** True for the error types (destination unreachable, source quench, redirect, time exceeded, parameter problem). */
export function icmpIsError(type: i32): bool {
  // One bit per error type: 3, 4, 5, 11, 12.
  const ERRORS: u32 = (1 << ICMP_DEST_UNREACH) | (1 << ICMP_SOURCE_QUENCH) | (1 << ICMP_REDIRECT) |
    (1 << ICMP_TIME_EXCEEDED) | (1 << ICMP_PARAM_PROBLEM);
  return type < 32 && ((ERRORS >>> type) & 1) != 0;
}

/** Compute and store the checksum over `len` bytes of ICMP message. */
export function icmpFillChecksum(p: usize, len: i32): void {
  store<u16>(p, 0, ICMP_CHECKSUM);
  store<u16>(p, swap16s(csumFinish(csumAdd(0, p, len))), ICMP_CHECKSUM);
}

// ---- Echo (RFC 792) -------------------------------------------------------------------------------

/** Check an echo request/reply that passed `icmpCheck`. */
export function icmpCheckEcho(p: usize, len: i32): i32 {
  if (len < ICMP_HEADER_LEN) return IcmpErr.TRUNCATED;
  const t = icmpType(p);
  if (t != ICMP_ECHO_REQUEST && t != ICMP_ECHO_REPLY) return IcmpErr.BAD_TYPE;
  // Why: RFC 792 defines only code 0 for echo.
  if (icmpCode(p) != 0) return IcmpErr.BAD_CODE;
  return IcmpErr.OK;
}

/** Echo identifier. */
// @ts-ignore: decorator
@inline export function icmpEchoIdent(p: usize): i32 { return (<i32>load<u8>(p, ICMP_ECHO_IDENT) << 8) | <i32>load<u8>(p, ICMP_ECHO_IDENT + 1); }
/** Echo sequence number. */
// @ts-ignore: decorator
@inline export function icmpEchoSeq(p: usize): i32 { return (<i32>load<u8>(p, ICMP_ECHO_SEQ) << 8) | <i32>load<u8>(p, ICMP_ECHO_SEQ + 1); }

/**
 * Write an echo header at `p` (type ICMP_ECHO_REQUEST or ICMP_ECHO_REPLY) and the checksum over the
 * header and the `dataLen` data bytes already at `p + 8`. Returns the message length.
 */
export function icmpEmitEcho(p: usize, type: u8, ident: u16, seq: u16, dataLen: i32): i32 {
  store<u8>(p, type, ICMP_TYPE);
  store<u8>(p, 0, ICMP_CODE);
  store<u16>(p, bswap<u16>(ident), ICMP_ECHO_IDENT);
  store<u16>(p, bswap<u16>(seq), ICMP_ECHO_SEQ);
  icmpFillChecksum(p, ICMP_HEADER_LEN + dataLen);
  return ICMP_HEADER_LEN + dataLen;
}

/**
 * Turn a checked echo request at `p` into the echo reply in place: type 8 -> 0, checksum updated
 * incrementally (RFC 1624 eqn. 3, the Type/Code word goes from 0x0800 to 0x0000).
 */
export function icmpEchoToReply(p: usize): void {
  store<u8>(p, ICMP_ECHO_REPLY, ICMP_TYPE);
  // HC' = ~(~HC + ~m + m') with m = 0x0800, m' = 0 (the code of a checked request is 0): ~m + m' =
  // 0xf7ff. Summed in the byte order as loaded (0xfff7: the one's-complement sum does not depend
  // on it, RFC 1071 §2(B)); at most 0x1fff6, so one fold is final. Why (size): no swaps, no fields.
  let s = (~<u32>load<u16>(p, ICMP_CHECKSUM) & 0xffff) + 0xfff7;
  s = (s & 0xffff) + (s >>> 16);
  store<u16>(p, <u16>~s, ICMP_CHECKSUM);
}

// ---- Errors: destination unreachable, time exceeded (RFC 792, RFC 1191, RFC 1812 §4.3.2.3) ----------

/**
 * Check an error message (types 3, 4, 5, 11, 12) that passed `icmpCheck`: the quoted datagram must be
 * an IPv4 header with IHL >= 5 followed by at least 8 bytes (RFC 792: "Internet Header + 64 bits").
 */
export function icmpCheckError(p: usize, len: i32): i32 {
  if (len < ICMP_HEADER_LEN + 28) return IcmpErr.TRUNCATED;
  if (!icmpIsError(icmpType(p))) return IcmpErr.BAD_TYPE;
  // Why: the quoted header is what the receiver matches against its sessions (RFC 1122 §3.2.2.1);
  // without a whole header and the 8 bytes of ports/ids it names nothing and is discarded.
  if (!icmpQuoteOk(p + <usize>ICMP_HEADER_LEN, len - ICMP_HEADER_LEN)) return IcmpErr.BAD_INNER;
  return IcmpErr.OK;
}

/** A quoted datagram at `q` with `avail` bytes: an IPv4 header (IHL >= 5) and 8 bytes after it.
 *  Why (size): icmpCheckError's test, and the tunnel's for the datagram inside a quoted tunnel. */
export function icmpQuoteOk(q: usize, avail: i32): bool {
  const vi = load<u8>(q);
  const hl = <i32>(vi & 0x0f) << 2;
  return (vi >> 4) == 4 && hl >= 20 && hl + 8 <= avail;
}

/** Pointer to the quoted original IP header of an error message. */
// @ts-ignore: decorator
@inline export function icmpErrorInner(p: usize): usize { return p + <usize>ICMP_HEADER_LEN; }
/** Next-Hop MTU of a "fragmentation needed" message (RFC 1191 §4); 0 from old routers. */
// @ts-ignore: decorator
@inline export function icmpNextHopMtu(p: usize): i32 { return (<i32>load<u8>(p, ICMP_MTU) << 8) | <i32>load<u8>(p, ICMP_MTU + 1); }

/**
 * Build an error message at `p`: Type, Code, the 32-bit `rest` word (e.g. the Next-Hop MTU for
 * UNREACH_FRAG_NEEDED), then the first IHL*4 + 8 bytes of the original datagram at `orig` (fewer if
 * `origLen` is shorter; `orig` may overlap `p + 8`). The original must have passed `ipv4Check`.
 * Returns the message length (checksum filled in).
 */
export function icmpEmitError(p: usize, type: u8, code: u8, rest: u32, orig: usize, origLen: i32): i32 {
  let n = (<i32>(load<u8>(orig) & 0x0f) << 2) + 8;
  if (n > origLen) n = origLen;
  if (n < 0) n = 0;
  return icmpErrorFill(p, type, code, rest, orig, n, 0);
}

/**
 * The error message of either family at `p`: Type, Code, the 32-bit `rest` word, then `n` bytes of the
 * invoking datagram at `orig` (which may overlap `p + 8`), and the checksum, its sum started at `sum`
 * (ICMPv6: the pseudo-header's, wire/icmpv6.ts). Returns the message length. Why (size): one writer for
 * icmpEmitError and icmp6EmitError.
 */
export function icmpErrorFill(p: usize, type: u8, code: u8, rest: u32, orig: usize, n: i32, sum: u32): i32 {
  const body = p + <usize>ICMP_HEADER_LEN;
  if (body != orig) memory.copy(body, orig, <usize>n);
  store<u8>(p, type, ICMP_TYPE);
  store<u8>(p, code, ICMP_CODE);
  store<u16>(p, 0, ICMP_CHECKSUM);
  store<u32>(p, bswap<u32>(rest), ICMP_REST);
  store<u16>(p, swap16s(csumFinish(csumAdd(sum, p, ICMP_HEADER_LEN + n))), ICMP_CHECKSUM);
  return ICMP_HEADER_LEN + n;
}

// ---- Router solicitation (RFC 1256 §3.1, §5.5) ------------------------------------------------------

/** Check a router solicitation that passed `icmpCheck`. */
export function rsCheck(p: usize, len: i32): i32 {
  if (len < ICMP_HEADER_LEN) return IcmpErr.TRUNCATED;
  if (icmpType(p) != ICMP_ROUTER_SOLICIT) return IcmpErr.BAD_TYPE;
  // Why: RFC 1256 §5.5: a router silently discards solicitations whose code is not 0.
  if (icmpCode(p) != 0) return IcmpErr.BAD_CODE;
  return IcmpErr.OK;
}

/** Write an 8-byte router solicitation at `p` (reserved zero, checksum filled). Returns 8. */
export function rsEmit(p: usize): i32 {
  store<u8>(p, ICMP_ROUTER_SOLICIT, ICMP_TYPE);
  store<u8>(p, 0, ICMP_CODE);
  store<u32>(p, 0, ICMP_REST);
  icmpFillChecksum(p, ICMP_HEADER_LEN);
  return ICMP_HEADER_LEN;
}

// ---- Router / agent advertisement (RFC 1256 §3.2, §5.4; RFC 2002 §2.1) --------------------------------

/** Number of router addresses. */
// @ts-ignore: decorator
@inline export function raNumAddrs(p: usize): i32 { return <i32>load<u8>(p, RA_NUM_ADDRS); }
/** Address entry size in 32-bit words (2 in RFC 1256; larger entries are skipped over). */
// @ts-ignore: decorator
@inline export function raEntrySize(p: usize): i32 { return <i32>load<u8>(p, RA_ENTRY_SIZE); }
/** Advertisement lifetime in seconds. */
// @ts-ignore: decorator
@inline export function raLifetimeSec(p: usize): i32 { return (<i32>load<u8>(p, RA_LIFETIME) << 8) | <i32>load<u8>(p, RA_LIFETIME + 1); }
/** Router address `i` (host order); `i` < raNumAddrs. */
export function raRouterAddr(p: usize, i: i32): u32 {
  return bswap<u32>(load<u32>(p + <usize>(ICMP_HEADER_LEN + i * (raEntrySize(p) << 2))));
}
/** Preference level of router address `i` (signed, RFC 1256 §3.2; 0x80000000 = never use as default). */
export function raPreference(p: usize, i: i32): i32 {
  return <i32>bswap<u32>(load<u32>(p + <usize>(ICMP_HEADER_LEN + i * (raEntrySize(p) << 2) + 4)));
}
/** Offset of the first extension (after the address entries). */
// @ts-ignore: decorator
@inline export function raExtStart(p: usize): i32 { return ICMP_HEADER_LEN + raNumAddrs(p) * (raEntrySize(p) << 2); }

/** Total length of the extension at offset `o` (1 for padding). Only after `raCheck`. */
export function raExtSize(p: usize, o: i32): i32 {
  const t = load<u8>(p + <usize>o);
  return t == EXT_PAD ? 1 : 2 + <i32>load<u8>(p + <usize>o + 1);
}

/** Offset of the extension after the one at `o`, or -1 at the end of the `len`-byte message. */
export function raExtNext(p: usize, len: i32, o: i32): i32 {
  const n = o + raExtSize(p, o);
  return n < len ? n : -1;
}

/** Offset of the first extension, or -1 if there is none. */
export function raExtFirst(p: usize, len: i32): i32 {
  const o = raExtStart(p);
  return o < len ? o : -1;
}

/** Type of the extension at offset `o`. */
// @ts-ignore: decorator
@inline export function raExtType(p: usize, o: i32): i32 { return <i32>load<u8>(p + <usize>o); }
/** Length field of the extension at offset `o` (bytes after Type and Length). */
// @ts-ignore: decorator
@inline export function raExtLength(p: usize, o: i32): i32 { return <i32>load<u8>(p + <usize>o + 1); }

/** Offset of the first extension of `type` in a checked advertisement, or -1. */
export function raFindExt(p: usize, len: i32, type: u8): i32 {
  for (let o = raExtFirst(p, len); o >= 0; o = raExtNext(p, len, o)) {
    if (raExtType(p, o) == type) return o;
  }
  return -1;
}

/**
 * Type of the first extension this codec does not know (not 0, 16, 19 or 81), or -1. The caller applies
 * RFC 2002 §1.9: an unknown type 0-127 makes the advertisement discarded, 128-255 are skipped.
 */
export function raUnknownExt(p: usize, len: i32): i32 {
  for (let o = raExtFirst(p, len); o >= 0; o = raExtNext(p, len, o)) {
    const t = raExtType(p, o);
    // 81: the Registration Server extension of distributed registration (002 §3.1).
    if (t != EXT_PAD && t != EXT_MOBILITY_AGENT && t != EXT_PREFIX_LENGTHS && t != 81) return <i32>t;
  }
  return -1;
}

/**
 * What the last `raCheck` found (valid when it returned OK): the offsets of the first mobility and
 * prefix-lengths extensions (as `raFindExt`) and the type of the first unknown one (as `raUnknownExt`),
 * -1 for none. Why (size): the agent-discovery receiver walks the extensions once.
 */
export let raMobility: i32 = -1;
export let raPrefixLengths: i32 = -1;
export let raUnknown: i32 = -1;

/**
 * Check a router or agent advertisement that passed `icmpCheck`: fixed part, address entries inside
 * the message, and every extension inside the message with a consistent length.
 */
export function raCheck(p: usize, len: i32): i32 {
  if (len < ICMP_HEADER_LEN) return IcmpErr.TRUNCATED;
  if (icmpType(p) != ICMP_ROUTER_ADVERT) return IcmpErr.BAD_TYPE;
  return raCheckRest(p, len);
}

/** `raCheck` after its length and type tests (for a receiver that made them already). */
export function raCheckRest(p: usize, len: i32): i32 {
  raMobility = raPrefixLengths = raUnknown = -1;
  const code = icmpCode(p);
  // Why: RFC 1256 §5.4 accepts code 0 only; RFC 2002 §2.1 adds 16 for an agent that does not
  // route common traffic.
  if (code != RA_CODE_ROUTER && code != RA_CODE_MOBILITY_ONLY) return IcmpErr.BAD_CODE;
  // Why: RFC 1256 §5.4: Addr Entry Size >= 2 and length >= 8 + Num Addrs * Entry Size * 4.
  // Num Addrs 0 is allowed: RFC 2002 §2.1 lets an agent advertisement carry no router address.
  if (raEntrySize(p) < 2) return IcmpErr.BAD_ENTRY_SIZE;
  let o = raExtStart(p);
  if (o > len) return IcmpErr.BAD_NUM_ADDRS;
  while (o < len) {
    const t = load<u8>(p + <usize>o);
    if (t == EXT_PAD) { o++; continue; }
    // Why: every extension but padding has a Length byte and must lie wholly inside the message
    // (the ICMP length comes from the IP total length, RFC 2002 §2.1).
    if (o + 2 > len) return IcmpErr.EXT_TRUNCATED;
    const l = raExtLength(p, o);
    if (o + 2 + l > len) return IcmpErr.EXT_TRUNCATED;
    if (t == EXT_MOBILITY_AGENT) {
      // Why: RFC 2002 §2.1.1: Length = 6 + 4 * (number of care-of addresses).
      if (l < MA_MIN_LENGTH || ((l - MA_MIN_LENGTH) & 3) != 0) return IcmpErr.BAD_MOBILITY_LEN;
      if (raMobility < 0) raMobility = o;
    } else if (t == EXT_PREFIX_LENGTHS) {
      // Why: RFC 2002 §2.1.2: Length = Num Addrs, one prefix length per router address, each <= 32.
      if (l != raNumAddrs(p)) return IcmpErr.BAD_PREFIX_LENGTHS;
      for (let i = 0; i < l; i++) if (load<u8>(p + <usize>(o + 2 + i)) > 32) return IcmpErr.BAD_PREFIX_LENGTHS;
      if (raPrefixLengths < 0) raPrefixLengths = o;
    } else if (t != 81 && raUnknown < 0) {
      raUnknown = <i32>t; // as raUnknownExt
    }
    o += 2 + l;
  }
  return IcmpErr.OK;
}

/** Sequence number of the mobility extension at offset `o`. */
// @ts-ignore: decorator
@inline export function maSeq(p: usize, o: i32): u16 { return bswap<u16>(load<u16>(p + <usize>o, MA_SEQ)); }
/** Registration lifetime (seconds; 0xffff infinite) of the mobility extension at `o`. */
// @ts-ignore: decorator
@inline export function maRegLifetimeSec(p: usize, o: i32): u16 { return bswap<u16>(load<u16>(p + <usize>o, MA_REG_LIFETIME)); }
/** Flags (MA_FLAG_*) of the mobility extension at `o`. */
// @ts-ignore: decorator
@inline export function maFlags(p: usize, o: i32): i32 { return (<i32>load<u8>(p + <usize>o, MA_FLAGS) << 8) | <i32>load<u8>(p + <usize>o, MA_FLAGS + 1); }
/** True when the mobility extension at `o` has the S flag: the foreign agent supports smooth handoff (001 §5.2). */
// @ts-ignore: decorator
@inline export function maSmoothHandoff(p: usize, o: i32): bool { return (maFlags(p, o) & MA_FLAG_S) != 0; }
/** Number of care-of addresses in the mobility extension at `o`. */
// @ts-ignore: decorator
@inline export function maNumCareOf(p: usize, o: i32): i32 { return (raExtLength(p, o) - MA_MIN_LENGTH) >> 2; }
/** Care-of address `i` (host order) of the mobility extension at `o`. */
// @ts-ignore: decorator
@inline export function maCareOf(p: usize, o: i32, i: i32): u32 { return bswap<u32>(load<u32>(p + <usize>(o + 8 + (i << 2)))); }
/** Prefix length `i` of the Prefix-Lengths extension at `o`. */
// @ts-ignore: decorator
@inline export function prefixLengthAt(p: usize, o: i32, i: i32): u8 { return load<u8>(p + <usize>(o + 2 + i)); }

/** Write the 8-byte fixed part of an advertisement (entry size 2, checksum left 0). Returns 8. */
export function raEmitHeader(p: usize, code: u8, numAddrs: i32, lifetimeSec: u16): i32 {
  store<u8>(p, ICMP_ROUTER_ADVERT, ICMP_TYPE);
  store<u8>(p, code, ICMP_CODE);
  store<u16>(p, 0, ICMP_CHECKSUM);
  store<u8>(p, <u8>numAddrs, RA_NUM_ADDRS);
  store<u8>(p, 2, RA_ENTRY_SIZE);
  store<u16>(p, bswap<u16>(lifetimeSec), RA_LIFETIME);
  return ICMP_HEADER_LEN;
}

/** Write router address entry `i` (after `raEmitHeader`). */
export function raSetRouter(p: usize, i: i32, addr: u32, preference: i32): void {
  const e = p + <usize>(ICMP_HEADER_LEN + (i << 3));
  store<u32>(e, bswap<u32>(addr));
  store<u32>(e, bswap<u32>(<u32>preference), 4);
}

/**
 * Write a Mobility Agent Advertisement extension at `e` with `n` care-of addresses read from
 * `careOf` (n host-order u32 values). Returns its size, 8 + 4n.
 */
export function maEmit(e: usize, seq: u16, regLifetimeSec: u16, flags: u16, careOf: usize, n: i32): i32 {
  maHead(e, seq, regLifetimeSec, flags, n);
  for (let i = 0; i < n; i++) store<u32>(e + MA_CARE_OF + <usize>(i << 2), bswap<u32>(load<u32>(careOf + <usize>(i << 2))));
  return 8 + (n << 2);
}

/** maEmit with the care-of address `coa` (host order; 0: none) instead of a list. Returns 8 or 12. */
export function maEmitOne(e: usize, seq: u16, regLifetimeSec: u16, flags: u16, coa: u32): i32 {
  const n = coa != 0 ? 1 : 0;
  maHead(e, seq, regLifetimeSec, flags, n);
  if (n != 0) store<u32>(e, bswap<u32>(coa), MA_CARE_OF);
  return 8 + (n << 2);
}

/** The extension's type, length (for `n` care-of addresses) and fixed fields, for maEmit and maEmitOne. */
function maHead(e: usize, seq: u16, regLifetimeSec: u16, flags: u16, n: i32): void {
  store<u8>(e, EXT_MOBILITY_AGENT);
  store<u8>(e, <u8>(MA_MIN_LENGTH + (n << 2)), 1);
  store<u16>(e, bswap<u16>(seq), MA_SEQ);
  store<u16>(e, bswap<u16>(regLifetimeSec), MA_REG_LIFETIME);
  store<u16>(e, bswap<u16>(flags), MA_FLAGS);
}

/** Write a Prefix-Lengths extension at `e` with the `n` bytes at `lengths`. Returns its size, 2 + n. */
export function prefixLengthsEmit(e: usize, lengths: usize, n: i32): i32 {
  store<u8>(e, EXT_PREFIX_LENGTHS);
  store<u8>(e, <u8>n, 1);
  memory.copy(e + 2, lengths, <usize>n);
  return 2 + n;
}

/** prefixLengthsEmit for one router address: the prefix length `len`. Returns 3. */
export function prefixLengthEmitOne(e: usize, len: u8): i32 {
  store<u8>(e, EXT_PREFIX_LENGTHS);
  store<u8>(e, 1, 1);
  store<u8>(e, len, 2);
  return 3;
}

/** Write a One-byte Padding extension at `e`. Returns 1. */
export function padEmit(e: usize): i32 { store<u8>(e, EXT_PAD); return 1; }

/** Size of an agent advertisement from `agentAdvertEmit` (before padding). */
export function agentAdvertLen(numAddrs: i32, numCareOf: i32, withPrefixLengths: bool): i32 {
  return ICMP_HEADER_LEN + (numAddrs << 3) + 8 + (numCareOf << 2) + (withPrefixLengths ? 2 + numAddrs : 0);
}

/**
 * Build a whole agent advertisement at `p` (capacity `cap`): the router advertisement with `numAddrs`
 * entries read from `routers` (pairs of host-order u32 address, i32 preference), the Mobility Agent
 * Advertisement extension, and, when `prefixLengths` != 0, a Prefix-Lengths extension with `numAddrs`
 * bytes from there. Checksum filled. Returns the length, or -1 if it does not fit or a count is out
 * of range (numAddrs 0..255, numCareOf 0..62).
 */
export function agentAdvertEmit(p: usize, cap: i32, code: u8, lifetimeSec: u16, routers: usize, numAddrs: i32,
  seq: u16, regLifetimeSec: u16, flags: u16, careOf: usize, numCareOf: i32, prefixLengths: usize): i32 {
  if (numAddrs < 0 || numAddrs > 255 || numCareOf < 0 || numCareOf > 62) return -1;
  const len = agentAdvertLen(numAddrs, numCareOf, prefixLengths != 0);
  if (len > cap) return -1;
  let o = raEmitHeader(p, code, numAddrs, lifetimeSec);
  for (let i = 0; i < numAddrs; i++) {
    const r = routers + <usize>(i << 3);
    raSetRouter(p, i, load<u32>(r), load<i32>(r, 4));
  }
  o += numAddrs << 3;
  o += maEmit(p + <usize>o, seq, regLifetimeSec, flags, careOf, numCareOf);
  if (prefixLengths != 0) o += prefixLengthsEmit(p + <usize>o, prefixLengths, numAddrs);
  icmpFillChecksum(p, o);
  return o;
}
