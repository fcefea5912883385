// ICMPv6 (RFC 2463; issue 12.2): the common header with the checksum over the IPv6 pseudo-header
// (RFC 2460 §8.1), echo, and the four error messages. Neighbor Discovery (RFC 2461) messages follow
// in their own codec.
//
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |     Type      |     Code      |          Checksum             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Echo (128/129):       Identifier      |     Sequence Number   |  then data
//   | Destination Unreachable (1), Time Exceeded (3):  Unused (32)  |
//   | Packet Too Big (2):   MTU (32)                                |
//   | Parameter Problem (4): Pointer (32)                           |
//   |   errors: then as much of the invoking packet as fits in 1280 bytes (RFC 2463 §2.4 (c))
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// `icmp6Check` (length + checksum with the addresses of the IPv6 header) is the first gate; the
// per-type checks bound what the per-type accessors read. The checksum helpers take the source and
// destination as 16-byte pointers (wire/addr.ts), normally `ipv6Src(ip)` / `ipv6Dst(ip)`.

import { csumAdd, csumFinish, pseudoSum } from "./checksum";
import { swap16, swap16s, swap32, swap32Out } from "./bytes";
import { icmpErrorFill } from "./icmp";

export const ICMP6_TYPE: usize = 0;
export const ICMP6_CODE: usize = 1;
export const ICMP6_CHECKSUM: usize = 2;
/** The 32-bit word after the checksum (identifier/sequence, MTU, pointer, unused). */
export const ICMP6_REST: usize = 4;
export const ICMP6_ECHO_IDENT: usize = 4;
export const ICMP6_ECHO_SEQ: usize = 6;
/** Length of the header every message handled here has (type, code, checksum, one 32-bit word). */
export const ICMP6_HEADER_LEN: i32 = 8;
/** Next Header value of ICMPv6 (RFC 2463 §1). */
export const ICMP6_NEXT_HEADER: u8 = 58;
/** Largest error message: it and its IPv6 header fit the minimum MTU (RFC 2463 §2.4 (c)). */
export const ICMP6_ERROR_MAX: i32 = 1280 - 40;

export const ICMP6_DEST_UNREACH: u8 = 1;
export const ICMP6_PACKET_TOO_BIG: u8 = 2;
export const ICMP6_TIME_EXCEEDED: u8 = 3;
export const ICMP6_PARAM_PROBLEM: u8 = 4;
export const ICMP6_ECHO_REQUEST: u8 = 128;
export const ICMP6_ECHO_REPLY: u8 = 129;

/** Destination Unreachable codes (RFC 2463 §3.1). */
export const UNREACH6_NO_ROUTE: u8 = 0;
export const UNREACH6_ADMIN: u8 = 1;
export const UNREACH6_NOT_NEIGHBOR: u8 = 2;
export const UNREACH6_ADDR: u8 = 3;
export const UNREACH6_PORT: u8 = 4;
/** Time Exceeded codes (RFC 2463 §3.3). */
export const TIME6_HOP_LIMIT: u8 = 0;
export const TIME6_REASSEMBLY: u8 = 1;
/** Parameter Problem codes (RFC 2463 §3.4). */
export const PARAM6_HEADER: u8 = 0;
export const PARAM6_NEXT_HEADER: u8 = 1;
export const PARAM6_OPTION: u8 = 2;

/** Result of the ICMPv6 checks, and (negated) of the emitters. */
export const enum Icmp6Err {
  OK = 0,
  TRUNCATED = 1,    // shorter than the 8-byte header (or, for errors, than header + IPv6 header)
  BAD_CHECKSUM = 2,
  BAD_CODE = 3,     // a code this message type does not define
  BAD_INNER = 4,    // error message: the quoted packet is not IPv6
  BAD_TYPE = 5,     // the check was called for another type
  NO_ROOM = 6       // emitters: the capacity is too small
}

/**
 * First gate for the ICMPv6 message of `len` bytes at `p` carried from `src` to `dst` (16-byte
 * addresses): the 8-byte header present and the checksum correct.
 */
export function icmp6Check(p: usize, len: i32, src: usize, dst: usize): i32 {
  // Why: RFC 2463 §2.1: every message has Type, Code, Checksum and a body; every message this node
  // handles (echo, errors, and Neighbor Discovery's) has at least one 32-bit word of it.
  if (len < ICMP6_HEADER_LEN) return Icmp6Err.TRUNCATED;
  // Why: RFC 2463 §2.3, §2.4 (b)-(f): a message with a wrong checksum is discarded; the sum covers the
  // pseudo-header of RFC 2460 §8.1 with the upper-layer length and Next Header 58.
  if (csumFinish(csumAdd(pseudoSum(src, dst, ICMP6_NEXT_HEADER, <u32>len), p, len)) != 0) return Icmp6Err.BAD_CHECKSUM;
  return Icmp6Err.OK;
}

/** Type. */
// @ts-ignore: decorator
@inline export function icmp6Type(p: usize): i32 { return <i32>load<u8>(p, ICMP6_TYPE); }
/** Code. */
// @ts-ignore: decorator
@inline export function icmp6Code(p: usize): i32 { return <i32>load<u8>(p, ICMP6_CODE); }
/** Checksum field (host order). */
// @ts-ignore: decorator
@inline export function icmp6Checksum(p: usize): i32 { return (<i32>load<u8>(p, ICMP6_CHECKSUM) << 8) | <i32>load<u8>(p, ICMP6_CHECKSUM + 1); }
/** The 32-bit word after the checksum (host order). */
// @ts-ignore: decorator
@inline export function icmp6Rest(p: usize): u32 { return swap32(load<u32>(p, ICMP6_REST)); }

/** True for error messages: types 0-127 (RFC 2463 §2.1, the high-order bit of the type clear). */
// @ts-ignore: decorator
@inline export function icmp6IsError(type: u8): bool { return (type & 0x80) == 0; }

/** The checksum of the `len`-byte message at `p` from `src` to `dst`, its checksum field taken as 0. */
export function icmp6ComputeChecksum(p: usize, len: i32, src: usize, dst: usize): i32 {
  store<u16>(p, 0, ICMP6_CHECKSUM);
  return csumFinish(csumAdd(pseudoSum(src, dst, ICMP6_NEXT_HEADER, <u32>len), p, len));
}

/** Compute and store the checksum of the `len`-byte message at `p` from `src` to `dst`. */
export function icmp6FillChecksum(p: usize, len: i32, src: usize, dst: usize): void {
  store<u16>(p, swap16s(icmp6ComputeChecksum(p, len, src, dst)), ICMP6_CHECKSUM);
}

// ---- Echo (RFC 2463 §4) -----------------------------------------------------------------------------

/** Check an echo request/reply that passed `icmp6Check`. */
export function icmp6CheckEcho(p: usize, len: i32): i32 {
  if (len < ICMP6_HEADER_LEN) return Icmp6Err.TRUNCATED;
  const t = icmp6Type(p);
  if (t != ICMP6_ECHO_REQUEST && t != ICMP6_ECHO_REPLY) return Icmp6Err.BAD_TYPE;
  // Why: RFC 2463 §4.1, §4.2: echo defines code 0 only.
  if (icmp6Code(p) != 0) return Icmp6Err.BAD_CODE;
  return Icmp6Err.OK;
}

/** Echo identifier. */
// @ts-ignore: decorator
@inline export function icmp6EchoIdent(p: usize): i32 { return (<i32>load<u8>(p, ICMP6_ECHO_IDENT) << 8) | <i32>load<u8>(p, ICMP6_ECHO_IDENT + 1); }
/** Echo sequence number. */
// @ts-ignore: decorator
@inline export function icmp6EchoSeq(p: usize): i32 { return (<i32>load<u8>(p, ICMP6_ECHO_SEQ) << 8) | <i32>load<u8>(p, ICMP6_ECHO_SEQ + 1); }

/**
 * Write an echo header at `p` (capacity `cap`; type ICMP6_ECHO_REQUEST or ICMP6_ECHO_REPLY) before the
 * `dataLen` data bytes already at `p + 8`, and the checksum for `src` -> `dst`. Returns the message
 * length, or -Icmp6Err.NO_ROOM.
 */
export function icmp6EmitEcho(p: usize, cap: i32, type: u8, ident: u16, seq: u16, dataLen: i32, src: usize, dst: usize): i32 {
  const n = ICMP6_HEADER_LEN + dataLen;
  if (dataLen < 0 || n > cap) return -Icmp6Err.NO_ROOM;
  store<u8>(p, type, ICMP6_TYPE);
  store<u8>(p, 0, ICMP6_CODE);
  store<u16>(p, swap16(ident), ICMP6_ECHO_IDENT);
  store<u16>(p, swap16(seq), ICMP6_ECHO_SEQ);
  icmp6FillChecksum(p, n, src, dst);
  return n;
}

/**
 * Turn a checked echo request at `p` into the echo reply in place: type 128 -> 129, checksum updated
 * incrementally (RFC 1624 eqn. 3; the Type/Code word goes from 0x8000 to 0x8100). Why it stays right:
 * the reply's pseudo-header has the two addresses swapped (RFC 2463 §4.2: the reply goes back to the
 * request's source), and the one's-complement sum does not depend on their order. A reply to a
 * multicast request is sent from a unicast address of ours: the caller recomputes the checksum then.
 */
export function icmp6EchoToReply(p: usize): void {
  const m = (<u32>icmp6Type(p) << 8) | <u32>icmp6Code(p);
  store<u8>(p, ICMP6_ECHO_REPLY, ICMP6_TYPE);
  const m2 = (<u32>ICMP6_ECHO_REPLY << 8) | <u32>icmp6Code(p);
  let s = (~<u32>icmp6Checksum(p) & 0xffff) + (~m & 0xffff) + m2;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  store<u16>(p, swap16(<u16>~s), ICMP6_CHECKSUM);
}

// ---- Errors (RFC 2463 §3) ---------------------------------------------------------------------------

/**
 * Check an error message (types 1-4) that passed `icmp6Check`: a known code and a quoted invoking
 * packet that begins with a whole IPv6 header (what the receiver matches against its sessions,
 * RFC 2463 §2.4 (d)).
 */
export function icmp6CheckError(p: usize, len: i32): i32 {
  if (len < ICMP6_HEADER_LEN + 40) return Icmp6Err.TRUNCATED;
  const t = icmp6Type(p);
  const c = icmp6Code(p);
  // Why: RFC 2463 §3.1-3.4 define codes 0-4 (unreachable), 0 (too big: set to 0 by the sender and
  // ignored by the receiver, §3.2), 0-1 (time exceeded), 0-2 (parameter problem).
  // Why (size): the highest code of types 1-4 from a table, one byte each from the lowest:
  // UNREACH6_PORT, 255 (any), TIME6_REASSEMBLY, PARAM6_OPTION.
  const i = <u32>t - <u32>ICMP6_DEST_UNREACH;
  if (i > 3) return Icmp6Err.BAD_TYPE;
  if (<u32>c > ((<u32>0x0201ff04 >> (i << 3)) & 0xff)) return Icmp6Err.BAD_CODE;
  if ((load<u8>(p + <usize>ICMP6_HEADER_LEN) >> 4) != 6) return Icmp6Err.BAD_INNER;
  return Icmp6Err.OK;
}

/** Pointer to the quoted invoking packet of an error message. */
// @ts-ignore: decorator
@inline export function icmp6ErrorInner(p: usize): usize { return p + <usize>ICMP6_HEADER_LEN; }
/** MTU of a Packet Too Big message (RFC 2463 §3.2, RFC 1981). Why (size): read on control paths only,
 *  so it swaps by a call. */
// @ts-ignore: decorator
@inline export function icmp6Mtu(p: usize): u32 { return swap32Out(load<u32>(p, ICMP6_REST)); }
/** Pointer of a Parameter Problem message: offset of the offending octet in the invoking packet (§3.4). */
// @ts-ignore: decorator
@inline export function icmp6Pointer(p: usize): u32 { return icmp6Rest(p); }

/**
 * Build an error message at `p` (capacity `cap`) from `src` to `dst`: Type, Code, the 32-bit `param`
 * (0, the MTU, or the pointer), then the start of the invoking packet `orig` of `origLen` bytes
 * (`orig` may overlap `p + 8`), as much as fits. Checksum filled. Returns the message length, or
 * -Icmp6Err.NO_ROOM when not even the header and the invoking IPv6 header fit.
 */
export function icmp6EmitError(p: usize, cap: i32, type: u8, code: u8, param: u32, orig: usize, origLen: i32,
  src: usize, dst: usize): i32 {
  // Why: RFC 2463 §2.4 (c): as much of the invoking packet as possible without the error message
  // exceeding the minimum IPv6 MTU (1280 with its own 40-byte IPv6 header).
  let n = origLen;
  if (n > ICMP6_ERROR_MAX - ICMP6_HEADER_LEN) n = ICMP6_ERROR_MAX - ICMP6_HEADER_LEN;
  if (n > cap - ICMP6_HEADER_LEN) n = cap - ICMP6_HEADER_LEN;
  // Why: without the invoking IPv6 header the receiver cannot tell which flow it is about (§2.4 (d)).
  if (n < 40) return -Icmp6Err.NO_ROOM;
  return icmpErrorFill(p, type, code, param, orig, n, pseudoSum(src, dst, ICMP6_NEXT_HEADER, <u32>(ICMP6_HEADER_LEN + n)));
}

/** Destination Unreachable (RFC 2463 §3.1; Unused 0). See icmp6EmitError. */
export function icmp6EmitDestUnreach(p: usize, cap: i32, code: u8, orig: usize, origLen: i32, src: usize, dst: usize): i32 {
  return icmp6EmitError(p, cap, ICMP6_DEST_UNREACH, code, 0, orig, origLen, src, dst);
}

/** Packet Too Big with the next-hop `mtu` (RFC 2463 §3.2; code 0). See icmp6EmitError. */
export function icmp6EmitPacketTooBig(p: usize, cap: i32, mtu: u32, orig: usize, origLen: i32, src: usize, dst: usize): i32 {
  return icmp6EmitError(p, cap, ICMP6_PACKET_TOO_BIG, 0, mtu, orig, origLen, src, dst);
}

/** Time Exceeded (RFC 2463 §3.3; code TIME6_HOP_LIMIT or TIME6_REASSEMBLY). See icmp6EmitError. */
export function icmp6EmitTimeExceeded(p: usize, cap: i32, code: u8, orig: usize, origLen: i32, src: usize, dst: usize): i32 {
  return icmp6EmitError(p, cap, ICMP6_TIME_EXCEEDED, code, 0, orig, origLen, src, dst);
}

/**
 * Parameter Problem (RFC 2463 §3.4) with `pointer` the offset of the offending octet in `orig` (e.g.
 * `walkPointer` / `walkNhAt` of wire/ipv6.ts). See icmp6EmitError.
 */
export function icmp6EmitParamProblem(p: usize, cap: i32, code: u8, pointer: u32, orig: usize, origLen: i32, src: usize, dst: usize): i32 {
  return icmp6EmitError(p, cap, ICMP6_PARAM_PROBLEM, code, pointer, orig, origLen, src, dst);
}
